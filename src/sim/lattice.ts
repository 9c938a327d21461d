/** Lattice transforms: the shape factor of a finite crystal evaluated at fractional Miller indices. */

/** Fourier transform of a grating of N slits: sin(N x) / sin(x), N at x = 0. */
export function sincg(x: number, N: number): number {
  if (x === 0.0) return N;
  return Math.sin(x * N) / Math.sin(x);
}

/** Fourier transform of a sphere: 3 (sin x / x - cos x) / x^2, 1 at x = 0. */
export function sinc3(x: number): number {
  if (x === 0.0) return 1.0;
  return (3.0 * (Math.sin(x) / x - Math.cos(x))) / (x * x);
}

export enum ShapeCode {
  Square = 0,
  Round = 1,
  Gauss = 2,
  Tophat = 3,
}

/** Volume ratio correction of the round (ellipsoidal) crystal relative to the parallelepiped. */
export const ROUND_SCALE = 0.723601254558268;
/** Radius (squared, in reciprocal cells) inside which a top-hat spot is lit. */
export const TOPHAT_CUTOFF = 0.3969;
