/**
 * Every case of the C reference corpus, run by the TS engine in a copy of its folder:
 * - the float image against the C's: max |I_ts - I_c| / max |I_c| <= 1e-6, |sum ratio - 1| <= 1e-6;
 * - the traced pixel: every TRACE_TS value equals the C's TRACE_C value to 1e-9 relative (1e-12
 *   absolute near zero), key by key, in the same order;
 * - tracing does not change the image, and 1, 2 or 3 threads give the same bits;
 * - the console summary equals the C's stdout line for line (but for the lines of outputs this engine
 *   does not write yet and the C's progress and instrumentation lines).
 * Prints the parity table (case, error, sum ratio, bitwise-identical fraction).
 */

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareImages, type ImageParity } from "../../src/audit/image-compare.js";
import { parseTrace } from "../../src/audit/trace-lines.js";
import { HAVE_REFERENCE, NO_REFERENCE, type ReferenceCase, referenceCases } from "../support/paths.js";
import { caseFolder, nanoBragg, readFloat, referenceFloat, referenceText } from "../support/run.js";

interface CaseRun {
  parity: ImageParity;
  images: Record<string, Float32Array>;
  traceText: string;
  stdout: string;
  failures: string[];
}

/** C stdout lines without a TS counterpart yet: int/PGM/noise outputs, progress, instrumentation. */
const NOT_COMPARED =
  /^(TRACE|DETECTOR_|mmap\(|intfile_scale|pgm_scale|writing .* as [0-9]+-byte integers|.*% done|.* photons on noise image| {2}noise image| {2}seed:| {2}water droplet)/;

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
    "2 threads": ["-workers", "2"],
    "3 threads": ["-workers", "3"],
    traced: ["-trace_pixel", String(slow), String(fast)],
  };
  let traceText = "";
  let stdout = "";
  for (const [name, extra] of Object.entries(variants)) {
    const named = extra.indexOf("-floatfile");
    const file = named >= 0 ? extra[named + 1] : `${name.replace(" ", "-")}.bin`;
    const r = nanoBragg([...c.argv, "-floatfile", file, ...extra], dir);
    if (r.code !== 0) failures.push(`${name}: exit ${r.code}: ${r.stderr}`);
    else images[name] = readFloat(join(dir, file));
    if (name === "traced") traceText = r.stdout;
    if (name === "1 thread") stdout = r.stdout;
  }
  const parity = images["1 thread"]
    ? compareImages(images["1 thread"], referenceFloat(c))
    : { relativeError: Number.NaN, sumRatio: Number.NaN, bitwiseFraction: 0, pixels: 0 };
  return { parity, images, traceText, stdout, failures };
}

function relativeDifference(ts: number, c: number): number {
  const diff = Math.abs(ts - c);
  if (Math.abs(c) <= 1e-12) return diff <= 1e-12 ? 0 : diff;
  return diff / Math.abs(c);
}

describe.skipIf(!HAVE_REFERENCE)(
  `C reference corpus${HAVE_REFERENCE ? "" : ` (skipped: ${NO_REFERENCE})`}`,
  () => {
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
        ["| case | max rel. error | sum ratio | bitwise identical |", "|---|---|---|---|", ...rows].join(
          "\n",
        ),
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

        it("matches the C image (error <= 1e-6, sum ratio within 1e-6)", () => {
          const { parity } = runs.get(c.id) as CaseRun;
          expect(parity.relativeError).toBeLessThanOrEqual(1e-6);
          expect(Math.abs(parity.sumRatio - 1)).toBeLessThanOrEqual(1e-6);
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

        it("prints the C's console summary", () => {
          const { stdout } = runs.get(c.id) as CaseRun;
          expect(summaryLines(stdout)).toEqual(summaryLines(referenceText(c, "stdout.log")));
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
  },
);
