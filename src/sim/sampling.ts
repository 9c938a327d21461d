/**
 * The C's automatic sampling rules: how phi steps, divergence, dispersion, sensor layers and mosaic
 * domains are completed from whichever of (range, step, count) the user gave. "Unset" values are the
 * C's negative sentinels.
 */

import type { ProfileRules } from "./profile.js";

export interface Sweep {
  range: number;
  step: number;
  count: number;
}

/** Phi: osc (range), phistep, phisteps. */
export function resolvePhi(osc: number, step: number, count: number): Sweep {
  if (count < 0) {
    if (osc < 0) {
      if (step <= 0) return { range: 0, step: 0, count: 1 };
      return { range: step, step, count: 2 };
    }
    if (step <= 0) return { range: osc, step: osc / 2.0, count: 2 };
    return { range: osc, step, count: Math.ceil(osc / step) };
  }
  const n = count === 0 ? 1 : count;
  if (osc < 0) {
    if (step <= 0) {
      const range = 1.0 / (180.0 * (1 / Math.PI));
      return { range, step: range / n, count: n };
    }
    return { range: step, step, count: 2 };
  }
  if (step < 0) return { range: osc, step: osc / n, count: n };
  return { range: osc, step, count: n };
}

/**
 * Divergence (horizontal or vertical) and dispersion share one template. `countOnlyOverCount` picks
 * the C's step = range/count when only a count is given (else range/(count-1), the spec's rule).
 */
export function resolveBeamSweep(
  range: number,
  step: number,
  count: number,
  countOnlyOverCount: boolean,
): Sweep {
  let s: Sweep;
  if (count <= 0) {
    if (range < 0) s = step <= 0 ? { range: 0, step: 0, count: 1 } : { range: step, step, count: 2 };
    else if (step <= 0) s = { range, step: range, count: 2 };
    else s = { range, step, count: Math.ceil(range / step) };
  } else if (range < 0) {
    if (step <= 0) {
      const n = countOnlyOverCount ? count : Math.max(count, 2);
      s = { range: 1.0, step: 1.0 / (countOnlyOverCount ? n : n - 1), count: n };
    } else {
      s = { range: step, step, count: 2 };
    }
  } else if (step <= 0) {
    const n = count <= 1 ? 2 : count;
    s = { range, step: range / (n - 1), count: n };
  } else {
    s = { range, step, count };
  }
  return collapseEmpty(s);
}

/** Sensor layers: thickness (range), step, count; the layer step divisor is a profile choice. */
export function resolveThickness(thick: number, step: number, count: number, profile: ProfileRules): Sweep {
  const overCountMinusOne = profile.thicknessStepOverCountMinusOne;
  let s: Sweep;
  if (count <= 0) {
    if (thick < 0) s = step <= 0 ? { range: 0, step: 0, count: 1 } : { range: step, step, count: 2 };
    else if (step <= 0) s = { range: thick, step: thick / 2, count: 2 };
    else s = { range: thick, step, count: Math.ceil(thick / step) };
  } else if (thick < 0) {
    if (step <= 0) s = { range: 0.5e-6, step: 0.5e-6 / count, count };
    else s = { range: step, step, count: 2 };
  } else if (step <= 0) {
    const n = overCountMinusOne && count <= 1 ? 2 : count;
    s = { range: thick, step: overCountMinusOne ? thick / (n - 1) : thick / n, count: n };
  } else {
    s = { range: thick, step, count };
  }
  return collapseEmpty(s);
}

/** The C's sanity rule: a sweep without a positive range, step and count is a single point. */
function collapseEmpty(s: Sweep): Sweep {
  if (s.range <= 0 || s.step <= 0 || s.count <= 0) return { range: 0, step: 0, count: 1 };
  return s;
}

export interface MosaicSampling {
  spread: number;
  domains: number;
  warning: string | null;
}

export function resolveMosaic(spread: number, domains: number): MosaicSampling {
  if (domains <= 0) {
    if (spread < 0) return { spread: 0, domains: 1, warning: null };
    if (spread === 0) return { spread, domains: 1, warning: null };
    return {
      spread,
      domains: 10,
      warning: "WARNING: finite mosaicity with only one domain! upping to 10 mosaic domains",
    };
  }
  if (spread < 0) {
    return {
      spread: 0,
      domains: 1,
      warning: "WARNING: no mosaic spread specified.  setting mosaic_domains = 1",
    };
  }
  if (spread === 0) {
    return {
      spread,
      domains: 1,
      warning: "WARNING: zero mosaic spread specified.  setting mosaic_domains = 1",
    };
  }
  return { spread, domains, warning: null };
}
