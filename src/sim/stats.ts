/**
 * Image statistics as the C reports them: max_I and where (the last subpixel's detector coordinates
 * of that pixel), mean and RMS over rendered pixels, RMSD over every ROI pixel (masked ones too).
 */

import type { KernelPlan } from "./kernel.js";
import { insideRoi } from "./plan.js";

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
  const { fpixels, spixels, mask, oversample, subpixelSize } = p;
  let maxI = 0.0;
  let maxFdet = 0.0;
  let maxSdet = 0.0;
  let sum = 0.0;
  let sumsqr = 0.0;
  let n = 0;
  const lastSub = (pixel: number) => subpixelSize * (pixel * oversample + oversample - 1) + subpixelSize / 2.0;
  for (let spixel = 0; spixel < spixels; spixel++) {
    for (let fpixel = 0; fpixel < fpixels; fpixel++) {
      const index = spixel * fpixels + fpixel;
      if (!insideRoi(p, fpixel, spixel) || (mask !== null && mask[index] === 0)) continue;
      const v = image[index];
      if (v > maxI) {
        maxI = v;
        maxFdet = lastSub(fpixel);
        maxSdet = lastSub(spixel);
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
  for (let spixel = 0; spixel < spixels; spixel++) {
    for (let fpixel = 0; fpixel < fpixels; fpixel++) {
      if (!insideRoi(p, fpixel, spixel)) continue;
      const d = image[spixel * fpixels + fpixel] - mean;
      dev += d * d;
      m++;
    }
  }
  if (m <= 1) m = 2;
  return { maxI, maxFdet, maxSdet, mean, rms, rmsd: Math.sqrt(dev / (m - 1)), sum, rendered };
}
