/**
 * One test per row of docs/profiles.md: -profile c does what the C program does, -profile spec what
 * the specification says, and nothing else differs.
 */

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseTrace, type TraceEntry } from "../../src/audit/trace-lines.js";
import { decodeSmv } from "../../src/io/smv.js";
import { CUBIC_CRYSTAL } from "../support/crystals.js";
import { type CliResult, nanoBragg, scratchDir } from "../support/run.js";
import { writeTestSmv } from "../support/smv-files.js";

const CELL = ["-cell", "100", "100", "100", "90", "90", "90", "-default_F", "100", "-lambda", "1", "-N", "5"];
let dir: string;
let runs = 0;

beforeAll(() => {
  dir = scratchDir("nb-profiles-");
  writeFileSync(join(dir, "one.hkl"), "0 0 0 50\n");
  writeFileSync(join(dir, "plain.hkl"), "0 0 0 100\n1 0 0 50\n0 1 0 60\n");
  writeFileSync(
    join(dir, "annotated.hkl"),
    "# h k l F phase\n0 0 0 100 0.0\n1 0 0 50 30.5\n0 1 0 60 -45.2\n",
  );
  writeFileSync(join(dir, "sources.txt"), "-10 0 0 1 2e-10\n");
  const block = new Uint16Array(64).fill(1);
  block[3 * 8 + 3] = 0;
  writeTestSmv(join(dir, "mask.img"), 8, 8, "PIXEL_SIZE=0.1;\nDISTANCE=50;\n", block);
  writeTestSmv(join(dir, "img.img"), 8, 8, "PIXEL_SIZE=0.1;\nDISTANCE=200;\n");
  writeTestSmv(join(dir, "trap.img"), 8, 8, "PIXEL_SIZE=0.1;\nDISTANCE=100;\nOLD_PIXEL_SIZE=0.2;\n");
  writeTestSmv(join(dir, "tilted.img"), 8, 8, "PIXEL_SIZE=0.1;\nDISTANCE=100;\nTWOTHETA=10;\n");
});

function run(profile: "c" | "spec", args: string[]): CliResult & { image: Float32Array } {
  const file = `out${runs++}.bin`;
  const r = nanoBragg(["-profile", profile, ...args, "-floatfile", file], dir);
  expect(r.code, r.stderr).toBe(0);
  const bytes = readFileSync(join(dir, file));
  return { ...r, image: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) };
}

function entry(trace: TraceEntry[], key: string, occurrence = 0): number[] {
  const found = trace.filter((e) => e.key === key)[occurrence];
  if (!found) throw new Error(`no ${key} in trace`);
  return found.values;
}

function traced(profile: "c" | "spec", args: string[], slow: number, fast: number): TraceEntry[] {
  return parseTrace(run(profile, [...args, "-trace_pixel", String(slow), String(fast)]).stdout);
}

const deg = Math.PI / 180;

describe("profile differences", () => {
  it("1: the phi = 0 step reuses the previous step's rotation (c) or is unrotated (spec)", () => {
    const args = [
      ...CELL,
      "-detpixels",
      "8",
      "-phi",
      "0",
      "-osc",
      "10",
      "-phisteps",
      "2",
      "-oversample",
      "1",
    ];
    const c = entry(traced("c", args, 4, 4), "rot_a_angstroms");
    expect(c[0]).toBeCloseTo(100 * Math.cos(5 * deg), 9);
    expect(c[1]).toBeCloseTo(100 * Math.sin(5 * deg), 9);
    const spec = entry(traced("spec", args, 4, 4), "rot_a_angstroms");
    expect(spec[0]).toBeCloseTo(100, 12);
    expect(spec[1]).toBeCloseTo(0, 12);
    // the very first path of a single-threaded C run has no previous rotation yet
    const first = entry(traced("c", args, 0, 0), "rot_a_angstroms");
    expect(first[0]).toBeCloseTo(100, 12);
  });

  it("2: -pix0_vector_mm is ignored (c) or is the detector origin in mm (spec)", () => {
    const args = [...CELL, "-detpixels", "8", "-pix0_vector_mm", "100", "1", "-2"];
    const c = run("c", [...args, "-trace_pixel", "0", "0"]);
    expect(entry(parseTrace(c.stdout), "pix0_vector_meters")).toEqual([0.1, 0.0004, -0.0004]);
    expect(c.stderr).toContain("nanoBragg: warning: -pix0_vector values are ignored (as in the C)");
    const spec = entry(traced("spec", args, 0, 0), "pix0_vector_meters");
    expect(spec).toEqual([0.1, 0.001, -0.002]);
  });

  it("3: -twotheta_axis also sets two-theta (c) or only the axis (spec)", () => {
    const args = [...CELL, "-detpixels", "8", "-twotheta_axis", "1", "0", "0"];
    const c = run("c", [...args, "-trace_pixel", "0", "0"]);
    const f = entry(parseTrace(c.stdout), "fdet_vec");
    expect(f[1]).toBeCloseTo(-Math.sin(deg), 12);
    expect(f[2]).toBeCloseTo(Math.cos(deg), 12);
    expect(c.stderr).toContain("-twotheta_axis also sets the detector two-theta to 1 degrees");
    expect(entry(traced("spec", args, 0, 0), "fdet_vec")).toEqual([0, 0, 1]);
  });

  it("4: a named convention forces its pivot (c) or -pivot wins (spec)", () => {
    const args = [...CELL, "-detpixels", "8", "-mosflm", "-pivot", "sample", "-detector_rotx", "10"];
    const c = run("c", args);
    expect(c.stdout).toContain("pivoting detector around direct beam spot");
    expect(c.stderr).toContain("nanoBragg: warning: -pivot sample is overridden by the MOSFLM convention");
    expect(run("spec", args).stdout).toContain("pivoting detector around sample");
  });

  it("5: interpolation leaving the grid falls back to the nearest value (c) or default_F (spec)", () => {
    const args = ["-cell", "100", "100", "100", "90", "90", "90", "-hkl", "one.hkl", "-default_F", "7"];
    const all = [...args, "-lambda", "1", "-N", "5", "-detpixels", "1", "-interpolate"];
    const c = run("c", [...all, "-trace_pixel", "0", "0"]);
    expect(entry(parseTrace(c.stdout), "F_cell")).toEqual([50]);
    expect(c.stdout).toContain("WARNING: out of range for three point interpolation");
    expect(entry(traced("spec", all, 0, 0), "F_cell")).toEqual([7]);
  });

  it("6: sensor layers are thick/(n-1) (c) or thick/n (spec) apart", () => {
    const args = [
      ...CELL,
      "-detpixels",
      "8",
      "-detector_thick",
      "100",
      "-detector_abs",
      "300",
      "-thicksteps",
      "4",
    ];
    expect(run("c", args).stdout).toContain("thick3 = 100 um");
    expect(run("spec", args).stdout).toContain("thick3 = 75 um");
  });

  it("7: the source file's wavelength is used (c) or -lambda is (spec)", () => {
    const args = [...CELL, "-detpixels", "8", "-sourcefile", "sources.txt"];
    expect(entry(traced("c", args, 4, 4), "lambda_meters")).toEqual([2e-10]);
    expect(entry(traced("spec", args, 4, 4), "lambda_meters")).toEqual([1e-10]);
  });

  it("8: -curved_det as the last argument is ignored (c) or honoured (spec)", () => {
    const file = `curved${runs++}.bin`;
    const c = nanoBragg(
      ["-profile", "c", ...CELL, "-detpixels", "8", "-floatfile", file, "-curved_det"],
      dir,
    );
    expect(c.stderr).toContain("-curved_det is ignored when it is the last argument");
    expect(c.stdout).not.toContain("curved detector: all pixels same distance");
    const spec = nanoBragg(
      ["-profile", "spec", ...CELL, "-detpixels", "8", "-floatfile", file, "-curved_det"],
      dir,
    );
    expect(spec.stdout).toContain("curved detector: all pixels same distance");
  });

  it("9: divergence given only as a count steps by 1/n (c) or 1/(n-1) rad (spec)", () => {
    const args = [...CELL, "-detpixels", "8", "-divsteps", "4"];
    expect(run("c", args).stdout).toContain("hdivrange=1 hdivstep=0.25  radians");
    expect(run("spec", args).stdout).toContain("hdivrange=1 hdivstep=0.333333  radians");
  });

  it("10: -oversample_polar recomputes polarization under -nopolar (c) or not (spec)", () => {
    const args = [...CELL, "-detpixels", "64", "-distance", "10", "-nopolar", "-oversample_polar"];
    const c = entry(traced("c", args, 0, 0), "polar")[0];
    expect(c).toBeLessThan(0.999);
    expect(entry(traced("spec", args, 0, 0), "polar")).toEqual([1]);
  });

  it("11: -oversample_thick without a thickness blanks the image (c) or changes nothing (spec)", () => {
    const args = [...CELL, "-detpixels", "16"];
    const c = run("c", [...args, "-oversample_thick"]);
    expect(c.stdout).toContain("max_I = 0 ");
    expect(c.stderr).toContain("nanoBragg: warning: -oversample_thick without a sensor thickness");
    const spec = run("spec", [...args, "-oversample_thick"]);
    expect(Math.max(...spec.image)).toBeGreaterThan(0);
    expect(spec.image).toEqual(run("spec", args).image);
  });

  it("12: attenuation 0 with a thickness blanks the image (c) or means no absorption (spec)", () => {
    const args = [...CELL, "-detpixels", "16"];
    const c = run("c", [...args, "-detector_abs", "0", "-detector_thick", "100"]);
    expect(c.stdout).toContain("max_I = 0 ");
    expect(c.stderr).toContain(
      "nanoBragg: warning: a sensor thickness with attenuation 0 (or inf) captures nothing",
    );
    const spec = run("spec", [...args, "-detector_abs", "0", "-detector_thick", "100"]);
    expect(spec.image).toEqual(run("spec", args).image);
  });

  it("13: HKL comments and extra columns are errors (c) or skipped (spec)", () => {
    const args = [
      "-cell",
      "100",
      "100",
      "100",
      "90",
      "90",
      "90",
      "-lambda",
      "1",
      "-N",
      "5",
      "-detpixels",
      "16",
    ];
    const c = nanoBragg(["-profile", "c", ...args, "-hkl", "annotated.hkl"], dir);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('annotated.hkl:1: expected "h k l F"');
    const annotated = run("spec", [...args, "-hkl", "annotated.hkl"]);
    expect(Math.max(...annotated.image)).toBeGreaterThan(0);
    expect(annotated.image).toEqual(run("spec", [...args, "-hkl", "plain.hkl"]).image);
  });

  it("14: -misset random draws from the clock (c) or from -seed (spec)", () => {
    const args = [...CELL, "-detpixels", "8", "-misset", "random"];
    const angles = (r: CliResult) => /random orientation misset angles: (.*) deg/.exec(r.stdout)?.[1];
    const seeded = angles(run("spec", [...args, "-misset_seed", "5"]));
    expect(seeded).toBeDefined();
    expect(angles(run("spec", [...args, "-seed", "5"]))).toBe(seeded);
    expect(angles(run("c", [...args, "-seed", "5"]))).not.toBe(seeded);
    expect(angles(run("c", [...args, "-misset_seed", "5"]))).toBe(seeded);
  });

  it("15: the four images are written by default (c) or only when named (spec)", () => {
    const work = scratchDir("nb-outputs-");
    const args = [...CELL, "-detpixels", "8", "-seed", "1"];
    expect(nanoBragg(["-profile", "c", ...args], work).code).toBe(0);
    expect(readdirSync(work).sort()).toEqual([
      "floatimage.bin",
      "image.pgm",
      "intimage.img",
      "noiseimage.img",
    ]);
    const spec = scratchDir("nb-outputs-");
    expect(nanoBragg(["-profile", "spec", ...args, "-intfile", "asked.img"], spec).code).toBe(0);
    expect(readdirSync(spec)).toEqual(["asked.img"]);
  });

  it("16: masked pixels get the ADC offset (c) or stay 0 (spec) in the int image", () => {
    const args = [...CUBIC_CRYSTAL, "-mask", "mask.img"];
    const masked = (profile: "c" | "spec") => {
      const file = `mask-${profile}.img`;
      expect(
        nanoBragg(["-profile", profile, ...args, "-intfile", file, "-floatfile", "m.bin"], dir).code,
      ).toBe(0);
      return decodeSmv(readFileSync(join(dir, file)), file).data[3 * 8 + 3];
    };
    expect(masked("c")).toBe(40);
    expect(masked("spec")).toBe(0);
  });

  it("17: header keys match as substrings (c) or exactly (spec)", () => {
    const args = [...CELL, "-img", "trap.img"];
    expect(run("c", args).stdout).toContain("pixel=0.0002 meters");
    expect(run("spec", args).stdout).toContain("pixel=0.0001 meters");
  });

  it("18: the header's TWOTHETA is ignored (c) or applied (spec)", () => {
    const args = [...CELL, "-img", "tilted.img"];
    expect(run("c", args).stdout).toContain("DIRECTION_OF_DETECTOR_Y-AXIS= 0 -1 0");
    expect(run("spec", args).stdout).not.toContain("DIRECTION_OF_DETECTOR_Y-AXIS= 0 -1 0");
  });

  it("19: the -img header wins over -mask (c) or the later file wins (spec)", () => {
    const args = [...CELL, "-img", "img.img", "-mask", "mask.img"];
    expect(run("c", args).stdout).toContain("  distance=0.2 ");
    expect(run("spec", args).stdout).toContain("  distance=0.05 ");
    expect(run("spec", [...CELL, "-mask", "mask.img", "-img", "img.img"]).stdout).toContain(
      "  distance=0.2 ",
    );
  });
});
