/**
 * A phase's steps as they will run: argv with presets spliced and placeholders filled, this package's
 * own programs resolved (`nanoBragg`, `nbloop`), zx scripts turned into the command that runs them,
 * the working folder, variables, timeout and output files, and whether the step runs at all.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../util/input-error.js";
import { findProgram } from "../execute/test-runners/program.js";
import type { LoopFile, Step } from "../load/loop.js";
import { insideWorkspace } from "../load/workspace.js";
import { builtFile, packageRoot } from "../own-files.js";

export interface PreparedStep {
  id: string;
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number | undefined;
  stdoutFile: string;
  stderrFile: string;
  /** Why the step will not run (its environment condition), or null. */
  skip: string | null;
  /** The zx script it runs (workspace-relative), or null for a command. */
  script: string | null;
}

/**
 * argv[0] of this package's programs: nanoBragg through its launcher (bin/nanoBragg, which starts Node
 * without the certificate bundle it does not need), nbloop as node + script.
 */
export function ownProgram(name: string): string[] | null {
  if (name !== "nanoBragg" && name !== "nbloop") return null;
  const root = packageRoot();
  const script = join(root, "dist", "src", "cli", name === "nanoBragg" ? "launch.cjs" : "nbloop.js");
  if (!existsSync(script)) return null;
  return name === "nanoBragg" ? [join(root, "bin", "nanoBragg")] : [process.execPath, script];
}

/** Words with "@name" replaced by the preset's words, then each filled. */
function spliced(
  words: Array<string | number>,
  presets: Record<string, Array<string | number>>,
  fill: (text: string) => string,
): string[] {
  return words
    .flatMap((word) => {
      const text = String(word);
      const preset = text.startsWith("@") ? presets[text.slice(1)] : undefined;
      return preset ? preset.map(String) : [text];
    })
    .map(fill);
}

/** Expand presets and placeholders; resolve own programs. */
export function prepareArgv(
  run: NonNullable<Step["run"]>,
  presets: Record<string, Array<string | number>>,
  fill: (text: string) => string,
): string[] {
  if (typeof run === "string") return [fill(run)];
  const argv = spliced(run, presets, fill);
  const own = ownProgram(argv[0]);
  return own ? [...own, ...argv.slice(1)] : argv;
}

/** Why a step's if_env / unless_env condition keeps it from running, or null. */
export function skipReason(step: Step, env: NodeJS.ProcessEnv): string | null {
  const set = (name: string) => (env[name] ?? "") !== "";
  if (step.if_env && !set(step.if_env)) return `${step.if_env} is not set`;
  if (step.unless_env && set(step.unless_env)) return `${step.unless_env} is set`;
  return null;
}

/**
 * A program named without a folder must be on PATH before anything runs (a typo is the user's to
 * hear about now); a path is left alone, since an earlier step may make it.
 */
function checkProgram(program: string, env: NodeJS.ProcessEnv, workspace: string): void {
  if (program.includes("/") || findProgram(program, workspace, env)) return;
  throw new InputError(`${program} is not a program on PATH`);
}

/** The environment variable that tells a zx script step its timeout (milliseconds). */
export const ZX_TIMEOUT_ENV = "NBLOOP_STEP_TIMEOUT_MS";

/**
 * One step ready to run. A skipped step's placeholders are left as written: it may name a variable
 * that is not set.
 */
export function prepareStep(
  step: Step,
  loop: LoopFile,
  workspace: string,
  bundle: string,
  fill: (text: string) => string,
): PreparedStep {
  const skip = skipReason(step, process.env);
  const fillIfRun = (text: string) => (skip ? text : fill(text));
  const env: Record<string, string> = { NBLOOP_BUNDLE: bundle };
  for (const [k, v] of Object.entries({ ...loop.env, ...step.env })) env[k] = fillIfRun(String(v));
  const timeoutMs = step.timeout === undefined ? undefined : step.timeout * 1000;
  let argv: string[];
  let script: string | null = null;
  if (step.script !== undefined) {
    script = fillIfRun(step.script);
    const path = insideWorkspace(workspace, script, "script");
    if (!skip && !existsSync(path)) throw new InputError(`step ${step.id}: script ${script} does not exist`);
    const runner = builtFile("src/runner/execute/zx-script.js");
    argv = [process.execPath, runner, path, ...spliced(step.args ?? [], loop.presets ?? {}, fillIfRun)];
    if (timeoutMs !== undefined) env[ZX_TIMEOUT_ENV] = String(timeoutMs);
  } else {
    argv = prepareArgv(step.run as NonNullable<Step["run"]>, loop.presets ?? {}, fillIfRun);
  }
  if (!skip && step.shell !== true) checkProgram(argv[0], { ...process.env, ...env }, workspace);
  return {
    id: step.id,
    skip,
    argv,
    shell: step.shell === true,
    cwd: insideWorkspace(workspace, fillIfRun(step.cwd ?? "."), "cwd"),
    env,
    timeoutMs,
    stdoutFile: step.stdout ?? `${step.id}.stdout`,
    stderrFile: step.stderr ?? `${step.id}.stderr`,
    script,
  };
}
