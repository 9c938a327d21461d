/**
 * Image statistics as the C reports them: max_I and where (the last subpixel's detector coordinates
 * of that pixel), mean and RMS over rendered pixels, RMSD over every ROI pixel (masked ones too).
 * Each row's partial sums are made by the kernel on the thread that rendered it (kernel.as.ts
 * spanStats) and combined here in row order; the deviation sum uses the pairwise (Chan) update, so
 * that it stays as accurate as the C's second pass.
 */

import type { KernelPlan } from "./kernel.js";

export interface ImageStats {
  maxI: number;
  maxFdet: number;
  maxSdet: number;
  mean: number;
  rms: number;
  rmsd: number;
  sum: number;
  rendered: number;
}

/** Fields per row: sum, sum of squares, count (rendered pixels); max, its index; ROI sum, count, M2. */
export const ROW_STATS = 8;

export function combineRowStats(rows: Float64Array, p: KernelPlan, rowList: readonly number[]): ImageStats {
  let maxI = 0.0;
  let maxIndex = -1;
  let sum = 0.0;
  let sumsqr = 0.0;
  let n = 0;
  for (const r of rowList) {
    const o = r * ROW_STATS;
    sum += rows[o];
    sumsqr += rows[o + 1];
    n += rows[o + 2];
    if (rows[o + 3] > maxI) {
      maxI = rows[o + 3];
      maxIndex = rows[o + 4];
    }
  }
  const rendered = n;
  if (n <= 0) n = 1;
  const mean = sum / n;
  if (n <= 1) n = 2;
  const rms = Math.sqrt(sumsqr / (n - 1));
  let m2 = 0.0;
  let m = 0;
  for (const r of rowList) {
    const o = r * ROW_STATS;
    const count = rows[o + 6];
    if (count === 0) continue;
    const d = rows[o + 5] / count - mean;
    m2 += rows[o + 7] + count * d * d;
    m += count;
  }
  if (m <= 1) m = 2;
  const { fpixels, oversample, subpixelSize } = p;
  // where the C reports the maximum: the last subpixel of that pixel
  const lastSub = (pixel: number) =>
    subpixelSize * (pixel * oversample + oversample - 1) + subpixelSize / 2.0;
  const maxFdet = maxIndex < 0 ? 0.0 : lastSub(maxIndex % fpixels);
  const maxSdet = maxIndex < 0 ? 0.0 : lastSub(Math.floor(maxIndex / fpixels));
  return { maxI, maxFdet, maxSdet, mean, rms, rmsd: Math.sqrt(m2 / (m - 1)), sum, rendered };
}
