/** -printout_pixel and -printout: the C's per-pixel dump, consistent with the image and the trace. */

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseTrace } from "../../src/audit/trace-lines.js";
import { nanoBragg, readFloat, scratchDir } from "../support/run.js";

const ARGS = [
  "-default_F",
  "100",
  "-cell",
  "100",
  "100",
  "100",
  "90",
  "90",
  "90",
  "-lambda",
  "6.2",
  "-N",
  "3",
  "-detpixels",
  "16",
];
let dir: string;

beforeAll(() => {
  dir = scratchDir("nb-printout-");
});

describe("-printout", () => {
  it("-printout_pixel f s prints that pixel's last values and its stored value", () => {
    const r = nanoBragg(
      [...ARGS, "-printout_pixel", "5", "7", "-trace_pixel", "7", "5", "-floatfile", "p.bin"],
      dir,
    );
    expect(r.code).toBe(0);
    const image = readFloat(join(dir, "p.bin"));
    const block = r.stdout.slice(r.stdout.indexOf("   5    7 : stol ="));
    const pixel = Number(/pixel +(\S+)/.exec(block)?.[1]);
    expect(pixel).toBeCloseTo(image[7 * 16 + 5], 6);
    const trace = parseTrace(r.stdout);
    const fLatt = trace.filter((e) => e.key === "F_latt").at(-1)?.values[0] as number;
    expect(Number(/F_latt=(\S+)/.exec(block)?.[1])).toBeCloseTo(fLatt, 3);
    const position = trace.filter((e) => e.key === "pixel_pos_meters").at(-1)?.values as number[];
    expect(/at (\S+) (\S+) (\S+)/.exec(block)?.slice(1).map(Number)).toEqual(
      position.map((v) => Number(v.toPrecision(6))),
    );
  });

  it("-printout alone prints every pixel in the C's order", () => {
    const r = nanoBragg([...ARGS, "-printout", "-floatfile", "all.bin"], dir);
    expect(r.code).toBe(0);
    const heads = [...r.stdout.matchAll(/^ *(\d+) +(\d+) : stol =/gm)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(heads.length).toBe(256);
    expect(heads[0]).toEqual([0, 0]);
    expect(heads[17]).toEqual([1, 1]);
  });
});
