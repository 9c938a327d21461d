/**
 * Any other test command: the selector is its command line (`make check`, `ctest -R scaling
 * --output-junit {junit}`), run in the workspace without a shell unless it needs one. Where it writes
 * the JUnit report whose path `{junit}` gives it, that report gives the counts; else its exit status
 * does: 0 one passed, 77 one skipped (the convention of automake and meson), anything else one failed.
 */

import { existsSync } from "node:fs";
import { parseCommand } from "../../../util/shell-words.js";
import { runInto } from "./invoke.js";
import { junitFileCounts } from "./junit.js";
import { findProgram } from "./program.js";
import { NO_TESTS, type RunContext, type RunnerRun, runFiles, runRecord, type TestRunner } from "./runner.js";

export const SKIPPED_EXIT = 77;

/** The command's argv (a shell runs it where the line needs one), with `{junit}` filled. */
function argvOf(launcher: string[], selector: string, junit: string): string[] {
  const command = parseCommand(selector.replaceAll("{junit}", junit));
  if (typeof command.run === "string") return ["/bin/sh", "-c", [...launcher, command.run].join(" ")];
  const env = Object.entries(command.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const words = [...launcher, ...command.run.map(String)];
  return env.length > 0 ? ["env", ...env, ...words] : words;
}

/** The launcher is the loop's `command` prefix, if any; the program is checked per selector. */
async function locate(): Promise<string[]> {
  return [];
}

/** A command cannot be asked what it would run: its program must exist, the rest shows when it runs. */
async function validate(launcher: string[], selectors: string[], ctx: RunContext): Promise<string[]> {
  const problems: string[] = [];
  for (const s of selectors) {
    const argv = argvOf(launcher, s, "report.xml");
    const program = argv[0] === "env" ? argv.find((w, i) => i > 0 && !w.includes("=")) : argv[0];
    if (program && !findProgram(program, ctx.workspace, { ...process.env, ...ctx.env }))
      problems.push(`${s}: ${program} is not installed (not on PATH, not a file of the workspace)`);
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
  for (const [i, selector] of selectors.entries()) {
    const out = runFiles(ctx, `${tag}-${i + 1}`, "junit.xml");
    const r = await runInto(argvOf(launcher, selector, out.report), ctx.workspace, ctx.env, out.output);
    const reported = existsSync(out.report) ? junitFileCounts(out.report) : null;
    const byExit =
      r.exitCode === 0
        ? { ...NO_TESTS, passed: 1 }
        : r.exitCode === SKIPPED_EXIT
          ? { ...NO_TESTS, skipped: 1 }
          : { ...NO_TESTS, failed: 1 };
    const total = reported ? reported.passed + reported.failed + reported.skipped + reported.errors : 1;
    const problem = total === 0 ? `${selector}: ran no test (its JUnit report lists none)` : null;
    runs.push({ ...runRecord("command", [selector], out, r, reported, problem), counts: reported ?? byExit });
  }
  return runs;
}

export const commandRunner: TestRunner = { name: "command", locate, validate, run };
