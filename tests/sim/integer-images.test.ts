/**
 * The SMV and PGM pixel conversions on values worked out by hand: clipping, the C's rounding through
 * float (floorf(v + 0.5)), NaN, negative values, the mask, the ROI and rows of several widths.
 */

import { describe, expect, it } from "vitest";
import { intImage, pgmImage } from "../../src/sim/integer-images.js";
import type { KernelPlan } from "../../src/sim/kernel.js";

function plan(fpixels: number, spixels: number, extra: Partial<KernelPlan> = {}): KernelPlan {
  return {
    fpixels,
    spixels,
    roiXmin: 0,
    roiXmax: fpixels - 1,
    roiYmin: 0,
    roiYmax: spixels - 1,
    mask: null,
    ...extra,
  } as KernelPlan;
}

// a float just below 2.5: v + 0.5 rounds to the float 3 (floorf gives 3), though in double it is below 3
const BELOW_HALF = Math.fround(2.5 - 2.4e-7);
const NUDGE = 1.5e-7;

describe("SMV image", () => {
  it("scales, offsets, clips and rounds as the C", () => {
    const values = Float32Array.of(Number.NaN, -1, 0, 0.2, 0.3, 1e9, 183.7, -1e9);
    const out = intImage(values, plan(8, 1), 2, 40, false);
    // 183.7 is the float 183.69999695: 2 x that + 40 = 407.3999939, + 0.5 -> 407
    expect([...out]).toEqual([0, 38, 40, 40, 41, 65535, 407, 0]);
  });

  it("rounds the sum v + 0.5 to float before taking the floor", () => {
    expect(Math.floor(BELOW_HALF + NUDGE + 0.5)).toBe(2);
    const out = intImage(Float32Array.of(BELOW_HALF), plan(1, 1), 1, NUDGE, false);
    expect(out[0]).toBe(3);
  });

  it("leaves masked pixels and pixels outside the ROI at 0, or gives masked ones the offset", () => {
    const values = new Float32Array(12).fill(1);
    const mask = Uint16Array.of(1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1);
    const p = plan(4, 3, { mask, roiXmin: 1, roiXmax: 3, roiYmin: 0, roiYmax: 1 });
    expect([...intImage(values, p, 10, 5, false)]).toEqual([0, 0, 15, 15, 0, 15, 15, 15, 0, 0, 0, 0]);
    expect([...intImage(values, p, 10, 5, true)]).toEqual([0, 15, 15, 15, 0, 15, 15, 15, 0, 0, 0, 0]);
  });

  it("converts rows wider than an earlier image's", () => {
    expect([...intImage(Float32Array.of(1, 2), plan(2, 1), 1, 0, false)]).toEqual([1, 2]);
    const wide = Float32Array.from({ length: 3000 }, (_, i) => i);
    const out = intImage(wide, plan(1500, 2), 1, 0, false);
    expect(out[2999]).toBe(2999);
    expect(out[1500]).toBe(1500);
  });
});

describe("PGM image", () => {
  it("scales, clips at 255 and truncates to the low byte", () => {
    const values = Float32Array.of(Number.NaN, -3.7, 0.99, 100, 254.99, 1e9);
    // -3.7 truncates to -3, whose low byte is 253
    expect([...pgmImage(values, plan(6, 1), 1)]).toEqual([0, 253, 0, 100, 254, 255]);
    // beyond 32 bits the low byte is still the integer's: -3000000036 ends in 0xdc
    expect(pgmImage(Float32Array.of(-3e9), plan(1, 1), 1.0000000123)[0]).toBe(0xdc);
  });

  it("leaves pixels outside the ROI at 0", () => {
    const values = new Float32Array(6).fill(2);
    const p = plan(3, 2, { roiXmin: 2, roiXmax: 5, roiYmin: 1, roiYmax: 1 });
    expect([...pgmImage(values, p, 3)]).toEqual([0, 0, 0, 0, 0, 6]);
  });
});

describe("four pixels at a time", () => {
  // every special value at every position of a group of four, and in the last, partial group
  const special = [Number.NaN, -0, -1, 0.2, 0.3, BELOW_HALF, 183.7, 1e9, -1e9, -3e9, 254.99, 65535];
  const values = Float32Array.from(
    { length: 4 * special.length + 3 },
    (_, i) => special[(i * 5) % special.length],
  );
  const p = plan(values.length, 1);

  it("gives each SMV count the C's formula", () => {
    const scale = 1.0000000123;
    const out = intImage(values, p, scale, NUDGE, false);
    values.forEach((v, i) => {
      const c = Math.min(Math.max(v * scale + NUDGE, 0), 65535);
      expect(out[i], `value ${v} at ${i}`).toBe(Number.isNaN(c) ? 0 : Math.floor(Math.fround(c + 0.5)));
    });
  });

  it("gives each PGM byte the C's formula", () => {
    const scale = 1.0000000123;
    const out = pgmImage(values, p, scale);
    values.forEach((v, i) => {
      expect(out[i], `value ${v} at ${i}`).toBe(Math.trunc(Math.min(v * scale, 255)) & 0xff);
    });
  });
});
