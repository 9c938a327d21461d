/** Fdump.bin: the C's layout byte for byte, and a round trip through the reader. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeFdump, encodeFdump } from "../../src/io/fdump.js";
import { readHkl } from "../../src/io/hkl.js";
import { gridFromReflections } from "../../src/sim/structure-factors.js";
import { REFERENCE_DIR } from "../support/paths.js";

describe("Fdump.bin", () => {
  it("has the C's layout: header, then the grid with one zero slot at the end of each axis", () => {
    // three reflections along h: header "-1 1 0 0 0 0\n\f" (14 bytes) then 4*2*2 doubles = 142 bytes
    const grid = gridFromReflections(
      [
        { h: -1, k: 0, l: 0, F: 10 },
        { h: 0, k: 0, l: 0, F: 20 },
        { h: 1, k: 0, l: 0, F: 30 },
      ],
      0,
      "test",
    );
    const bytes = encodeFdump(grid);
    expect(bytes.length).toBe(142);
    expect(bytes.subarray(0, 14).toString("latin1")).toBe("-1 1 0 0 0 0\n\f");
    const values = Array.from({ length: 16 }, (_, i) => bytes.readDoubleLE(14 + 8 * i));
    // slabs h = -1, 0, 1, pad; each k = 0, pad; each l = 0, pad
    expect(values).toEqual([10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("prefills the index ranges (not the padding) with default_F", () => {
    const grid = gridFromReflections(
      [
        { h: 0, k: 0, l: 0, F: 5 },
        { h: 1, k: 1, l: 0, F: 6 },
      ],
      7,
      "test",
    );
    const values = Array.from(decodeFdump(encodeFdump(grid), "test").values);
    // (h,k,l) layout 3x3x2: h in 0..1 (+pad), k in 0..1 (+pad), l = 0 (+pad)
    expect(values).toEqual([5, 0, 7, 0, 0, 0, 7, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("reads back what it writes", () => {
    const grid = gridFromReflections([{ h: -2, k: 3, l: 1, F: 12.5 }], 0, "test");
    const back = decodeFdump(encodeFdump(grid), "test");
    expect([back.hMin, back.hMax, back.kMin, back.kMax, back.lMin, back.lMax]).toEqual([-2, -2, 3, 3, 1, 1]);
    expect(back.count).toBe(1);
    expect(Array.from(back.values)).toEqual(Array.from(grid.values));
  });

  it(`is byte-identical to the C's for a real HKL file`, () => {
    const grid = gridFromReflections(
      readHkl(join(REFERENCE_DIR, "data/synthetic_cubic.hkl"), false),
      0,
      "hkl",
    );
    const reference = gunzipSync(readFileSync(join(REFERENCE_DIR, "cases/hkl_synthetic_cubic/Fdump.bin.gz")));
    expect(encodeFdump(grid).equals(reference)).toBe(true);
  });
});
