/**
 * Image statistics as the C reports them: max_I and where (the last subpixel's detector coordinates
 * of that pixel), mean and RMS over rendered pixels, RMSD over every ROI pixel (masked ones too).
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

export function imageStats(image: Float32Array, p: KernelPlan): ImageStats {
  const { fpixels, mask, oversample, subpixelSize } = p;
  const xFirst = Math.max(0, p.roiXmin);
  const xLast = Math.min(fpixels - 1, p.roiXmax);
  const yFirst = Math.max(0, p.roiYmin);
  const yLast = Math.min(p.spixels - 1, p.roiYmax);
  let maxI = 0.0;
  let maxIndex = -1;
  let sum = 0.0;
  let sumsqr = 0.0;
  let n = 0;
  for (let spixel = yFirst; spixel <= yLast; spixel++) {
    for (let index = spixel * fpixels + xFirst; index <= spixel * fpixels + xLast; index++) {
      if (mask !== null && mask[index] === 0) continue;
      const v = image[index];
      if (v > maxI) {
        maxI = v;
        maxIndex = index;
      }
      sum += v;
      sumsqr += v * v;
      n++;
    }
  }
  const rendered = n;
  if (n <= 0) n = 1;
  const mean = sum / n;
  if (n <= 1) n = 2;
  const rms = Math.sqrt(sumsqr / (n - 1));
  let dev = 0.0;
  let m = 0;
  for (let spixel = yFirst; spixel <= yLast; spixel++) {
    for (let index = spixel * fpixels + xFirst; index <= spixel * fpixels + xLast; index++) {
      const d = image[index] - mean;
      dev += d * d;
      m++;
    }
  }
  if (m <= 1) m = 2;
  // where the C reports the maximum: the last subpixel of that pixel
  const lastSub = (pixel: number) =>
    subpixelSize * (pixel * oversample + oversample - 1) + subpixelSize / 2.0;
  const maxFdet = maxIndex < 0 ? 0.0 : lastSub(maxIndex % fpixels);
  const maxSdet = maxIndex < 0 ? 0.0 : lastSub(Math.floor(maxIndex / fpixels));
  return { maxI, maxFdet, maxSdet, mean, rms, rmsd: Math.sqrt(dev / (m - 1)), sum, rendered };
}
