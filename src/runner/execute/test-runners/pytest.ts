/**
 * pytest: selectors are node IDs (`tests/test_x.py::TestA::test_b[cpu-float32]`, a file, a folder).
 * Before the steps, `pytest --collect-only -q` must collect at least one test for each; the run writes
 * a JUnit report into the bundle, which gives the counts. Neither writes pytest's cache.
 */

import { InputError } from "../../../util/input-error.js";
import { ask, runInto } from "./invoke.js";
import { junitFileCounts } from "./junit.js";
import { findProgram } from "./program.js";
import { answerOf, type RunContext, type RunnerRun, runFiles, runRecord, type TestRunner } from "./runner.js";

const NO_CACHE = ["-p", "no:cacheprovider"];

async function locate(workspace: string, env: Record<string, string>): Promise<string[]> {
  const pytest = findProgram("pytest", workspace, { ...process.env, ...env });
  if (pytest) return [pytest];
  const python = findProgram("python3", workspace, { ...process.env, ...env });
  if (python) {
    const probe = await ask([python, "-c", "import pytest"], workspace, env);
    if (probe.exitCode === 0) return [python, "-m", "pytest"];
    throw new InputError(
      `pytest is not installed: no pytest on PATH, and ${python} -m pytest says: ${answerOf(probe.stderr)}`,
    );
  }
  throw new InputError("pytest is not installed: neither pytest nor python3 is on PATH");
}

const clean = (id: string) => id.replace(/^\.\//, "");

/** Does the collected node ID fall under the selector (itself, a parametrisation, a member, a file of a folder)? */
function covers(selector: string, id: string): boolean {
  const s = clean(selector).replace(/\/+$/, "");
  return id === s || id.startsWith(`${s}::`) || id.startsWith(`${s}[`) || id.startsWith(`${s}/`);
}

async function validate(launcher: string[], selectors: string[], ctx: RunContext): Promise<string[]> {
  const answer = await ask(
    [...launcher, "--collect-only", "-q", ...NO_CACHE, ...selectors],
    ctx.workspace,
    ctx.env,
  );
  if (answer.notStarted) throw new InputError(`pytest did not start: ${answer.notStarted}`);
  const ids = answer.stdout
    .split("\n")
    .map((l) => clean(l.trim()))
    .filter((l) => l.includes("::"));
  const said = answerOf(`${answer.stdout}\n${answer.stderr}`);
  return selectors
    .filter((s) => !ids.some((id) => covers(s, id)))
    .map((s) => `${s}: pytest collects no test (pytest --collect-only, exit ${answer.exitCode}: ${said})`);
}

async function run(
  launcher: string[],
  selectors: string[],
  ctx: RunContext,
  tag: string,
): Promise<RunnerRun[]> {
  const files = runFiles(ctx, tag, "junit.xml");
  const argv = [...launcher, ...selectors, `--junitxml=${files.report}`, ...NO_CACHE];
  const r = await runInto(argv, ctx.workspace, ctx.env, files.output);
  return [runRecord("pytest", selectors, files, r, junitFileCounts(files.report))];
}

export const pytestRunner: TestRunner = { name: "pytest", locate, validate, run };
