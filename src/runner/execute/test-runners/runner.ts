/**
 * A test runner of the project under test (pytest, vitest, node --test, or any command): how it is
 * found, how it says before the steps run whether each selector matches a test, and how its results
 * are read, as counts, from its own machine report.
 */

import { join } from "node:path";
import type { RunnerName } from "../../load/loop.js";

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
}

export const NO_TESTS: TestCounts = { passed: 0, failed: 0, skipped: 0, errors: 0 };

export function addCounts(a: TestCounts, b: TestCounts): TestCounts {
  return {
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    errors: a.errors + b.errors,
  };
}

export function countsText(c: TestCounts): string {
  return `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, ${c.errors} errors`;
}

/** Where a runner runs (the workspace, with the loop's variables) and where its files go (the bundle). */
export interface RunContext {
  workspace: string;
  bundle: string;
  env: Record<string, string>;
}

/** The bundle folder of the runners' console output and reports. */
export const TESTS_DIR = "tests";

export interface RunFiles {
  /** As the bundle names them. */
  rel: { output: string; report: string };
  output: string;
  report: string;
}

/** A run's files in the bundle, named by `tag` (unique per invocation). */
export function runFiles(ctx: RunContext, tag: string, reportName: string): RunFiles {
  const rel = { output: `${TESTS_DIR}/${tag}.log`, report: `${TESTS_DIR}/${tag}-${reportName}` };
  return { rel, output: join(ctx.bundle, rel.output), report: join(ctx.bundle, rel.report) };
}

/** One invocation of a runner and what came of it. */
export interface RunnerRun {
  runner: RunnerName;
  selectors: string[];
  counts: TestCounts;
  exitCode: number | null;
  /** Bundle-relative files: the runner's console output and its machine report. */
  output: string;
  report: string | null;
  /** Why the counts cannot be trusted (no report, no test run), or null. */
  problem: string | null;
}

/**
 * The record of one invocation, from the counts its report gave (null: it wrote none, which is its
 * problem unless the caller says what is: a string, or null for none).
 */
export function runRecord(
  runner: RunnerName,
  selectors: string[],
  files: RunFiles,
  ended: { exitCode: number | null; notStarted: string | null },
  reported: TestCounts | null,
  problem?: string | null,
): RunnerRun {
  const noReport = reported === null ? `${runner} wrote no report (exit ${ended.exitCode})` : null;
  return {
    runner,
    selectors,
    counts: reported ?? NO_TESTS,
    exitCode: ended.exitCode,
    output: files.rel.output,
    report: reported === null ? null : files.rel.report,
    problem: ended.notStarted ?? (problem === undefined ? noReport : problem),
  };
}

export interface TestRunner {
  name: RunnerName;
  /** The argv that starts the runner, or an InputError saying it is not installed. */
  locate(workspace: string, env: Record<string, string>): Promise<string[]>;
  /** One problem line per selector that matches no test, quoting the runner's answer. */
  validate(launcher: string[], selectors: string[], ctx: RunContext): Promise<string[]>;
  run(launcher: string[], selectors: string[], ctx: RunContext, tag: string): Promise<RunnerRun[]>;
}

/** `file::name` → its file and name (null for the whole file). */
export function splitSelector(selector: string): { file: string; name: string | null } {
  const at = selector.indexOf("::");
  return at < 0
    ? { file: selector, name: null }
    : { file: selector.slice(0, at), name: selector.slice(at + 2) || null };
}

/** Selectors grouped by test name, so that a name filter never narrows another selector's files. */
export function byName(selectors: string[]): Array<{ name: string | null; selectors: string[] }> {
  const groups = new Map<string | null, string[]>();
  for (const s of selectors) {
    const { name } = splitSelector(s);
    groups.set(name, [...(groups.get(name) ?? []), s]);
  }
  return [...groups].map(([name, list]) => ({ name, selectors: list }));
}

/** The first few lines of a runner's answer worth quoting (its ERROR lines, else its last line). */
export function answerOf(text: string, max = 3): string {
  const lines = text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  const errors = lines.filter((l) => /^(ERROR|E {3}|Error|error)\b/.test(l) || /^\(no (match|name)/.test(l));
  const chosen = errors.length > 0 ? errors.slice(0, max) : lines.slice(-1);
  return chosen.join(" / ") || "no output";
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
