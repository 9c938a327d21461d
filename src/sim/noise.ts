/**
 * Photon-counting noise: the C's Poisson deviate (product of uniforms below a mean of 12, Numerical
 * Recipes' rejection method up to 1e6, a Gaussian approximation above) and its Gaussian deviate,
 * float32 wherever the C stores a float, with the C's cached state (the last mean's constants, the
 * spare Gaussian deviate), so that a seed gives the C's photons.
 */

import type { RandomSource, SeedStream } from "./rng.js";

const f32 = Math.fround;

/** ln Gamma(xx) (Lanczos, as Numerical Recipes' gammln), float32 result. */
export function gammln(xx: number): number {
  const x = f32(xx);
  let y = x;
  let tmp = x + 5.5;
  tmp -= (x + 0.5) * Math.log(tmp);
  // the C's coefficients as written (they parse to the C's doubles), unrolled so that V8 keeps the sum unboxed
  let ser = 1.000000000190015;
  ser += 76.18009172947146 / ++y;
  // biome-ignore lint/correctness/noPrecisionLoss: the C's literal
  ser += -86.50532032941677 / ++y;
  ser += 24.01409824083091 / ++y;
  ser += -1.231739572450155 / ++y;
  ser += 0.1208650973866179e-2 / ++y;
  ser += -0.5395239384953e-5 / ++y;
  // biome-ignore lint/correctness/noPrecisionLoss: the C's literal as written; it parses to the C's double
  return f32(-tmp + Math.log((2.5066282746310005 * ser) / x));
}

/** Slots of the cached state: the last mean and its constants, and the spare Gaussian deviate. */
const OLD_MEAN = 0;
const SQ = 1;
const ALXM = 2;
const G = 3;
const SPARE = 4;

export class PhotonNoise {
  /** Doubles in a typed array rather than fields, so that V8 never boxes them in the per-pixel loop. */
  private readonly cache = Float64Array.of(-1.0, 0, 0, 0, 0);
  private haveSpare = false;

  constructor(
    private readonly rng: RandomSource,
    private readonly seed: SeedStream,
  ) {}

  /** Gaussian deviate, zero mean and unit variance (polar Box-Muller, one spare kept). */
  gaussian(): number {
    if (this.haveSpare) {
      this.haveSpare = false;
      return this.cache[SPARE];
    }
    let v1: number;
    let v2: number;
    let rsq: number;
    do {
      v1 = f32(2.0 * this.rng.ran1(this.seed) - 1.0);
      v2 = f32(2.0 * this.rng.ran1(this.seed) - 1.0);
      rsq = f32(f32(v1 * v1) + f32(v2 * v2));
    } while (rsq >= 1.0 || rsq === 0);
    const fac = f32(Math.sqrt((-2.0 * Math.log(rsq)) / rsq));
    this.cache[SPARE] = f32(v1 * fac);
    this.haveSpare = true;
    return f32(v2 * fac);
  }

  /** Poisson deviate of mean `mean` (a float32 pixel value), as float32. */
  poisson(mean: number): number {
    const xm = f32(mean);
    if (xm < 12.0) return this.smallMean(xm);
    if (xm > 1.0e6) return f32(xm + Math.sqrt(xm) * this.gaussian());
    return this.rejection(xm);
  }

  /** Means below 12: count uniform deviates until their product falls below exp(-mean). */
  private smallMean(xm: number): number {
    const cache = this.cache;
    if (xm !== cache[OLD_MEAN]) {
      cache[OLD_MEAN] = xm;
      cache[G] = f32(Math.exp(-xm));
    }
    const g = cache[G];
    let em = -1;
    let t = 1.0;
    do {
      em = f32(em + 1);
      t = f32(t * this.rng.ran1(this.seed));
    } while (t > g);
    return em;
  }

  /** Means from 12 to 1e6: rejection against a Lorentzian (Numerical Recipes' poidev). */
  private rejection(xm: number): number {
    const cache = this.cache;
    if (xm !== cache[OLD_MEAN]) {
      cache[OLD_MEAN] = xm;
      cache[SQ] = f32(Math.sqrt(2.0 * xm));
      cache[ALXM] = f32(Math.log(xm));
      cache[G] = f32(f32(xm * cache[ALXM]) - gammln(xm + 1.0));
    }
    const sq = cache[SQ];
    const alxm = cache[ALXM];
    const g = cache[G];
    let em: number;
    let t: number;
    do {
      let y: number;
      do {
        y = f32(Math.tan(Math.PI * this.rng.ran1(this.seed)));
        em = f32(f32(sq * y) + xm);
      } while (em < 0.0);
      em = f32(Math.floor(em));
      const exponent = f32(f32(f32(em * alxm) - gammln(em + 1.0)) - g);
      t = f32(0.9 * (1.0 + f32(y * y)) * Math.exp(exponent));
    } while (this.rng.ran1(this.seed) > t);
    return em;
  }
}
