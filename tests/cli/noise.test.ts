/** The noise image: reproducible by seed, different for another seed, photons and overloads reported. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeSmv } from "../../src/io/smv.js";
import { CUBIC_CRYSTAL } from "../support/crystals.js";
import { nanoBragg, readFloat, scratchDir } from "../support/run.js";

const ARGS = [...CUBIC_CRYSTAL, "-detpixels", "48"];
let dir: string;

beforeAll(() => {
  dir = scratchDir("nb-noise-");
});

function noisy(seed: string, name: string, extra: string[] = []) {
  const r = nanoBragg(
    [
      ...ARGS,
      "-seed",
      seed,
      "-noisefile",
      name,
      "-floatfile",
      `${name}.bin`,
      "-nopgm",
      "-intfile",
      `${name}.int`,
      ...extra,
    ],
    dir,
  );
  expect(r.code, r.stderr).toBe(0);
  const photons = /^(\d+) photons on noise image \((\d+) overloads\)$/m.exec(r.stdout);
  expect(photons).not.toBeNull();
  return {
    data: decodeSmv(readFileSync(join(dir, name)), name).data,
    float: readFloat(join(dir, `${name}.bin`)),
    photons: Number(photons?.[1]),
    overloads: Number(photons?.[2]),
  };
}

describe("noise image", () => {
  it("is the same for the same seed and differs for another", () => {
    const a = noisy("7", "a.img");
    const b = noisy("7", "b.img");
    const c = noisy("8", "c.img");
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(a.photons).toBe(b.photons);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(c.data.buffer))).toBe(false);
  });

  it("counts photons as the sum of the pixels less the ADC offset, and clips overloads", () => {
    const a = noisy("7", "d.img", ["-adc", "10"]);
    const sum = a.data.reduce((s, v) => s + v - 10, 0);
    expect(a.photons).toBe(sum);
    // Poisson photons track the float image: the totals agree to a few standard deviations
    const expected = a.float.reduce((s, v) => s + v, 0);
    expect(Math.abs(a.photons - expected)).toBeLessThan(5 * Math.sqrt(expected) + 5);
    const bright = noisy("7", "e.img", ["-fluence", "1e33"]);
    expect(bright.overloads).toBeGreaterThan(0);
    expect(bright.overloads).toBe(bright.data.filter((v) => v === 65535).length);
  });
});
