/**
 * Image parity audit: a port's float image against a reference image (correlation, sums, errors,
 * the brightest reference peaks and where the port put them), its summary.md and metrics.json, and
 * pictures of both images and their difference.
 *
 * Coordinates: images are row-major [slow][fast]; a peak is [slow, fast]; a region of interest is
 * { xmin, xmax, ymin, ymax } in pixels, inclusive, x fast and y slow, as nanoBragg's -roi.
 */

import { gunzipSync } from "node:zlib";
import { decodeRawFloat } from "../io/raw-float.js";
import { decodeSmv } from "../io/smv.js";
import { readBinaryFile } from "../io/text-lines.js";
import { InputError } from "../util/input-error.js";

export interface Roi {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

export interface ImageAuditOptions {
  /** Compared region (inclusive, x fast, y slow); the whole image when absent. */
  roi?: Roi;
  /** How many of the brightest reference peaks to match (default 25). */
  peaks?: number;
  /** Half-width of the square neighbourhood a peak must top (default 3). */
  peakRadius?: number;
}

export interface PeakMatch {
  /** [slow, fast] of the reference peak. */
  ref: [number, number];
  /** [slow, fast] of the nearest port peak within MATCH_RADIUS, or null. */
  port: [number, number] | null;
  /** Euclidean distance in pixels, or null. */
  distance: number | null;
  refValue: number;
  portValue: number | null;
}

export interface ImageAudit {
  /** The compared region (the whole image when no ROI was given). */
  roi: Roi;
  /** Pixels compared: the region's pixels that are finite in both images. */
  pixels: number;
  /** Pixels of the region where either image is NaN or infinite (left out of every number). */
  nonFinite: number;
  /** Pearson correlation; for two constant images 1 if they are equal, else 0 (also 0 if one is). */
  correlation: number;
  sumRef: number;
  sumPort: number;
  /** sumPort / sumRef; 1 when both are 0, +-Infinity when only sumRef is. */
  sumRatio: number;
  maxAbsError: number;
  /** max |p - r| / max |r| (max |p - r| when the reference is all zero). */
  maxRelError: number;
  rmsDifference: number;
  /** The brightest reference peaks, brightest first. */
  peaks: PeakMatch[];
  /** Peaks with a port peak within 1 pixel. */
  peaksMatched: number;
  /** Peaks the port put elsewhere (distance > 0) or nowhere near (null). */
  peaksMoved: PeakMatch[];
}

/** Port peaks are looked for this far (Euclidean, pixels) from a reference peak. */
export const MATCH_RADIUS = 2;
/** A peak within this distance counts as matched. */
export const MATCHED_DISTANCE = 1;
/** The parity bar of a verdict (DESIGN 3): max relative error and |sum ratio - 1|. */
export const PARITY_TOLERANCE = 1e-6;

function resolveRoi(roi: Roi | undefined, fpixels: number, spixels: number): Roi {
  if (!roi) return { xmin: 0, xmax: fpixels - 1, ymin: 0, ymax: spixels - 1 };
  const { xmin, xmax, ymin, ymax } = roi;
  const inside = (lo: number, hi: number, n: number) =>
    Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && lo <= hi && hi < n;
  if (!inside(xmin, xmax, fpixels) || !inside(ymin, ymax, spixels)) {
    throw new Error(
      `ROI x ${xmin}-${xmax}, y ${ymin}-${ymax} is not a region of the ${fpixels}x${spixels} image`,
    );
  }
  return { xmin, xmax, ymin, ymax };
}

function checkSizes(ref: Float32Array, port: Float32Array, fpixels: number, spixels: number): void {
  if (!Number.isInteger(fpixels) || !Number.isInteger(spixels) || fpixels < 1 || spixels < 1) {
    throw new Error(`image size ${fpixels}x${spixels} (fast x slow) is not a size`);
  }
  const n = fpixels * spixels;
  if (ref.length !== n || port.length !== n) {
    throw new Error(
      `image sizes disagree: reference ${ref.length} pixels, port ${port.length} pixels, ` +
        `${fpixels}x${spixels} = ${n} expected`,
    );
  }
}

/**
 * Whether the pixel tops its neighbourhood (radius r, clipped to the region): greater than the
 * neighbours before it in raster order, not less than those after it, and greater than at least
 * one. A spot centred between pixels gives equal pixels, which a strict rule would drop; this keeps
 * the first of them. A flat area is no peak.
 */
function isLocalMax(
  image: Float32Array,
  fpixels: number,
  roi: Roi,
  s: number,
  f: number,
  r: number,
): boolean {
  const v = image[s * fpixels + f];
  if (!Number.isFinite(v)) return false;
  let above = false;
  const s0 = Math.max(roi.ymin, s - r);
  const s1 = Math.min(roi.ymax, s + r);
  const f0 = Math.max(roi.xmin, f - r);
  const f1 = Math.min(roi.xmax, f + r);
  for (let ss = s0; ss <= s1; ss++) {
    const row = ss * fpixels;
    for (let ff = f0; ff <= f1; ff++) {
      const n = image[row + ff];
      const before = ss < s || (ss === s && ff < f);
      // (the pixel itself counts as "after" and passes: v >= v)
      if (before ? !(v > n) : !(v >= n)) return false;
      if (v > n) above = true;
    }
  }
  return above;
}

/** Indices of the region's local maxima, brightest first (ties in raster order), at most `count`. */
function brightestPeaks(image: Float32Array, fpixels: number, roi: Roi, r: number, count: number): number[] {
  const found: number[] = [];
  for (let s = roi.ymin; s <= roi.ymax; s++) {
    for (let f = roi.xmin; f <= roi.xmax; f++) {
      if (isLocalMax(image, fpixels, roi, s, f, r)) found.push(s * fpixels + f);
    }
  }
  found.sort((a, b) => image[b] - image[a] || a - b);
  return found.slice(0, count);
}

function matchPeak(ref: Float32Array, port: Float32Array, fpixels: number, roi: Roi, r: number, at: number) {
  const s = Math.floor(at / fpixels);
  const f = at - s * fpixels;
  let best: PeakMatch = { ref: [s, f], port: null, distance: null, refValue: ref[at], portValue: null };
  for (let ds = -MATCH_RADIUS; ds <= MATCH_RADIUS; ds++) {
    for (let df = -MATCH_RADIUS; df <= MATCH_RADIUS; df++) {
      const ps = s + ds;
      const pf = f + df;
      const d = Math.hypot(ds, df);
      if (d > MATCH_RADIUS || ps < roi.ymin || ps > roi.ymax || pf < roi.xmin || pf > roi.xmax) continue;
      if (!isLocalMax(port, fpixels, roi, ps, pf, r)) continue;
      const value = port[ps * fpixels + pf];
      // nearest first, then the brighter (raster order settles the rest)
      if (best.distance === null || d < best.distance || (d === best.distance && value > best.portValue!)) {
        best = { ...best, port: [ps, pf], distance: d, portValue: value };
      }
    }
  }
  return best;
}

export function auditImages(
  ref: Float32Array,
  port: Float32Array,
  fpixels: number,
  spixels: number,
  options: ImageAuditOptions = {},
): ImageAudit {
  checkSizes(ref, port, fpixels, spixels);
  const roi = resolveRoi(options.roi, fpixels, spixels);
  const peakCount = options.peaks ?? 25;
  const radius = options.peakRadius ?? 3;
  if (!Number.isInteger(peakCount) || peakCount < 0)
    throw new Error(`peaks must be a count, not ${peakCount}`);
  if (!Number.isInteger(radius) || radius < 1) throw new Error(`peakRadius must be >= 1, not ${radius}`);

  // First pass: sums, extremes and errors; second pass: centred moments (stable for large offsets).
  let pixels = 0;
  let nonFinite = 0;
  let sumRef = 0;
  let sumPort = 0;
  let maxAbsError = 0;
  let maxAbsRef = 0;
  let sumSquaredDiff = 0;
  let refMin = Number.POSITIVE_INFINITY;
  let refMax = Number.NEGATIVE_INFINITY;
  let portMin = Number.POSITIVE_INFINITY;
  let portMax = Number.NEGATIVE_INFINITY;
  let identical = true;
  for (let s = roi.ymin; s <= roi.ymax; s++) {
    for (let i = s * fpixels + roi.xmin, end = s * fpixels + roi.xmax; i <= end; i++) {
      const r = ref[i];
      const p = port[i];
      if (!Number.isFinite(r) || !Number.isFinite(p)) {
        nonFinite++;
        continue;
      }
      pixels++;
      sumRef += r;
      sumPort += p;
      const d = p - r;
      if (Math.abs(d) > maxAbsError) maxAbsError = Math.abs(d);
      if (Math.abs(r) > maxAbsRef) maxAbsRef = Math.abs(r);
      sumSquaredDiff += d * d;
      if (r < refMin) refMin = r;
      if (r > refMax) refMax = r;
      if (p < portMin) portMin = p;
      if (p > portMax) portMax = p;
      if (d !== 0) identical = false;
    }
  }
  let correlation = 0;
  if (pixels > 0 && refMin === refMax && portMin === portMax) {
    correlation = identical ? 1 : 0;
  } else if (pixels > 0 && refMin !== refMax && portMin !== portMax) {
    // The constancy test above is exact; a variance from rounding of a constant would not be.
    const meanRef = sumRef / pixels;
    const meanPort = sumPort / pixels;
    let cov = 0;
    let varRef = 0;
    let varPort = 0;
    for (let s = roi.ymin; s <= roi.ymax; s++) {
      for (let i = s * fpixels + roi.xmin, end = s * fpixels + roi.xmax; i <= end; i++) {
        const r = ref[i];
        const p = port[i];
        if (!Number.isFinite(r) || !Number.isFinite(p)) continue;
        const a = r - meanRef;
        const b = p - meanPort;
        cov += a * b;
        varRef += a * a;
        varPort += b * b;
      }
    }
    correlation = Math.max(-1, Math.min(1, cov / Math.sqrt(varRef * varPort)));
  }

  const peaks = brightestPeaks(ref, fpixels, roi, radius, peakCount).map((at) =>
    matchPeak(ref, port, fpixels, roi, radius, at),
  );
  return {
    roi,
    pixels,
    nonFinite,
    correlation,
    sumRef,
    sumPort,
    sumRatio:
      sumRef !== 0 ? sumPort / sumRef : sumPort === 0 ? 1 : Math.sign(sumPort) * Number.POSITIVE_INFINITY,
    maxAbsError,
    maxRelError: maxAbsRef > 0 ? maxAbsError / maxAbsRef : maxAbsError,
    rmsDifference: pixels > 0 ? Math.sqrt(sumSquaredDiff / pixels) : 0,
    peaks,
    peaksMatched: peaks.filter((m) => m.distance !== null && m.distance <= MATCHED_DISTANCE).length,
    peaksMoved: peaks.filter((m) => m.distance !== 0),
  };
}

export interface ImageAuditVerdict {
  pass: boolean;
  /** Why it does not pass (empty when it does). */
  reasons: string[];
}

/**
 * Parity: max relative error and |sum ratio - 1| within PARITY_TOLERANCE, every peak at the same
 * pixel, no NaN or infinite pixel.
 */
export function imageAuditVerdict(audit: ImageAudit): ImageAuditVerdict {
  const reasons: string[] = [];
  if (audit.nonFinite > 0) reasons.push(`${audit.nonFinite} pixels are NaN or infinite`);
  if (!(audit.maxRelError <= PARITY_TOLERANCE)) {
    reasons.push(`max relative error ${fmt(audit.maxRelError)} > ${fmt(PARITY_TOLERANCE)}`);
  }
  if (!(Math.abs(audit.sumRatio - 1) <= PARITY_TOLERANCE)) {
    reasons.push(`sum ratio ${fmt(audit.sumRatio)} is not 1 within ${fmt(PARITY_TOLERANCE)}`);
  }
  if (audit.peaksMoved.length > 0) {
    reasons.push(`${audit.peaksMoved.length} of ${audit.peaks.length} peaks moved or are missing`);
  }
  return { pass: reasons.length === 0, reasons };
}

/** Numbers for people: 7 significant digits, exponent form where that is shorter. */
function fmt(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const fixed = Number(v.toPrecision(7)).toString();
  const exp = v.toExponential(6).replace(/\.?0+e/, "e");
  return exp.length < fixed.length ? exp : fixed;
}

function pixel(p: [number, number] | null): string {
  return p ? `(${p[0]}, ${p[1]})` : "none";
}

/** The scales of the pictures, for their legend. */
export interface PictureScales {
  /** Intensity at the left and right ends of the ref/port colour bar. */
  intensityRange: [number, number];
  /** |port - ref| at either end of the difference colour bar. */
  diffLimit: number;
}

/**
 * summary.md of an audit: the verdict, a table of the numbers, the peaks that moved, and the
 * pictures ref.png, port.png and diff.png (expected next to summary.md) with their scales.
 */
export function imageAuditSummary(
  audit: ImageAudit,
  refName: string,
  portName: string,
  scales?: PictureScales,
): string {
  const verdict = imageAuditVerdict(audit);
  const { xmin, xmax, ymin, ymax } = audit.roi;
  const lines = [
    `# Image audit: ${portName} against ${refName}`,
    "",
    verdict.pass
      ? `**Verdict: match.** Max relative error and sum ratio within ${fmt(PARITY_TOLERANCE)}; all ${audit.peaks.length} peaks at the same pixel.`
      : `**Verdict: differs.** ${verdict.reasons.join("; ")}.`,
    "",
    "| metric | value |",
    "| --- | --- |",
    `| region (x fast, y slow, inclusive) | x ${xmin}-${xmax}, y ${ymin}-${ymax} |`,
    `| pixels compared | ${audit.pixels} |`,
  ];
  if (audit.nonFinite > 0) lines.push(`| NaN or infinite pixels (left out) | ${audit.nonFinite} |`);
  lines.push(
    `| correlation | ${fmt(audit.correlation)} |`,
    `| sum (reference) | ${fmt(audit.sumRef)} |`,
    `| sum (port) | ${fmt(audit.sumPort)} |`,
    `| sum ratio (port / reference) | ${fmt(audit.sumRatio)} |`,
    `| max abs error | ${fmt(audit.maxAbsError)} |`,
    `| max rel error (max abs error / max abs reference) | ${fmt(audit.maxRelError)} |`,
    `| RMS difference | ${fmt(audit.rmsDifference)} |`,
    `| peaks matched (within ${MATCHED_DISTANCE} px) | ${audit.peaksMatched} of ${audit.peaks.length} |`,
    "",
    "## Peaks that moved",
    "",
  );
  if (audit.peaksMoved.length === 0) {
    lines.push(`None of the ${audit.peaks.length} brightest reference peaks moved.`);
  } else {
    lines.push(
      `Reference peaks (slow, fast) whose nearest port peak within ${MATCH_RADIUS} px is elsewhere or absent:`,
      "",
      "| reference | port | distance | reference value | port value |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const m of audit.peaksMoved) {
      const distance = m.distance === null ? "-" : fmt(m.distance);
      const value = m.portValue === null ? "-" : fmt(m.portValue);
      lines.push(`| ${pixel(m.ref)} | ${pixel(m.port)} | ${distance} | ${fmt(m.refValue)} | ${value} |`);
    }
  }
  lines.push(
    "",
    "## Pictures",
    "",
    "| reference | port | port - reference |",
    "| --- | --- | --- |",
    "| ![reference](ref.png) | ![port](port.png) | ![difference](diff.png) |",
    "",
    "Reference and port share one colour scale (viridis on the square root of the intensity); the",
    "difference runs blue (negative) through white (zero) to red (positive) on a signed square root",
    "scale. The bar under each picture runs from the low end (left) to the high end (right).",
  );
  if (scales) {
    const [lo, hi] = scales.intensityRange;
    lines.push(
      "",
      `Intensity bar: ${fmt(lo)} to ${fmt(hi)} (brighter pixels clip). Difference bar: ` +
        `${fmt(-scales.diffLimit)} to ${fmt(scales.diffLimit)}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** JSON cannot hold an infinity: those (an infinite sum ratio) are written as null. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** metrics.json of an audit (snake_case keys). */
export function imageAuditMetrics(audit: ImageAudit): object {
  return {
    verdict: imageAuditVerdict(audit).pass ? "match" : "differs",
    roi: audit.roi,
    pixels: audit.pixels,
    non_finite_pixels: audit.nonFinite,
    correlation: audit.correlation,
    sum_ref: audit.sumRef,
    sum_port: audit.sumPort,
    sum_ratio: finite(audit.sumRatio),
    max_abs_error: audit.maxAbsError,
    max_rel_error: audit.maxRelError,
    rms_difference: audit.rmsDifference,
    peaks_compared: audit.peaks.length,
    peaks_matched: audit.peaksMatched,
    peaks_moved: audit.peaksMoved.length,
    peaks: audit.peaks.map((m) => ({
      ref: m.ref,
      port: m.port,
      distance: m.distance,
      ref_value: m.refValue,
      port_value: m.portValue,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Pictures

/** viridis at t = 0, 1/8, ..., 1 (matplotlib's table, rounded), interpolated linearly in between. */
const VIRIDIS = [
  [68, 1, 84],
  [72, 36, 117],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [34, 168, 132],
  [68, 191, 112],
  [144, 215, 67],
  [253, 231, 37],
];
const DIFF_NEGATIVE = [33, 102, 172];
const DIFF_ZERO = [255, 255, 255];
const DIFF_POSITIVE = [178, 24, 43];
/** Pixels that are NaN or infinite: a colour neither scale uses. */
export const NON_FINITE_COLOUR = [255, 0, 255] as const;
/** The rows between a picture and its colour bar. */
export const GAP_COLOUR = [0, 0, 0] as const;
/** The intensity scale clips at this percentile of the pixels above the common minimum. */
const CLIP_PERCENTILE = 0.995;
const LEVELS = 256;

/** Colours of `levels` evenly spaced points from stops[0] to stops[last], linear in between. */
function ramp(stops: readonly (readonly number[])[], levels: number): Uint8Array {
  const table = new Uint8Array(3 * levels);
  for (let k = 0; k < levels; k++) {
    const x = levels > 1 ? (k / (levels - 1)) * (stops.length - 1) : 0;
    const j = Math.min(Math.floor(x), stops.length - 2);
    const w = x - j;
    for (let c = 0; c < 3; c++) table[3 * k + c] = Math.round(stops[j][c] * (1 - w) + stops[j + 1][c] * w);
  }
  return table;
}

const INTENSITY_RAMP = ramp(VIRIDIS, LEVELS);
/** Negative half then positive half: the middle two levels are white, the ends blue and red. */
const DIFF_RAMP = new Uint8Array([
  ...ramp([DIFF_NEGATIVE, DIFF_ZERO], LEVELS / 2),
  ...ramp([DIFF_ZERO, DIFF_POSITIVE], LEVELS / 2),
]);

/** Rows of a picture of an image `height` rows tall: the image, a gap, a colour bar. */
export function pictureLayout(height: number): { image: number; gap: number; bar: number; total: number } {
  const bar = Math.max(6, Math.round(height / 16));
  const gap = Math.max(2, Math.round(bar / 4));
  return { image: height, gap, bar, total: height + gap + bar };
}

export interface Pictures extends PictureScales {
  /** Picture size: the region's width, and its height plus the gap and the colour bar. */
  width: number;
  height: number;
  ref: Uint8Array;
  port: Uint8Array;
  diff: Uint8Array;
}

function paint(out: Uint8Array, at: number, table: Uint8Array, level: number): void {
  out[3 * at] = table[3 * level];
  out[3 * at + 1] = table[3 * level + 1];
  out[3 * at + 2] = table[3 * level + 2];
}

export function paintColour(out: Uint8Array, at: number, colour: readonly number[]): void {
  out[3 * at] = colour[0];
  out[3 * at + 1] = colour[1];
  out[3 * at + 2] = colour[2];
}

export function paintIntensity(out: Uint8Array, at: number, v: number, lo: number, span: number): void {
  if (!Number.isFinite(v)) {
    paintColour(out, at, NON_FINITE_COLOUR);
    return;
  }
  const t = span > 0 ? Math.sqrt(Math.min(1, Math.max(0, (v - lo) / span))) : 0;
  paint(out, at, INTENSITY_RAMP, Math.round(t * (LEVELS - 1)));
}

/** [lo, hi] of the shared intensity scale (see renderPictures). */
export function intensityRange(images: Float32Array[], fpixels: number, roi: Roi): [number, number] {
  const width = roi.xmax - roi.xmin + 1;
  const values = new Float32Array(images.length * width * (roi.ymax - roi.ymin + 1));
  let n = 0;
  for (const image of images) {
    for (let s = roi.ymin; s <= roi.ymax; s++) {
      for (let i = s * fpixels + roi.xmin, end = s * fpixels + roi.xmax; i <= end; i++) {
        if (Number.isFinite(image[i])) values[n++] = image[i];
      }
    }
  }
  if (n === 0) return [0, 0];
  const sorted = values.subarray(0, n).sort();
  const lo = sorted[0];
  let first = 0; // the first value above lo
  while (first < n && sorted[first] <= lo) first++;
  if (first === n) return [lo, lo];
  return [lo, sorted[first + Math.floor(CLIP_PERCENTILE * (n - 1 - first))]];
}

function colourBar(
  out: Uint8Array,
  width: number,
  layout: ReturnType<typeof pictureLayout>,
  table: Uint8Array,
) {
  for (let y = layout.image; y < layout.image + layout.gap; y++) {
    for (let x = 0; x < width; x++) paintColour(out, y * width + x, GAP_COLOUR);
  }
  for (let y = layout.image + layout.gap; y < layout.total; y++) {
    for (let x = 0; x < width; x++) {
      const level = width > 1 ? Math.round((x / (width - 1)) * (LEVELS - 1)) : LEVELS - 1;
      paint(out, y * width + x, table, level);
    }
  }
}

/**
 * RGB pictures (3 bytes per pixel, row-major) of the reference, the port and port - reference,
 * cropped to the region when one is given. Each is `width` = the region's width wide and
 * pictureLayout(region height).total rows tall: the image (slow rows top to bottom, fast columns
 * left to right), `gap` black rows, then `bar` rows of colour bar running from the scale's low end
 * at the left to its high end at the right.
 * - ref and port: one scale for both, viridis on sqrt((v - lo) / (hi - lo)) clipped to [0, 1],
 *   where lo is the smallest pixel of the two images and hi the 99.5th percentile of their pixels
 *   above lo (so that a few bright spots do not leave the rest dark, and an image that is mostly
 *   empty outside an ROI still gets a scale).
 * - diff: port - ref on signed sqrt(|d| / L) with L = max |d|, blue (negative) - white (zero) -
 *   red (positive); identical images are white.
 * NaN or infinite pixels are magenta (NON_FINITE_COLOUR) in every picture.
 */
export function renderPictures(
  ref: Float32Array,
  port: Float32Array,
  fpixels: number,
  spixels: number,
  roi?: Roi,
): Pictures {
  checkSizes(ref, port, fpixels, spixels);
  const region = resolveRoi(roi, fpixels, spixels);
  const width = region.xmax - region.xmin + 1;
  const layout = pictureLayout(region.ymax - region.ymin + 1);
  const [lo, hi] = intensityRange([ref, port], fpixels, region);
  let diffLimit = 0;
  for (let s = region.ymin; s <= region.ymax; s++) {
    for (let i = s * fpixels + region.xmin, end = s * fpixels + region.xmax; i <= end; i++) {
      const d = Math.abs(port[i] - ref[i]);
      if (d > diffLimit && Number.isFinite(d)) diffLimit = d;
    }
  }

  const out = {
    ref: new Uint8Array(3 * width * layout.total),
    port: new Uint8Array(3 * width * layout.total),
    diff: new Uint8Array(3 * width * layout.total),
  };
  const span = hi - lo;
  const half = LEVELS / 2;
  for (let s = region.ymin; s <= region.ymax; s++) {
    for (let f = region.xmin; f <= region.xmax; f++) {
      const i = s * fpixels + f;
      const at = (s - region.ymin) * width + (f - region.xmin);
      paintIntensity(out.ref, at, ref[i], lo, span);
      paintIntensity(out.port, at, port[i], lo, span);
      const d = port[i] - ref[i];
      if (!Number.isFinite(d)) paintColour(out.diff, at, NON_FINITE_COLOUR);
      else if (d === 0) paintColour(out.diff, at, DIFF_ZERO);
      else {
        // levels half-1 and half are white; nonzero differences start one level out
        const step = Math.max(1, Math.round(Math.sqrt(Math.abs(d) / diffLimit) * (half - 1)));
        paint(out.diff, at, DIFF_RAMP, d < 0 ? half - 1 - step : half + step);
      }
    }
  }
  colourBar(out.ref, width, layout, INTENSITY_RAMP);
  colourBar(out.port, width, layout, INTENSITY_RAMP);
  colourBar(out.diff, width, layout, DIFF_RAMP);
  return { width, height: layout.total, ...out, intensityRange: [lo, hi], diffLimit };
}

// ---------------------------------------------------------------------------------------------
// Reading images

const SMV_START = "{\nHEADER_BYT";

/**
 * A float image from a file, the kind chosen by content: SMV (size from its header, uint16 pixels
 * as floats) or raw float32 (fpixels needed; spixels, when absent, from the file's length); either
 * may be gzip-compressed, as the reference corpus is. A size given for an SMV must agree with its
 * header.
 */
export function readImage(
  path: string,
  fpixels?: number,
  spixels?: number,
): { data: Float32Array; fpixels: number; spixels: number } {
  let bytes = readBinaryFile(path, "image");
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new InputError(`${path}: not a readable gzip file (${(error as Error).message})`);
    }
  }
  if (bytes.subarray(0, SMV_START.length).toString("latin1") === SMV_START) {
    const smv = decodeSmv(bytes, path);
    if (
      (fpixels !== undefined && fpixels !== smv.width) ||
      (spixels !== undefined && spixels !== smv.height)
    ) {
      throw new InputError(
        `${path}: the SMV header says ${smv.width}x${smv.height} pixels, not ${fpixels ?? smv.width}x${spixels ?? smv.height}`,
      );
    }
    return { data: Float32Array.from(smv.data), fpixels: smv.width, spixels: smv.height };
  }
  if (fpixels === undefined) {
    throw new InputError(
      `${path}: a raw float image needs its size (fast pixels, and slow pixels or the file length)`,
    );
  }
  if (
    !Number.isInteger(fpixels) ||
    fpixels < 1 ||
    (spixels !== undefined && (!Number.isInteger(spixels) || spixels < 1))
  ) {
    throw new InputError(`${path}: ${fpixels}x${spixels ?? "?"} is not an image size`);
  }
  const rows = spixels ?? bytes.length / (4 * fpixels);
  if (!Number.isInteger(rows) || rows < 1) {
    throw new InputError(`${path}: ${bytes.length} bytes are not whole rows of ${fpixels} float32 pixels`);
  }
  try {
    return { data: decodeRawFloat(bytes, fpixels * rows), fpixels, spixels: rows };
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message} (${fpixels}x${rows} pixels)`);
  }
}
