/**
 * Photon-counting noise: the C's Poisson and Gaussian deviates (noise.as.ts), drawn from a
 * RandomSource's generator on one seed stream, a row of the noise image at a time.
 */

import type { NoiseModule, RandomSource, SeedStream } from "./rng.js";
import { noiseModule } from "./rng.js";
import { growTo } from "./wasm-memory.js";

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
  rowBuffers(length: number): NoiseRowBuffers {
    const m = this.module;
    const base = 8 * Math.ceil(m.heapBase() / 8);
    const maskAt = base + 4 * length;
    const outAt = maskAt + 8 * Math.ceil((2 * length) / 8);
    const end = outAt + 2 * length;
    growTo(m.memory, end, `a noise row of ${length} pixels`);
    const buffer = m.memory.buffer;
    return {
      means: new Float32Array(buffer, base, length),
      mask: new Uint16Array(buffer, maskAt, length),
      out: new Uint16Array(buffer, outAt, length),
    };
  }

  /**
   * Noise of the first `count` pixels of `buffers` (means, and mask when `masked`): Poisson photons
   * plus `adc`, clipped at 65535, into `buffers.out`. Returns the photons drawn.
   */
  row(buffers: NoiseRowBuffers, count: number, masked: boolean, adc: number): number {
    const m = this.module;
    const photons = m.noiseRow(
      buffers.means.byteOffset,
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

/** Views of a noise row's buffers in the module's memory. */
export interface NoiseRowBuffers {
  means: Float32Array;
  mask: Uint16Array;
  out: Uint16Array;
}
