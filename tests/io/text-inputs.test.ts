/** The text inputs: HKL lines, matrix numbers, source-file columns. */

import { describe, expect, it } from "vitest";
import { parseHkl } from "../../src/io/hkl.js";
import { parseMatrix } from "../../src/io/matrix.js";
import { parseColumns } from "../../src/io/sourcefile.js";

describe("HKL files", () => {
  it("reads h k l F per line, blank lines aside, negative indices included", () => {
    expect(parseHkl("1 2 3 4.5\n\n  -1 0 -2   100\r\n", "f.hkl", false)).toEqual([
      { h: 1, k: 2, l: 3, F: 4.5 },
      { h: -1, k: 0, l: -2, F: 100 },
    ]);
  });

  it("accepts comments and phase/sigma columns only when lenient", () => {
    const text = "# h k l F phase sigma\n1 0 0 50 30.5 2.0\n";
    expect(parseHkl(text, "f.hkl", true)).toEqual([{ h: 1, k: 0, l: 0, F: 50 }]);
    expect(() => parseHkl(text, "f.hkl", false)).toThrow(
      'f.hkl:1: expected "h k l F", got "# h k l F phase sigma"',
    );
  });

  it("rejects short lines with the line number", () => {
    expect(() => parseHkl("1 0 0 5\n1 1 1\n", "f.hkl", false)).toThrow(
      'f.hkl:2: expected "h k l F", got "1 1 1"',
    );
  });
});

describe("MOSFLM matrix files", () => {
  it("takes the first nine numbers and ignores what follows", () => {
    const text =
      "-0.0284 -0.0031 0.0254\n-0.0287 0.0102 -0.0140\n0.0105 -0.0321 -0.0104\n 1 0 0\n cell 10 20\n";
    expect(parseMatrix(text, "A.mat")).toEqual([
      -0.0284, -0.0031, 0.0254, -0.0287, 0.0102, -0.014, 0.0105, -0.0321, -0.0104,
    ]);
  });
});

describe("source files", () => {
  it("splits on the C's delimiters and leaves missing columns NaN", () => {
    const rows = parseColumns("-10,0;0 1\n\n-10\t0:0!0.5 1e-10\n", "s.txt", 5);
    expect(rows[0].slice(0, 4)).toEqual([-10, 0, 0, 1]);
    expect(rows[0][4]).toBeNaN();
    expect(rows[1]).toEqual([-10, 0, 0, 0.5, 1e-10]);
  });
});
