/** The C's generator: the minimal standard recurrence, its uniform output, the noise deviates. */

import { describe, expect, it } from "vitest";
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
