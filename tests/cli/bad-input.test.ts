/**
 * Every way a user can give bad input gets a one-line message naming the flag or the file (and the
 * line, for text files) and a non-zero exit; unknown flags are reported; -h prints the usage.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { nanoBragg, scratchDir } from "../support/run.js";

const CRYSTAL = ["-cell", "100", "100", "100", "90", "90", "90", "-default_F", "100", "-detpixels", "8"];
let dir: string;

beforeAll(() => {
  dir = scratchDir("nb-bad-input-");
  writeFileSync(join(dir, "good.hkl"), "0 0 0 100\n1 0 0 50\n");
  writeFileSync(join(dir, "bad.hkl"), "0 0 0 100\n1 0 0 50\n1 1 0 sixty\n");
  writeFileSync(join(dir, "five.hkl"), "0 0 0 100 0.0\n");
  writeFileSync(join(dir, "comment.hkl"), "# h k l F\n0 0 0 100\n");
  writeFileSync(join(dir, "fractional.hkl"), "0 0.5 0 100\n");
  writeFileSync(join(dir, "short.mat"), "0.01 0 0\n0 0.01 0\n");
  writeFileSync(join(dir, "word.mat"), "0.01 0 0\n0 abc 0\n0 0 0.01\n");
  writeFileSync(join(dir, "bad.src"), "-10 0 0 1 1e-10\n-10 0.1 zero 1 1e-10\n");
  writeFileSync(join(dir, "empty.src"), "\n\n");
  mkdirSync(join(dir, "folder.hkl"));
});

function expectError(args: string[], message: string, code = 2, cwd?: string) {
  const r = nanoBragg(args, cwd ?? dir);
  expect(r.stderr.trim()).toBe(`nanoBragg: error: ${message}`);
  expect(r.code).toBe(code);
}

describe("bad input", () => {
  it("a missing file", () => {
    expectError([...CRYSTAL, "-hkl", "nothing.hkl"], "-hkl nothing.hkl: no such file");
    expectError(["-mat", "nothing.mat", "-default_F", "1"], "-mat nothing.mat: no such file");
    expectError([...CRYSTAL, "-sourcefile", "nothing.src"], "-sourcefile nothing.src: no such file");
  });

  it("an unreadable file", () => {
    expectError([...CRYSTAL, "-hkl", "folder.hkl"], "-hkl folder.hkl: is a directory");
  });

  it("a non-numeric value", () => {
    expectError([...CRYSTAL, "-distance", "abc"], '-distance: expected a number, got "abc"');
    expectError([...CRYSTAL, "-N", "five"], '-N: expected an integer, got "five"');
    expectError([...CRYSTAL, "-distance", "12abc"], '-distance: expected a number, got "12abc"');
  });

  it("too few values", () => {
    expectError(["-default_F", "100", "-cell", "100", "100"], "-cell: expected 6 values, got 2");
    expectError(
      ["-default_F", "100", "-cell", "100", "100", "-lambda", "1"],
      '-cell: expected 6 values, got 2 before "-lambda"',
    );
    expectError([...CRYSTAL, "-roi", "0", "4", "0"], "-roi: expected 4 values, got 3");
    expectError([...CRYSTAL, "-distance"], "-distance: expected 1 value, got 0");
  });

  it("an HKL line that is not h k l F", () => {
    expectError([...CRYSTAL, "-hkl", "bad.hkl"], 'bad.hkl:3: expected "h k l F", got "1 1 0 sixty"');
    expectError([...CRYSTAL, "-hkl", "five.hkl"], 'five.hkl:1: expected "h k l F", got "0 0 0 100 0.0"');
    expectError([...CRYSTAL, "-hkl", "comment.hkl"], 'comment.hkl:1: expected "h k l F", got "# h k l F"');
    expectError(
      [...CRYSTAL, "-hkl", "fractional.hkl"],
      'fractional.hkl:1: Miller indices must be integers, got "0 0.5 0 100"',
    );
  });

  it("a matrix file with fewer than 9 numbers, or a word among them", () => {
    expectError(
      ["-mat", "short.mat", "-default_F", "1"],
      "short.mat: expected 9 numbers (a 3x3 orientation matrix), found 6",
    );
    expectError(["-mat", "word.mat", "-default_F", "1"], 'word.mat:2: expected a number, got "abc"');
  });

  it("a source file with a word, or without sources", () => {
    expectError([...CRYSTAL, "-sourcefile", "bad.src"], 'bad.src:2: expected a number, got "zero"');
    expectError([...CRYSTAL, "-sourcefile", "empty.src"], "-sourcefile empty.src: no sources in file");
  });

  it("no structure factors at all: the usage and status 9, as the C", () => {
    const r = nanoBragg(["-cell", "100", "100", "100", "90", "90", "90", "-detpixels", "8"], dir);
    expect(r.code).toBe(9);
    expect(r.stdout).toContain("usage: nanoBragg");
    expect(r.stderr.trim()).toBe(
      "nanoBragg: error: no structure factors: give -hkl FILE or -default_F F (or run where Fdump.bin exists)",
    );
  });

  it("no crystal: the usage and status 9", () => {
    const r = nanoBragg(["-default_F", "100", "-detpixels", "8"], dir);
    expect(r.code).toBe(9);
    expect(r.stdout).toContain("usage: nanoBragg");
    expect(r.stderr.trim()).toBe(
      "nanoBragg: error: no crystal: give -cell a b c alpha beta gamma or -mat FILE",
    );
  });

  it("an unknown flag is a warning, and the run goes on", () => {
    const r = nanoBragg([...CRYSTAL, "-floatfile", "unknown.bin", "-frobnicate", "-nonoise"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("nanoBragg: warning: unknown flag -frobnicate ignored");
    expect(r.stdout).toContain("writing unknown.bin");
  });

  it("a stray argument is a warning", () => {
    const r = nanoBragg([...CRYSTAL, "-floatfile", "stray.bin", "oops"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nanoBragg: warning: ignoring stray argument "oops"');
  });

  it("an output file that cannot be written", () => {
    expectError(
      [...CRYSTAL, "-floatfile", "nowhere/float.bin", "-nonoise"],
      "-floatfile nowhere/float.bin: no such file",
    );
    expectError([...CRYSTAL, "-intfile", "folder.hkl", "-nonoise"], "-intfile folder.hkl: is a directory");
    expectError(
      [...CRYSTAL, "-noisefile", "nowhere/noise.img"],
      "-noisefile nowhere/noise.img: no such file",
    );
    expectError(
      [...CRYSTAL, "-pgmfile", "nowhere/image.pgm", "-nonoise"],
      "-pgmfile nowhere/image.pgm: no such file",
    );
  });

  it("options of this port are checked too", () => {
    expectError([...CRYSTAL, "-profile", "fortran"], '-profile: expected "c" or "spec", got "fortran"');
    expectError([...CRYSTAL, "-workers", "0"], '-workers: expected a positive integer, got "0"');
    expectError([...CRYSTAL, "-pivot", "detector"], '-pivot: expected "beam" or "sample", got "detector"');
  });

  it("a damaged Fdump.bin", () => {
    const work = join(dir, "fdump");
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, "Fdump.bin"), "0 1 0 0 0 0\n\f\u0001\u0002");
    expectError(
      ["-cell", "100", "100", "100", "90", "90", "90", "-detpixels", "8"],
      "Fdump.bin: truncated (2 data bytes, expected 96)",
      2,
      work,
    );
  });

  it("-h and --help print the usage and exit 0", () => {
    for (const flag of ["-h", "--help"]) {
      const r = nanoBragg([flag], dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("usage: nanoBragg");
      for (const option of [
        "-hkl",
        "-mat",
        "-cell",
        "-pixel",
        "-detpixels",
        "-distance",
        "-lambda",
        "-floatfile",
        "-roi",
        "-profile",
      ]) {
        expect(r.stdout).toContain(`\t${option}`);
      }
    }
  });

  it("a well-formed run of the same inputs succeeds", () => {
    const r = nanoBragg([...CRYSTAL, "-hkl", "good.hkl", "-floatfile", "good.bin"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
