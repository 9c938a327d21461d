/**
 * The reference corpus through the engine: each case's argv run by this package's nanoBragg in a
 * scratch copy of the corpus layout (cases/<id> beside data/, so the case's relative paths hold),
 * its float image audited against the C's, and one parity table of all cases.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../util/input-error.js";
import { auditImages, type ImageAudit, imageAuditVerdict, readImage } from "./image-audit.js";
import { compareImages } from "./image-compare.js";

export interface CorpusCase {
  id: string;
  description: string;
  argv: string[];
  detector: { fpixels: number; spixels: number };
}

/** Correlation every case must reach. */
export const MIN_CORRELATION = 0.999999;

export function readCorpus(referenceDir: string): CorpusCase[] {
  const manifest = join(referenceDir, "manifest.json");
  if (!existsSync(manifest))
    throw new InputError(
      `${referenceDir}: no reference corpus here (no manifest.json); set NB_REFERENCE_DIR or --reference`,
    );
  const cases = (JSON.parse(readFileSync(manifest, "utf8")) as { cases?: CorpusCase[] }).cases;
  if (!Array.isArray(cases)) throw new InputError(`${manifest}: no "cases" list`);
  return cases;
}

export interface CaseParity {
  id: string;
  description: string;
  seconds: number;
  /** Why the case could not be audited (the engine failed, an image is missing), or null. */
  error: string | null;
  audit: ImageAudit | null;
  /** Fraction of pixels whose float32 bits equal the C's. */
  bitwiseFraction: number | null;
  pass: boolean;
}

/** Run one case with `program` (argv prefix of nanoBragg) under `scratch`, and audit its image. */
export function runCorpusCase(
  c: CorpusCase,
  referenceDir: string,
  scratch: string,
  program: string[],
): CaseParity {
  const dir = join(scratch, "cases", c.id);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(scratch, "data"))) symlinkSync(resolve(referenceDir, "data"), join(scratch, "data"));
  const started = performance.now();
  const run = spawnSync(program[0], [...program.slice(1), ...c.argv, "-floatfile", "float.bin", "-nopgm"], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - started) / 1000;
  const failed = (error: string): CaseParity => ({
    id: c.id,
    description: c.description,
    seconds,
    error,
    audit: null,
    bitwiseFraction: null,
    pass: false,
  });
  if (run.status !== 0) {
    const why = run.error?.message ?? run.stderr.trim().split("\n").pop() ?? "";
    return failed(`nanoBragg exit ${run.status ?? run.signal}: ${why}`);
  }
  try {
    const { fpixels, spixels } = c.detector;
    const ref = readImage(join(referenceDir, "cases", c.id, "float.bin.gz"), fpixels, spixels).data;
    const port = readImage(join(dir, "float.bin"), fpixels, spixels).data;
    const audit = auditImages(ref, port, fpixels, spixels);
    return {
      id: c.id,
      description: c.description,
      seconds,
      error: null,
      audit,
      bitwiseFraction: compareImages(port, ref).bitwiseFraction,
      pass: imageAuditVerdict(audit).pass && audit.correlation >= MIN_CORRELATION,
    };
  } catch (error) {
    return failed((error as Error).message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const g = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(7)).toString() : String(v));

/** parity.md: one row per case, then the totals. */
export function parityTable(rows: CaseParity[]): string {
  const passed = rows.filter((r) => r.pass).length;
  const lines = [
    `# Reference corpus parity: ${passed} of ${rows.length} cases pass`,
    "",
    `A case passes with correlation >= ${MIN_CORRELATION}, max relative error and |sum ratio - 1| <= 1e-6`,
    "and every one of its brightest peaks at the C's pixel.",
    "",
    "| case | pixels | correlation | sum ratio | max rel error | RMS difference | peaks matched | bitwise identical | seconds | result |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const a = r.audit;
    if (!a) {
      lines.push(`| ${r.id} | - | - | - | - | - | - | - | ${r.seconds.toFixed(2)} | FAIL: ${r.error} |`);
      continue;
    }
    const bitwise = `${((r.bitwiseFraction ?? 0) * 100).toFixed(2)}%`;
    lines.push(
      `| ${r.id} | ${a.pixels} | ${g(a.correlation)} | ${g(a.sumRatio)} | ${g(a.maxRelError)} | ${g(a.rmsDifference)} | ${a.peaksMatched}/${a.peaks.length} | ${bitwise} | ${r.seconds.toFixed(2)} | ${r.pass ? "pass" : "FAIL"} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** metrics.json of a corpus run. */
export function parityMetrics(rows: CaseParity[]): object {
  const audited = rows.flatMap((r) => (r.audit ? [r.audit] : []));
  return {
    cases: rows.length,
    passed: rows.filter((r) => r.pass).length,
    failed: rows.filter((r) => !r.pass).map((r) => r.id),
    min_correlation: audited.length > 0 ? Math.min(...audited.map((a) => a.correlation)) : null,
    max_rel_error: audited.length > 0 ? Math.max(...audited.map((a) => a.maxRelError)) : null,
    rows: rows.map((r) => ({
      id: r.id,
      error: r.error,
      pass: r.pass,
      seconds: r.seconds,
      correlation: r.audit?.correlation ?? null,
      sum_ratio: r.audit && Number.isFinite(r.audit.sumRatio) ? r.audit.sumRatio : null,
      max_rel_error: r.audit?.maxRelError ?? null,
      rms_difference: r.audit?.rmsDifference ?? null,
      peaks_matched: r.audit?.peaksMatched ?? null,
      peaks_compared: r.audit?.peaks.length ?? null,
      bitwise_fraction: r.bitwiseFraction,
    })),
  };
}
