/**
 * Photon-counting noise: the C's Poisson and Gaussian deviates (noise.as.ts), drawn from a
 * RandomSource's generator on one seed stream, a row of the noise image at a time.
 */

import type { NoiseModule, RandomSource, SeedStream } from "./rng.js";
import { noiseModule } from "./rng.js";
import { type RowBuffers, rowBuffers } from "./wasm-memory.js";

let standalone: NoiseModule | null = null;

/** ln Gamma(xx) (Lanczos, as Numerical Recipes' gammln), float32 result. */
export function gammln(xx: number): number {
  standalone ??= noiseModule();
  return standalone.gammln(xx);
}

export class PhotonNoise {
  private readonly module: NoiseModule;

  constructor(
    rng: RandomSource,
    private readonly seed: SeedStream,
  ) {
    this.module = rng.module;
  }

  /** Gaussian deviate, zero mean and unit variance (polar Box-Muller, one spare kept). */
  gaussian(): number {
    const v = this.module.gaussian(this.seed.value);
    this.seed.value = this.module.seedAfter();
    return v;
  }

  /** Poisson deviate of mean `mean` (a float32 pixel value), as float32. */
  poisson(mean: number): number {
    const v = this.module.poisson(mean, this.seed.value);
    this.seed.value = this.module.seedAfter();
    return v;
  }

  /** Pixels clipped at 65535 so far. */
  get overloads(): number {
    return this.module.overloadCount();
  }

  /** Buffers in the module's memory for rows of up to `length` pixels: means, mask, photons. */
  rowBuffers(length: number): RowBuffers {
    return rowBuffers(this.module.memory, this.module.heapBase(), length);
  }

  /**
   * Noise of the first `count` pixels of `buffers` (the means, and the mask when `masked`): Poisson photons
   * plus `adc`, clipped at 65535, into `buffers.out`. Returns the photons drawn.
   */
  row(buffers: RowBuffers, count: number, masked: boolean, adc: number): number {
    const m = this.module;
    const photons = m.noiseRow(
      buffers.values.byteOffset,
      masked ? buffers.mask.byteOffset : 0,
      buffers.out.byteOffset,
      count,
      adc,
      this.seed.value,
    );
    this.seed.value = m.seedAfter();
    return photons;
  }
}
