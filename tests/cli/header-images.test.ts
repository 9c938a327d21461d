/** -img and -mask: header ingestion with the C's precedence and key matching, masks, bad files. */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeSmv } from "../../src/io/smv.js";
import { CUBIC_CRYSTAL } from "../support/crystals.js";
import { nanoBragg, readFloat, scratchDir } from "../support/run.js";
import { writeTestSmv } from "../support/smv-files.js";

const CRYSTAL = CUBIC_CRYSTAL;
let dir: string;

beforeAll(() => {
  dir = scratchDir("nb-headers-");
  const block = new Uint16Array(16 * 16).fill(1);
  for (let s = 4; s < 8; s++) for (let f = 4; f < 8; f++) block[s * 16 + f] = 0;
  writeTestSmv(
    join(dir, "mask.img"),
    16,
    16,
    "PIXEL_SIZE=0.1;\nDISTANCE=50;\nBEAM_CENTER_X=0.8;\nBEAM_CENTER_Y=0.5;\n",
    block,
  );
  writeTestSmv(join(dir, "img.img"), 16, 16, "PIXEL_SIZE=0.1;\nDISTANCE=200;\nWAVELENGTH=1.5;\n");
  writeTestSmv(join(dir, "trap.img"), 16, 16, "PIXEL_SIZE=0.1;\nDISTANCE=100;\nOLD_PIXEL_SIZE=0.2;\n");
  writeTestSmv(join(dir, "tilted.img"), 16, 16, "PIXEL_SIZE=0.1;\nDISTANCE=100;\nTWOTHETA=10;\n");
  const whole = readFileSync(join(dir, "img.img"));
  writeFileSync(join(dir, "truncated.img"), whole.subarray(0, 600));
  writeFileSync(
    join(dir, "noheaderbytes.img"),
    Buffer.from(whole.toString("latin1").replace("HEADER_BYTES=512", "HEADER_BYTEZ=512"), "latin1"),
  );
});

function run(args: string[]) {
  const r = nanoBragg([...CRYSTAL, ...args], dir);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

describe("-mask", () => {
  it("sets the detector from its header (BEAM_CENTER_Y counted from the far edge) and skips zero pixels", () => {
    const r = run([
      "-mask",
      "mask.img",
      "-floatfile",
      "masked.bin",
      "-intfile",
      "masked.img",
      "-nonoise",
      "-nopgm",
    ]);
    expect(r.stdout).toContain("  distance=0.05 detsize=0.0016x0.0016  pixel=0.0001 meters (16x16 pixels)");
    expect(r.stdout).toContain("  Xbeam=0.0008 Ybeam=0.0011");
    expect(r.stdout).toContain("  skipping zero-flagged pixels in mask.img");
    const image = readFloat(join(dir, "masked.bin"));
    const ints = decodeSmv(readFileSync(join(dir, "masked.img")), "masked.img").data;
    for (let s = 0; s < 16; s++) {
      for (let f = 0; f < 16; f++) {
        const inBlock = s >= 4 && s < 8 && f >= 4 && f < 8;
        expect(image[s * 16 + f] === 0, `pixel ${s},${f}`).toBe(inBlock);
        // the C gives masked pixels the ADC offset in the int image
        if (inBlock) expect(ints[s * 16 + f]).toBe(40);
      }
    }
    // statistics leave masked pixels out of the mean
    const unmasked = Array.from(image).filter(
      (_, i) => !(Math.floor(i / 16) >= 4 && Math.floor(i / 16) < 8 && i % 16 >= 4 && i % 16 < 8),
    );
    const mean = unmasked.reduce((a, b) => a + b, 0) / unmasked.length;
    expect(Number(/mean= (\S+)/.exec(r.stdout)?.[1])).toBeCloseTo(
      mean,
      Math.max(0, 5 - Math.ceil(Math.log10(mean))),
    );
  });

  it("must match the detector size", () => {
    const r = nanoBragg([...CRYSTAL, "-mask", "mask.img", "-detpixels", "32"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "nanoBragg: error: -mask mask.img: the mask is 16x16 pixels but the detector 32x32",
    );
  });
});

describe("-img", () => {
  it("flags given on the command line override its header", () => {
    const r = run([
      "-img",
      "img.img",
      "-distance",
      "80",
      "-nonoise",
      "-nopgm",
      "-floatfile",
      "x.bin",
      "-intfile",
      "x.img",
    ]);
    expect(r.stdout).toContain("  distance=0.08 ");
    expect(r.stdout).toContain("  wave=1e-10 meters");
  });

  it("with -mask, the -img header is read last (the C's fixed order) and wins", () => {
    const r = run([
      "-img",
      "img.img",
      "-mask",
      "mask.img",
      "-nonoise",
      "-nopgm",
      "-floatfile",
      "x.bin",
      "-intfile",
      "x.img",
    ]);
    expect(r.stdout).toContain("  distance=0.2 ");
  });
});

describe("damaged SMV files", () => {
  it("a truncated file", () => {
    const r = nanoBragg([...CRYSTAL, "-img", "truncated.img"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "nanoBragg: error: -img truncated.img: truncated (600 bytes, expected 1024 for 16x16 pixels)",
    );
  });

  it("a header without HEADER_BYTES", () => {
    const r = nanoBragg([...CRYSTAL, "-mask", "noheaderbytes.img"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "nanoBragg: error: -mask noheaderbytes.img: the SMV header has no valid HEADER_BYTES",
    );
  });

  it("a missing file", () => {
    const r = nanoBragg([...CRYSTAL, "-img", "nothing.img"], dir);
    expect(r.stderr.trim()).toBe("nanoBragg: error: -img nothing.img: no such file");
    expect(r.code).toBe(2);
  });
});
