/**
 * Values the engine cannot use are refused before any work starts, exit 2, one line naming the flag,
 * why, and what it got (each crash a user met before: a RangeError, an allocation failure, a BigInt
 * conversion of Infinity), with no output file written. Values the C takes and makes a meaningful
 * image from stay the C's (a negative distance, -N 0): their images are held to the C's elsewhere.
 */

import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { nanoBragg, scratchDir } from "../support/run.js";

const BASE = [
  "-cell",
  "100",
  "100",
  "100",
  "90",
  "90",
  "90",
  "-default_F",
  "1",
  "-detpixels",
  "32",
  "-nonoise",
  "-nopgm",
];
let dir: string;

beforeAll(() => {
  dir = scratchDir("nb-unusable-");
  writeFileSync(join(dir, "huge.hkl"), "1 2 3 100\n99999999999 0 0 5\n");
  writeFileSync(join(dir, "binary.hkl"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff, 0xfe]));
  writeFileSync(join(dir, "binary.mat"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
  writeFileSync(join(dir, "empty.hkl"), "");
});

const CASES: Array<[string, string[], string]> = [
  [
    "a negative detector size",
    ["-detpixels", "-5"],
    "-detpixels: the detector must have at least one pixel each way (it would be -5x-5) (got -5)",
  ],
  [
    "a zero wavelength",
    ["-lambda", "0"],
    "-lambda: the wavelength must be finite and not 0 (the physics divides by it) (got 0)",
  ],
  [
    "a zero photon energy",
    ["-energy", "0"],
    "-energy: the wavelength must be finite and not 0 (the physics divides by it) (got 0)",
  ],
  [
    "a zero pixel",
    ["-pixel", "0"],
    "-pixel: the pixel size must be finite and not 0 (the detector is sized by it) (got 0)",
  ],
  [
    "a zero distance",
    ["-distance", "0"],
    "-distance: the distance must be finite and not 0 (the solid angle divides by it) (got 0)",
  ],
  [
    "an infinite distance",
    ["-distance", "1e400"],
    "-distance: the distance must be finite and not 0 (the solid angle divides by it) (got 1e400)",
  ],
  [
    "a curved detector at distance 0",
    ["-curved_det", "-distance", "0"],
    "-distance: the distance must be finite and not 0 (the solid angle divides by it) (got 0)",
  ],
  [
    "a zero close distance",
    ["-close_distance", "0"],
    "-close_distance: the distance must be finite and not 0 (the solid angle divides by it) (got 0)",
  ],
  [
    "a beam of no direction",
    ["-beam_vector", "0", "0", "0"],
    "-beam_vector: an axis needs a direction: this vector has length 0 (got 0 0 0)",
  ],
  [
    "a spindle of no direction",
    ["-spindle_axis", "0", "0", "0"],
    "-spindle_axis: an axis needs a direction: this vector has length 0 (got 0 0 0)",
  ],
  [
    "a detector axis of no direction",
    ["-fdet_vector", "0", "0", "0"],
    "-fdet_vector: an axis needs a direction: this vector has length 0 (got 0 0 0)",
  ],
  [
    "an infinite angle",
    ["-phi", "1e400"],
    "-phi: the number is not finite (too large for a double) (got 1e400)",
  ],
  [
    "a detector beyond any array",
    ["-detpixels", "300000"],
    "-detpixels: a 300000x300000 detector would take 9.00e+10 elements in one array (1.64 TiB), more than the 4294967295 an array can hold (got 300000)",
  ],
  [
    "mosaic domains beyond any array",
    ["-mosaic", "1", "-mosaic_dom", "1000000000000"],
    "-mosaic_dom: 1000000000000 mosaic domains would take 1.00e+12 elements in one array (65.5 TiB), more than the 4294967295 an array can hold (got 1000000000000)",
  ],
  [
    "more paths than can be counted",
    ["-oversample", "100000000"],
    "-oversample: the render would follow 1.02e+19 paths, more than can be counted exactly (2^53) (got 100000000)",
  ],
  [
    "an automatic oversampling beyond any count",
    ["-pixel", "1e19"],
    "-oversample: the automatic oversampling, 30000000000000004000 subpixels a side, makes the render follow 9.22e+41 paths, more than can be counted exactly (2^53); give -oversample N (got none)",
  ],
  [
    "a Miller index out of any range",
    ["-hkl", "huge.hkl"],
    "huge.hkl: Miller indices out of any usable range (h 1..99999999999, k 0..2, l 0..3): their grid would take 2.00e+12 elements in one array (14.6 TiB), more than the 4294967295 an array can hold",
  ],
  ["a binary file given as text", ["-hkl", "binary.hkl"], "-hkl binary.hkl: a binary file, not text"],
  ["a binary matrix file", ["-mat", "binary.mat"], "-mat binary.mat: a binary file, not text"],
  ["an empty HKL file", ["-hkl", "empty.hkl"], 'empty.hkl: no reflections (expected lines of "h k l F")'],
];

describe("values the engine cannot use", () => {
  it.each(CASES)("%s", (_name, extra, message) => {
    const before = readdirSync(dir).sort();
    const r = nanoBragg([...BASE, ...extra, "-floatfile", "float.bin"], dir);
    expect(r.stderr).toBe(`nanoBragg: error: ${message}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(join(dir, "float.bin"))).toBe(false);
  });

  // a 60000x60000 detector takes 67.2 GiB: more than this machine has, or it would run
  it.runIf(totalmem() < 67.2 * 2 ** 30)(
    "a detector larger than this machine's memory names both sizes",
    () => {
      const r = nanoBragg([...BASE, "-detpixels", "60000"], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^nanoBragg: error: -detpixels: a 60000x60000 detector would take about 67\.2 GiB, more than this machine's [\d.]+ GiB of memory \(got 60000\)\n$/,
      );
    },
  );
});
