/**
 * vitest: selectors are test files, with `::name` for the tests whose full name contains it
 * ("suite > test" or a part of it). Before the steps, `vitest list` must list the file, and a test of
 * that name in it (vitest does not list tests skipped when collected: name those by their file). The
 * run writes vitest's JSON report into the bundle; the counts are those of the selected tests.
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { InputError } from "../../../util/input-error.js";
import { ask, runInto } from "./invoke.js";
import {
  answerOf,
  byName,
  escapeRegExp,
  NO_TESTS,
  type RunContext,
  type RunnerRun,
  runFiles,
  runRecord,
  splitSelector,
  type TestCounts,
  type TestRunner,
} from "./runner.js";

async function locate(workspace: string): Promise<string[]> {
  for (let dir = resolve(workspace); ; dir = dirname(dir)) {
    const bin = join(dir, "node_modules", ".bin", "vitest");
    if (existsSync(bin)) return [bin];
    if (dirname(dir) === dir) break;
  }
  throw new InputError(
    `vitest is not installed: no node_modules/.bin/vitest in ${workspace} or above (npm install --save-dev vitest)`,
  );
}

const normal = (file: string, workspace: string) => relative(workspace, resolve(workspace, file));
/** vitest lists "suite > test"; its -t filter and its report join the names with spaces. */
const spaced = (name: string) => name.split(/\s+>\s+/).join(" ");

async function validate(launcher: string[], selectors: string[], ctx: RunContext): Promise<string[]> {
  const files = [...new Set(selectors.map((s) => splitSelector(s).file))];
  const listed = await ask([...launcher, "list", "--filesOnly", ...files], ctx.workspace, ctx.env);
  if (listed.notStarted) throw new InputError(`vitest did not start: ${listed.notStarted}`);
  const known = new Set(
    listed.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .map((f) => normal(f, ctx.workspace)),
  );
  const problems: string[] = [];
  const named = selectors.filter(
    (s) => known.has(normal(splitSelector(s).file, ctx.workspace)) && splitSelector(s).name,
  );
  for (const s of selectors.filter((x) => !known.has(normal(splitSelector(x).file, ctx.workspace)))) {
    const said =
      listed.exitCode === 0 ? `it lists ${known.size} file(s)` : answerOf(listed.stderr || listed.stdout);
    problems.push(
      `${s}: vitest lists no such test file (vitest list --filesOnly, exit ${listed.exitCode}: ${said})`,
    );
  }
  if (named.length === 0) return problems;
  const tests = await ask(
    [...launcher, "list", ...new Set(named.map((s) => splitSelector(s).file)), "--json"],
    ctx.workspace,
    ctx.env,
  );
  let entries: Array<{ name: string; file: string }> = [];
  try {
    entries = JSON.parse(tests.stdout);
  } catch {
    return [
      ...problems,
      ...named.map((s) => `${s}: vitest list failed (exit ${tests.exitCode}: ${answerOf(tests.stderr)})`),
    ];
  }
  for (const s of named) {
    const { file, name } = splitSelector(s);
    const inFile = entries.filter((e) => normal(e.file, ctx.workspace) === normal(file, ctx.workspace));
    if (!inFile.some((e) => spaced(e.name).includes(spaced(name as string)))) {
      const some = inFile
        .slice(0, 5)
        .map((e) => `"${e.name}"`)
        .join(", ");
      problems.push(
        `${s}: vitest lists no test named "${name}" in ${file} (it lists ${inFile.length}${some ? `: ${some}` : ""}; tests skipped when collected are not listed)`,
      );
    }
  }
  return problems;
}

interface VitestReport {
  testResults: Array<{
    name: string;
    status: string;
    assertionResults: Array<{ fullName: string; status: string }>;
  }>;
}

/** Counts of the selected tests; a file that failed to load with no test in it is an error. */
function countsOf(report: VitestReport, name: string | null): TestCounts {
  const counts = { ...NO_TESTS };
  for (const file of report.testResults) {
    if (file.status === "failed" && file.assertionResults.length === 0) counts.errors++;
    for (const a of file.assertionResults) {
      if (name !== null && !a.fullName.includes(spaced(name))) continue;
      if (a.status === "passed") counts.passed++;
      else if (a.status === "failed") counts.failed++;
      else counts.skipped++;
    }
  }
  return counts;
}

async function run(
  launcher: string[],
  selectors: string[],
  ctx: RunContext,
  tag: string,
): Promise<RunnerRun[]> {
  const runs: RunnerRun[] = [];
  for (const [i, group] of byName(selectors).entries()) {
    const out = runFiles(ctx, `${tag}-${i + 1}`, "report.json");
    const filter = group.name === null ? [] : ["-t", escapeRegExp(spaced(group.name))];
    const testFiles = [...new Set(group.selectors.map((s) => splitSelector(s).file))];
    const reporters = ["--reporter=default", "--reporter=json", `--outputFile.json=${out.report}`];
    const argv = [...launcher, "run", ...testFiles, ...filter, ...reporters];
    const r = await runInto(argv, ctx.workspace, { ...ctx.env, FORCE_COLOR: "0" }, out.output);
    let report: VitestReport | null = null;
    try {
      report = JSON.parse(readFileSync(out.report, "utf8"));
    } catch {
      report = null;
    }
    runs.push(runRecord("vitest", group.selectors, out, r, report ? countsOf(report, group.name) : null));
  }
  return runs;
}

export const vitestRunner: TestRunner = { name: "vitest", locate, validate, run };
