/**
 * Every case of the C reference corpus, run by the TS engine in a copy of its folder:
 * - the float image is the C's bit for bit: its sha256 is the one the manifest records for the C's
 *   float.bin (the parity table also prints max |I_ts - I_c| / max |I_c| and the sum ratio);
 * - the traced pixel: every TRACE_TS value equals the C's TRACE_C value to 1e-9 relative (1e-12
 *   absolute near zero), key by key, in the same order; the detector set-up lines (`key=value`) are
 *   the C's, character for character;
 * - tracing does not change the image, and 1, 2 or 3 threads give the same bits;
 * - the SMV int and noise images, the PGM and Fdump.bin are byte-identical to the C's (where the C's
 *   SMV header outgrows 512 bytes, ours declares HEADER_BYTES=1024 and the pixels are the C's);
 * - the console summary equals the C's stdout line for line (but for the C's progress,
 *   instrumentation and memory-address lines).
 * Prints the parity table (case, error, sum ratio, bitwise-identical fraction).
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareImages, type ImageParity } from "../../src/audit/image-compare.js";
import { parseTrace } from "../../src/audit/trace-lines.js";
import { REFERENCE_DIR, type ReferenceCase, referenceCases } from "../support/paths.js";
import { caseFolder, nanoBragg, readFloat, referenceFloat, referenceText } from "../support/run.js";
import { setupLines } from "../support/setup-lines.js";

interface CaseRun {
  dir: string;
  parity: ImageParity;
  images: Record<string, Float32Array>;
  traceText: string;
  stdout: string;
  stderr: string;
  failures: string[];
}

/**
 * C lines the engine cannot print: the instrumented build's own (TRACE_C, DETECTOR_ and TRACE:
 * lines, which upstream's nanoBragg does not print), an -img/-mask file's memory address, progress.
 */
const NOT_COMPARED = /^(TRACE|DETECTOR_|mmap\(.*\) = 0x[0-9a-f]+$|.*% done$)/;

function summaryLines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "" && !NOT_COMPARED.test(line));
}

const cases = referenceCases();
const runs = new Map<string, CaseRun>();

function runCase(c: ReferenceCase): CaseRun {
  const dir = caseFolder(c);
  const failures: string[] = [];
  const images: Record<string, Float32Array> = {};
  const [slow, fast] = c.trace.pixel_s_f;
  const variants: Record<string, string[]> = {
    "1 thread": [...c.argv_output_flags, "-workers", "1"],
    // the C's outputs under other names: files written by a worker, its SMV counts made there
    "2 threads": [
      ...c.argv_output_flags.map((a, i, all) => (i > 0 && all[i - 1].endsWith("file") ? `2t-${a}` : a)),
      ...["-workers", "2"],
    ],
    "3 threads": ["-workers", "3"],
    traced: ["-trace_pixel", String(slow), String(fast)],
  };
  let traceText = "";
  let stdout = "";
  let stderr = "";
  for (const [name, extra] of Object.entries(variants)) {
    const named = extra.indexOf("-floatfile");
    const file = named >= 0 ? extra[named + 1] : `${name.replace(" ", "-")}.bin`;
    const r = nanoBragg([...c.argv, "-floatfile", file, ...extra], dir);
    if (r.code !== 0) failures.push(`${name}: exit ${r.code}: ${r.stderr}`);
    else images[name] = readFloat(join(dir, file));
    if (name === "traced") traceText = r.stdout;
    if (name === "1 thread") {
      stdout = r.stdout;
      stderr = r.stderr;
    }
  }
  const parity = images["1 thread"]
    ? compareImages(images["1 thread"], referenceFloat(c))
    : { relativeError: Number.NaN, sumRatio: Number.NaN, bitwiseFraction: 0, pixels: 0 };
  return { dir, parity, images, traceText, stdout, stderr, failures };
}

function relativeDifference(ts: number, c: number): number {
  const diff = Math.abs(ts - c);
  if (Math.abs(c) <= 1e-12) return diff <= 1e-12 ? 0 : diff;
  return diff / Math.abs(c);
}

describe(`C reference corpus`, () => {
  beforeAll(() => {
    for (const c of cases) runs.set(c.id, runCase(c));
  }, 600_000);

  afterAll(() => {
    const rows = cases.map((c) => {
      const p = runs.get(c.id)?.parity;
      if (!p) return `| ${c.id} | not run | | |`;
      return `| ${c.id} | ${p.relativeError.toExponential(2)} | ${p.sumRatio.toFixed(12)} | ${p.bitwiseFraction.toFixed(6)} |`;
    });
    console.log(
      ["| case | max rel. error | sum ratio | bitwise identical |", "|---|---|---|---|", ...rows].join("\n"),
    );
  });

  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    describe(c.id, () => {
      it("runs", () => {
        expect(runs.get(c.id)?.failures).toEqual([]);
      });

      it("writes the C's float image bit for bit (the manifest's sha256)", () => {
        const { parity, dir } = runs.get(c.id) as CaseRun;
        expect(parity.bitwiseFraction).toBe(1);
        const ours = createHash("sha256")
          .update(readFileSync(join(dir, "float.bin")))
          .digest("hex");
        expect(ours).toBe(c.float_stats.sha256);
      });

      it("traces the pixel as the C does (same keys in order, values to 1e-9)", () => {
        const ts = parseTrace((runs.get(c.id) as CaseRun).traceText);
        const ref = parseTrace(referenceText(c, c.trace.file));
        expect(ref.length).toBeGreaterThan(0);
        expect(ts.map((e) => e.key)).toEqual(ref.map((e) => e.key));
        const worst = ref.flatMap((e, i) =>
          e.values.map((v, j) => ({ key: e.key, d: relativeDifference(ts[i].values[j], v) })),
        );
        const bad = worst.filter((w) => !(w.d <= 1e-9));
        expect(bad).toEqual([]);
      });

      it("prints the C's detector set-up lines, character for character", () => {
        const ref = setupLines(referenceText(c, c.trace.file));
        expect(ref.length).toBeGreaterThan(0);
        expect(setupLines((runs.get(c.id) as CaseRun).traceText)).toEqual(ref);
      });

      it("writes the C's integer images and structure-factor cache byte for byte", () => {
        const { dir, stderr } = runs.get(c.id) as CaseRun;
        const files: Array<[string, string]> = [
          ["int.img", "int.img.gz"],
          ["noise.img", "noise.img.gz"],
          ["image.pgm", "image.pgm"],
          ["Fdump.bin", "Fdump.bin.gz"],
        ];
        let compared = 0;
        for (const [ours, theirs] of files) {
          const reference = join(REFERENCE_DIR, "cases", c.id, theirs);
          if (!existsSync(reference)) continue;
          const expected = theirs.endsWith(".gz")
            ? gunzipSync(readFileSync(reference))
            : readFileSync(reference);
          const actual = readFileSync(join(dir, ours));
          compared++;
          if (actual.equals(expected)) continue;
          // a C header longer than 512 bytes: ours is valid (HEADER_BYTES=1024), text and pixels the C's
          const text = expected.subarray(0, expected.indexOf(0x0c) + 1).toString("latin1");
          expect(text.length, `${ours} differs from the C's`).toBeGreaterThan(512);
          const ourText = text.replace("HEADER_BYTES=512;", "HEADER_BYTES=1024;");
          expect(actual.subarray(0, ourText.length).toString("latin1")).toBe(ourText);
          expect(actual.subarray(1024).equals(expected.subarray(text.length))).toBe(true);
          expect(stderr).toContain(`nanoBragg: note: the header of ${ours} is longer than 512 bytes`);
        }
        expect(compared).toBeGreaterThan(0);
      });

      it("prints the C's console summary", () => {
        const { stdout } = runs.get(c.id) as CaseRun;
        expect(summaryLines(stdout)).toEqual(summaryLines(referenceText(c, "stdout.log")));
      });

      it("writes the same files with 2 threads (written by a worker)", () => {
        const { dir } = runs.get(c.id) as CaseRun;
        const names = c.argv_output_flags.filter((_, i, all) => i > 0 && all[i - 1].endsWith("file"));
        expect(names.length).toBeGreaterThan(1);
        for (const name of names) {
          expect(readFileSync(join(dir, `2t-${name}`)).equals(readFileSync(join(dir, name))), name).toBe(
            true,
          );
        }
      });

      it("gives the same bits with 1, 2 or 3 threads and with tracing", () => {
        const { images } = runs.get(c.id) as CaseRun;
        const one = images["1 thread"];
        for (const name of ["2 threads", "3 threads", "traced"]) {
          expect(compareImages(images[name], one).bitwiseFraction, name).toBe(1);
        }
      });
    });
  }
});
