/**
 * The scaling chain of a pixel trace checked against the physics: the final pixel value must be
 * r_e^2 * fluence * I / steps, times the capture fraction, polarization and solid angle that were not
 * applied per subpixel, evaluated in the C's order, and the stored float32 value its rounding.
 */

import { parseTrace } from "./trace-lines.js";

export interface ScalingCheck {
  /** The trace's values of the chain. */
  inputs: Record<string, number>;
  missing: string[];
  expectedFinal: number;
  reportedFinal: number;
  relativeError: number;
  storedAsFloat32: boolean;
  ok: boolean;
}

const CHAIN = [
  "I_before_scaling",
  "r_e_sqr",
  "fluence_photons_per_m2",
  "steps",
  "oversample_thick",
  "oversample_polar",
  "oversample_omega",
  "capture_fraction",
  "polar",
  "omega_pixel",
  "I_pixel_final",
  "floatimage_accumulated",
] as const;

/** %.15g keeps about 15 significant digits: the chain must agree to well within that. */
const TOLERANCE = 1e-13;

export function checkScaling(traceText: string): ScalingCheck {
  const last = new Map<string, number>();
  for (const e of parseTrace(traceText)) if (e.values.length === 1) last.set(e.key, e.values[0]);
  const missing = CHAIN.filter((k) => !last.has(k));
  const v = (k: (typeof CHAIN)[number]) => last.get(k) ?? Number.NaN;
  let expected = (v("r_e_sqr") * v("fluence_photons_per_m2") * v("I_before_scaling")) / v("steps");
  if (!v("oversample_thick")) expected *= v("capture_fraction");
  if (!v("oversample_polar")) expected *= v("polar");
  if (!v("oversample_omega")) expected *= v("omega_pixel");
  const reported = v("I_pixel_final");
  const relativeError = reported === expected ? 0 : Math.abs(reported - expected) / Math.abs(expected);
  const stored = v("floatimage_accumulated");
  const storedAsFloat32 = Math.abs(stored - Math.fround(reported)) <= TOLERANCE * Math.abs(stored);
  return {
    inputs: Object.fromEntries(CHAIN.filter((k) => last.has(k)).map((k) => [k, v(k)])),
    missing: [...missing],
    expectedFinal: expected,
    reportedFinal: reported,
    relativeError,
    storedAsFloat32,
    ok: missing.length === 0 && relativeError <= TOLERANCE && storedAsFloat32,
  };
}

export function scalingSummary(check: ScalingCheck, traceName: string): string {
  const lines = [
    `# Scaling chain of ${traceName}: ${check.ok ? "consistent" : "INCONSISTENT"}`,
    "",
    "I_pixel_final = r_e_sqr * fluence * I_before_scaling / steps, then times capture_fraction, polar and",
    "omega_pixel unless the matching -oversample_* flag applied them per subpixel (the C's order).",
    "",
    "| quantity | value |",
    "|---|---|",
    ...Object.entries(check.inputs).map(([k, x]) => `| ${k} | ${x} |`),
    `| recomputed I_pixel_final | ${check.expectedFinal} |`,
    `| relative difference | ${check.relativeError.toExponential(2)} |`,
    `| stored as float32 | ${check.storedAsFloat32 ? "yes" : "no"} |`,
  ];
  if (check.missing.length > 0) lines.push("", `Missing from the trace: ${check.missing.join(", ")}`);
  return `${lines.join("\n")}\n`;
}
