/** Spot shapes: the lattice transform of a finite crystal, as the kernel (kernel.as.ts) evaluates it. */

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
