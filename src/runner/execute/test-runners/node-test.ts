/**
 * node --test: selectors are test files, with `::name` for the tests whose name contains it (node's
 * --test-name-pattern). Node has no list mode; before the steps, each named file is run with a
 * pattern that matches nothing, which runs no test body and reports every test as left out: that is
 * the list the names are checked against. Runs write node's JUnit report into the bundle.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { InputError } from "../../../util/input-error.js";
import { ask, runInto } from "./invoke.js";
import { junitCounts, readJunitCases } from "./junit.js";
import { findProgram } from "./program.js";
import {
  answerOf,
  byName,
  escapeRegExp,
  type RunContext,
  type RunnerRun,
  runFiles,
  runRecord,
  splitSelector,
  type TestRunner,
} from "./runner.js";

async function locate(workspace: string, env: Record<string, string>): Promise<string[]> {
  const node = findProgram("node", workspace, { ...process.env, ...env });
  if (!node) throw new InputError("node is not installed: no node on PATH");
  return [node];
}

const MATCHES_NOTHING = "(?!)";
const junitTo = (file: string) => ["--test-reporter=junit", `--test-reporter-destination=${file}`];

/** The names of the tests (and suites) in the files, without running a test body. */
async function testNames(launcher: string[], files: string[], ctx: RunContext): Promise<string[] | string> {
  const dir = mkdtempSync(join(tmpdir(), "nbloop-node-list-"));
  try {
    const report = join(dir, "list.xml");
    const argv = [
      ...launcher,
      "--test",
      `--test-name-pattern=${MATCHES_NOTHING}`,
      ...junitTo(report),
      ...files,
    ];
    const answer = await ask(argv, ctx.workspace, ctx.env);
    if (answer.notStarted) throw new InputError(`node did not start: ${answer.notStarted}`);
    if (!existsSync(report))
      return `node --test wrote no report (exit ${answer.exitCode}: ${answerOf(answer.stderr)})`;
    const xml = readFileSync(report, "utf8");
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)"/g)].map((m) => m[1]);
    return [...readJunitCases(xml).map((c) => c.name), ...suites];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function validate(launcher: string[], selectors: string[], ctx: RunContext): Promise<string[]> {
  const problems: string[] = [];
  const named: string[] = [];
  for (const s of selectors) {
    const { file, name } = splitSelector(s);
    if (!existsSync(resolve(ctx.workspace, file))) problems.push(`${s}: no such test file`);
    else if (name !== null) named.push(s);
  }
  for (const s of named) {
    const { file, name } = splitSelector(s);
    const names = await testNames(launcher, [file], ctx);
    if (typeof names === "string") problems.push(`${s}: ${names}`);
    else if (!names.some((n) => n.includes(name as string))) {
      const some = names
        .slice(0, 5)
        .map((n) => `"${n}"`)
        .join(", ");
      problems.push(
        `${s}: node --test finds no test named "${name}" in ${file} (it finds ${names.length}${some ? `: ${some}` : ""})`,
      );
    }
  }
  return problems;
}

async function run(
  launcher: string[],
  selectors: string[],
  ctx: RunContext,
  tag: string,
): Promise<RunnerRun[]> {
  const runs: RunnerRun[] = [];
  for (const [i, group] of byName(selectors).entries()) {
    const out = runFiles(ctx, `${tag}-${i + 1}`, "junit.xml");
    const filter = group.name === null ? [] : [`--test-name-pattern=${escapeRegExp(group.name)}`];
    const testFiles = [...new Set(group.selectors.map((s) => splitSelector(s).file))];
    const reporters = ["--test-reporter=spec", "--test-reporter-destination=stdout", ...junitTo(out.report)];
    const r = await runInto(
      [...launcher, "--test", ...filter, ...reporters, ...testFiles],
      ctx.workspace,
      ctx.env,
      out.output,
    );
    const counts = existsSync(out.report)
      ? junitCounts(readJunitCases(readFileSync(out.report, "utf8")))
      : null;
    runs.push(runRecord("node", group.selectors, out, r, counts));
  }
  return runs;
}

export const nodeTestRunner: TestRunner = { name: "node", locate, validate, run };
