/**
 * nbloop's audit commands: first divergence of two pixel traces, parity of two images, the scaling
 * chain of one trace, the reference corpus through the engine; and a picture of one image. Each
 * prints its summary (or metrics with --json) and, with --out, writes summary.md and metrics.json
 * there. Exit status 0 when the audit finds agreement, 1 when it does not.
 */

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { contactSheet } from "../audit/contact-sheet.js";
import {
  type CaseParity,
  type CorpusCase,
  parityMetrics,
  parityTable,
  readCorpus,
  runCorpusCase,
} from "../audit/corpus-parity.js";
import { readSeries, seriesMetrics, seriesTable } from "../audit/frame-series.js";
import {
  auditImages,
  imageAuditMetrics,
  imageAuditSummary,
  imageAuditVerdict,
  type Roi,
  readImage,
  renderPictures,
} from "../audit/image-audit.js";
import { imageStats } from "../audit/image-stats.js";
import { checkScaling, scalingSummary } from "../audit/scaling-check.js";
import { diffTraces, traceComparisons, traceDiffMetrics, traceDiffSummary } from "../audit/trace-diff.js";
import { writePng } from "../io/png.js";
import { packageRoot } from "../runner/own-files.js";
import { ownProgram } from "../runner/plan/steps.js";
import { InputError } from "../util/input-error.js";
import {
  numberOption,
  type ParsedOptions,
  parseLongOptions,
  requiredOption,
  stringOption,
} from "./long-options.js";

export const AUDIT_USAGE = `  audit trace --ref FILE --port FILE [--rtol X] [--atol Y] [--out DIR] [--json]
                       the first key where two pixel traces diverge, every divergent key, keys on one
                       side only (exit 1 when they diverge)
  audit image --ref FILE --port FILE [--fpixels N] [--spixels M] [--roi XMIN XMAX YMIN YMAX]
              [--peaks N] [--out DIR] [--json]
                       correlation, sums, errors, peaks of two float or SMV images; with --out also
                       ref.png, port.png and diff.png (exit 1 when they differ)
  audit scaling --trace FILE [--out DIR] [--json]
                       the trace's scaling chain recomputed in the C's order (exit 1 if inconsistent)
  audit corpus [--reference DIR] [--case ID]... [--gather DIR] [--out DIR] [--json]
                       every reference corpus case (or those named) run by the engine and audited:
                       parity.md and rows.json; --gather: one table of the audits in DIR's folders
  audit series --tasks DIR [--image NAME] [--fpixels N] [--out DIR] [--json]
                       the frames a matrix step made, one per task folder of DIR ({tasks:STEP}):
                       frames.md (statistics per frame) and contact-sheet.png
  picture --image FILE --png FILE [--fpixels N] [--spixels M] [--roi XMIN XMAX YMIN YMAX] [--json]
                       a PNG of one image and its brightest pixel, maximum and sum`;

/** A path as summaries show it: relative to the working folder when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new InputError(`${what} ${path}: cannot be read`);
  }
}

function roiOption(p: ParsedOptions): Roi | undefined {
  const raw = stringOption(p, "roi");
  if (raw === undefined) return undefined;
  const [xmin, xmax, ymin, ymax] = raw.split(" ").map(Number);
  if (![xmin, xmax, ymin, ymax].every(Number.isInteger))
    throw new InputError(`--roi: "${raw}" is not four pixel numbers (xmin xmax ymin ymax)`);
  return { xmin, xmax, ymin, ymax };
}

function writeOutputs(p: ParsedOptions, summary: string, metrics: object): string | undefined {
  const out = stringOption(p, "out");
  if (out === undefined) return undefined;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "summary.md"), summary);
  writeFileSync(join(out, "metrics.json"), `${JSON.stringify(metrics, null, 2)}\n`);
  return out;
}

function report(p: ParsedOptions, summary: string, metrics: object): void {
  writeOutputs(p, summary, metrics);
  process.stdout.write(p.flags.has("json") ? `${JSON.stringify(metrics, null, 2)}\n` : summary);
}

function auditTrace(args: string[]): number {
  const p = parseLongOptions(args, { ref: 1, port: 1, rtol: 1, atol: 1, out: 1, json: 0 });
  const refPath = requiredOption(p, "ref", AUDIT_USAGE);
  const portPath = requiredOption(p, "port", AUDIT_USAGE);
  const diff = diffTraces(readText(refPath, "--ref"), readText(portPath, "--port"), {
    rtol: numberOption(p, "rtol"),
    atol: numberOption(p, "atol"),
  });
  if (diff.compared.length === 0)
    throw new InputError(`${refPath} and ${portPath} share no trace key (are both pixel traces?)`);
  report(p, traceDiffSummary(diff, shown(refPath), shown(portPath)), traceDiffMetrics(diff));
  const out = stringOption(p, "out");
  if (out !== undefined)
    writeFileSync(
      join(out, "comparisons.json"),
      `${JSON.stringify(traceComparisons(diff, shown(refPath), shown(portPath)), null, 1)}\n`,
    );
  return diff.firstDivergence ? 1 : 0;
}

function auditImage(args: string[]): number {
  const p = parseLongOptions(args, {
    ref: 1,
    port: 1,
    fpixels: 1,
    spixels: 1,
    roi: 4,
    peaks: 1,
    out: 1,
    json: 0,
  });
  const fpixels = numberOption(p, "fpixels");
  const spixels = numberOption(p, "spixels");
  const refPath = requiredOption(p, "ref", AUDIT_USAGE);
  const portPath = requiredOption(p, "port", AUDIT_USAGE);
  const ref = readImage(refPath, fpixels, spixels);
  const port = readImage(portPath, ref.fpixels, ref.spixels);
  const roi = roiOption(p);
  const audit = auditImages(ref.data, port.data, ref.fpixels, ref.spixels, {
    roi,
    peaks: numberOption(p, "peaks"),
  });
  const out = stringOption(p, "out");
  let scales: ReturnType<typeof renderPictures> | undefined;
  if (out !== undefined) {
    scales = renderPictures(ref.data, port.data, ref.fpixels, ref.spixels, roi);
    mkdirSync(out, { recursive: true });
    for (const name of ["ref", "port", "diff"] as const)
      writePng(join(out, `${name}.png`), scales.width, scales.height, scales[name]);
  }
  report(p, imageAuditSummary(audit, shown(refPath), shown(portPath), scales), imageAuditMetrics(audit));
  return imageAuditVerdict(audit).pass ? 0 : 1;
}

function auditScaling(args: string[]): number {
  const p = parseLongOptions(args, { trace: 1, out: 1, json: 0 });
  const tracePath = requiredOption(p, "trace", AUDIT_USAGE);
  const check = checkScaling(readText(tracePath, "--trace"));
  report(p, scalingSummary(check, shown(tracePath)), {
    consistent: check.ok,
    recomputed_I_pixel_final: check.expectedFinal,
    reported_I_pixel_final: check.reportedFinal,
    relative_difference: Number.isFinite(check.relativeError) ? check.relativeError : null,
    stored_as_float32: check.storedAsFloat32,
    missing: check.missing,
    inputs: check.inputs,
  });
  return check.ok ? 0 : 1;
}

/** The rows of earlier corpus audits (their rows.json, one folder each), in the corpus's order. */
function gatheredRows(folder: string, all: CorpusCase[]): CaseParity[] {
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch {
    throw new InputError(`--gather ${folder}: cannot be read`);
  }
  const rows = names.flatMap((name) => {
    const path = join(folder, name, "rows.json");
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as CaseParity[]) : [];
  });
  if (rows.length === 0) throw new InputError(`--gather ${folder}: no rows.json in its folders`);
  const order = new Map(all.map((c, i) => [c.id, i]));
  return rows.sort((a, b) => (order.get(a.id) ?? all.length) - (order.get(b.id) ?? all.length));
}

function runCases(all: CorpusCase[], cases: string[], referenceDir: string): CaseParity[] {
  const unknown = cases.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length > 0) throw new InputError(`--case: no case ${unknown.join(", ")} in ${referenceDir}`);
  const chosen = cases.length > 0 ? all.filter((c) => cases.includes(c.id)) : all;
  const program = ownProgram("nanoBragg");
  if (!program) throw new InputError("the nanoBragg program is not built (npm run build)");
  const scratch = mkdtempSync(join(tmpdir(), "nbloop-corpus-"));
  try {
    return chosen.map((c) => runCorpusCase(c, referenceDir, scratch, program));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function auditCorpus(args: string[]): number {
  const cases: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--case" && i + 1 < args.length) cases.push(args[++i]);
    else rest.push(args[i]);
  }
  const p = parseLongOptions(rest, { reference: 1, out: 1, gather: 1, json: 0 });
  const referenceDir = resolve(
    stringOption(p, "reference") ?? process.env.NB_REFERENCE_DIR ?? join(packageRoot(), "reference"),
  );
  const all = readCorpus(referenceDir);
  const gather = stringOption(p, "gather");
  if (gather !== undefined && cases.length > 0)
    throw new InputError("--gather reads earlier audits: no --case with it");
  const rows = gather !== undefined ? gatheredRows(gather, all) : runCases(all, cases, referenceDir);
  const table = parityTable(rows);
  const metrics = parityMetrics(rows);
  const out = writeOutputs(p, table, metrics);
  if (out) {
    writeFileSync(join(out, "parity.md"), table);
    writeFileSync(join(out, "rows.json"), `${JSON.stringify(rows, null, 2)}\n`);
  }
  process.stdout.write(p.flags.has("json") ? `${JSON.stringify(metrics, null, 2)}\n` : table);
  return rows.every((r) => r.pass) ? 0 : 1;
}

function auditSeries(args: string[]): number {
  const p = parseLongOptions(args, { tasks: 1, image: 1, fpixels: 1, out: 1, json: 0 });
  const folder = requiredOption(p, "tasks", AUDIT_USAGE);
  const image = stringOption(p, "image") ?? "frame.smv";
  const frames = readSeries(folder, image, numberOption(p, "fpixels"));
  const out = stringOption(p, "out");
  let sheetName: string | null = null;
  if (out !== undefined) {
    const sheet = contactSheet(frames);
    mkdirSync(out, { recursive: true });
    writePng(join(out, "contact-sheet.png"), sheet.width, sheet.height, sheet.rgb);
    sheetName = `contact-sheet.png (${sheet.width}x${sheet.height}, ${sheet.columns} frames a row, scale ${Number(sheet.range[0].toPrecision(4))} to ${Number(sheet.range[1].toPrecision(4))})`;
  }
  const table = seriesTable(frames, image, sheetName);
  const metrics = seriesMetrics(frames);
  if (writeOutputs(p, table, metrics) !== undefined) writeFileSync(join(out as string, "frames.md"), table);
  process.stdout.write(p.flags.has("json") ? `${JSON.stringify(metrics, null, 2)}\n` : table);
  return 0;
}

export function pictureCommand(args: string[]): number {
  const p = parseLongOptions(args, { image: 1, png: 1, fpixels: 1, spixels: 1, roi: 4, json: 0 });
  const image = readImage(
    requiredOption(p, "image", AUDIT_USAGE),
    numberOption(p, "fpixels"),
    numberOption(p, "spixels"),
  );
  const png = requiredOption(p, "png", AUDIT_USAGE);
  const pictures = renderPictures(image.data, image.data, image.fpixels, image.spixels, roiOption(p));
  writePng(png, pictures.width, pictures.height, pictures.ref);
  const stats = imageStats(image.data, image.fpixels, image.spixels);
  const [lo, hi] = pictures.intensityRange;
  const lines = [
    `fpixels: ${image.fpixels}`,
    `spixels: ${image.spixels}`,
    `brightest_slow: ${stats.brightest[0]}`,
    `brightest_fast: ${stats.brightest[1]}`,
    `max: ${stats.max}`,
    `sum: ${stats.sum}`,
    `mean: ${stats.mean}`,
    `lit_pixels: ${stats.lit}`,
    `png: ${png} (${pictures.width}x${pictures.height}; colour bar ${lo} to ${hi}, square root scale)`,
  ];
  process.stdout.write(
    p.flags.has("json")
      ? `${JSON.stringify({ ...stats, png, colour_bar: [lo, hi] }, null, 2)}\n`
      : `${lines.join("\n")}\n`,
  );
  return 0;
}

export function auditCommand(args: string[]): number {
  const [kind, ...rest] = args;
  switch (kind) {
    case "trace":
      return auditTrace(rest);
    case "image":
      return auditImage(rest);
    case "scaling":
      return auditScaling(rest);
    case "corpus":
      return auditCorpus(rest);
    case "series":
      return auditSeries(rest);
    default:
      throw new InputError(`audit: expected trace, image, scaling, corpus or series\n${AUDIT_USAGE}`);
  }
}
