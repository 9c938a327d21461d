/** The C's generator: the minimal standard recurrence, its uniform output, the noise deviates. */

import { describe, expect, it } from "vitest";
import { NoiseImage } from "../../src/sim/integer-images.js";
import type { KernelPlan } from "../../src/sim/kernel.js";
import { gammln, PhotonNoise } from "../../src/sim/noise.js";
import { RandomSource } from "../../src/sim/rng.js";

const IA = 16807n;
const IM = 2147483647n;

describe("ran1", () => {
  it("advances the state as IA * state mod IM, whatever the state (multiples of IQ included)", () => {
    // after the 40-step warm-up from seed -1 the state is 16807^40 mod IM; draw on from there
    const rng = new RandomSource();
    const seed = { value: -1 };
    rng.ran1(seed);
    let expected = 1n;
    for (let i = 0; i < 41; i++) expected = (expected * IA) % IM;
    expect(BigInt(seed.value)).toBe(expected);
    for (let i = 0; i < 20000; i++) {
      rng.ran1(seed);
      expected = (expected * IA) % IM;
      expect(BigInt(seed.value)).toBe(expected);
    }
    for (const state of [127773, 2 * 127773, 16807 * 127773, 2147483646, 1]) {
      const s = { value: state };
      rng.ran1(s);
      expect(BigInt(s.value)).toBe((BigInt(state) * IA) % IM);
    }
  });

  it("gives float32 deviates in (0, 1) with mean 1/2", () => {
    const rng = new RandomSource();
    const seed = { value: -12345 };
    let sum = 0;
    for (let i = 0; i < 100000; i++) {
      const u = rng.ran1(seed);
      expect(u > 0 && u < 1 && Math.fround(u) === u).toBe(true);
      sum += u;
    }
    expect(sum / 100000).toBeCloseTo(0.5, 2);
  });
});

describe("noise deviates", () => {
  it("gammln is ln Gamma", () => {
    expect(gammln(5)).toBeCloseTo(Math.log(24), 5);
    expect(gammln(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 5);
  });

  it.each([0.5, 5, 40, 3000, 2e6])("Poisson deviates of mean %s have that mean and variance", (mean) => {
    const noise = new PhotonNoise(new RandomSource(), { value: -7 });
    const n = 20000;
    let sum = 0;
    let sumsq = 0;
    for (let i = 0; i < n; i++) {
      const k = noise.poisson(mean);
      sum += k;
      sumsq += k * k;
    }
    const m = sum / n;
    const variance = sumsq / n - m * m;
    expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(mean / n) + 1e-9);
    expect(Math.abs(variance / mean - 1)).toBeLessThan(0.06);
  });
});

describe("noise image rows", () => {
  it("draw, row by row, the photons of the per-pixel deviates: ROI, mask, ADC offset and clipping", () => {
    const fpixels = 7;
    const spixels = 3;
    const mask = new Uint16Array(fpixels * spixels).fill(1);
    mask[1 * fpixels + 3] = 0;
    const plan = { fpixels, spixels, roiXmin: 1, roiXmax: 5, roiYmin: 0, roiYmax: 2, mask } as KernelPlan;
    const means = Float32Array.from({ length: fpixels * spixels }, (_, i) => [0.3, 4, 30, 2e4, 7e4][i % 5]);
    const image = new NoiseImage(plan, new PhotonNoise(new RandomSource(), { value: -11 }), 40, false);
    for (let s = 0; s < spixels; s++) image.addRow(means, s);

    const reference = new PhotonNoise(new RandomSource(), { value: -11 });
    const expected = new Uint16Array(fpixels * spixels);
    let photons = 0;
    let overloads = 0;
    for (let s = 0; s < spixels; s++) {
      for (let f = 1; f <= 5; f++) {
        const index = s * fpixels + f;
        if (mask[index] === 0) continue;
        const k = reference.poisson(means[index]);
        photons += k;
        if (k + 40 > 65535) overloads++;
        expected[index] = Math.min(65535, k + 40);
      }
    }
    expect(Array.from(image.data)).toEqual(Array.from(expected));
    expect(image.photons).toBe(photons);
    expect(image.overloads).toBe(overloads);
    expect(overloads).toBeGreaterThan(0);
    expect(image.data[1 * fpixels + 3]).toBe(0);
    expect(image.data[0]).toBe(0);
  });
});
