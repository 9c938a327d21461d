/** The headline numbers of one float image: its brightest pixel (first in row order on a tie) and sums. */

export interface ImageStats {
  fpixels: number;
  spixels: number;
  max: number;
  /** [slow, fast] of the brightest pixel. */
  brightest: [number, number];
  sum: number;
  mean: number;
  /** Pixels above zero. */
  lit: number;
}

export function imageStats(data: Float32Array, fpixels: number, spixels: number): ImageStats {
  let max = Number.NEGATIVE_INFINITY;
  let at = 0;
  let sum = 0;
  let lit = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v > max) {
      max = v;
      at = i;
    }
    sum += v;
    if (v > 0) lit++;
  }
  return {
    fpixels,
    spixels,
    max,
    brightest: [Math.floor(at / fpixels), at % fpixels],
    sum,
    mean: data.length > 0 ? sum / data.length : 0,
    lit,
  };
}
