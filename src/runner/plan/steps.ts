/**
 * A phase's steps as they will run: argv with presets spliced and placeholders filled, this package's
 * own programs resolved (`nanoBragg`, `nbloop`), zx scripts turned into the command that runs them,
 * the working folder, variables, timeout and output files, and whether the step runs at all. A plain
 * step is one task; a matrix step one task per combination of its values, each in its own folder.
 */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../../util/input-error.js";
import { findProgram } from "../execute/test-runners/program.js";
import type { LoopFile, Step } from "../load/loop.js";
import { insideWorkspace } from "../load/workspace.js";
import { builtFile, packageRoot } from "../own-files.js";
import { axisValues, fillTask, type MatrixTask, matrixTasks, refuseTaskPlaceholders } from "./matrix.js";

/** One command to run: a plain step's, or one task's of a matrix step. */
export interface PreparedTask {
  /** The step's ID for a plain step; the task's folder name in a matrix step. */
  id: string;
  /** The matrix values it runs with ({} for a plain step). */
  values: Record<string, string>;
  /** Its folder, bundle-relative: "" for a plain step, tasks/<step>/<id> for a matrix task. */
  dir: string;
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number | undefined;
  /** Bundle-relative. */
  stdoutFile: string;
  stderrFile: string;
  /** Files and folders it reads without naming them (absolute). */
  inputs: string[];
  /** Whether `inputs` are all it reads (its argv's paths left out of its cache key). */
  inputsOnly: boolean;
}

export interface PreparedStep {
  id: string;
  /** Why the step will not run (its environment condition), or null. */
  skip: string | null;
  /** The zx script it runs (workspace-relative), or null for a command. */
  script: string | null;
  /** Whether it is a matrix step (tasks in their own folders) or a plain one (one task). */
  matrix: boolean;
  tasks: PreparedTask[];
}

/** The folder of a matrix step's tasks, bundle-relative ({tasks:STEP}). */
export const tasksFolder = (stepId: string): string => join("tasks", stepId);

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

/** The matrix step's tasks, their values read now. */
function tasksOf(step: Step, workspace: string, fill: (text: string) => string): MatrixTask[] | null {
  if (!step.matrix) return null;
  // a matrix file is only read, as a step's own arguments are: it may lie outside the workspace
  const file = (declared: string) => {
    const shown = fill(declared);
    return { path: resolve(workspace, shown), shown };
  };
  return matrixTasks(Object.entries(step.matrix).map(([name, axis]) => [name, axisValues(name, axis, file)]));
}

interface StepTemplate {
  argv: (fill: (text: string) => string) => string[];
  env: Record<string, string>;
  timeoutMs: number | undefined;
}

/** argv and variables of a step, before its task's placeholders are filled. */
function templateOf(
  step: Step,
  loop: LoopFile,
  workspace: string,
  skip: string | null,
  fillIfRun: (text: string) => string,
): StepTemplate & { script: string | null } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...loop.env, ...step.env })) env[k] = String(v);
  const timeoutMs = step.timeout === undefined ? undefined : step.timeout * 1000;
  if (step.script === undefined) {
    const run = step.run as NonNullable<Step["run"]>;
    return { script: null, env, timeoutMs, argv: (fill) => prepareArgv(run, loop.presets ?? {}, fill) };
  }
  const script = fillIfRun(step.script);
  const path = insideWorkspace(workspace, script, "script");
  if (!skip && !existsSync(path)) throw new InputError(`step ${step.id}: script ${script} does not exist`);
  if (timeoutMs !== undefined) env[ZX_TIMEOUT_ENV] = String(timeoutMs);
  const runner = builtFile("src/runner/execute/zx-script.js");
  return {
    script,
    env,
    timeoutMs,
    argv: (fill) => [process.execPath, runner, path, ...spliced(step.args ?? [], loop.presets ?? {}, fill)],
  };
}

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
  const template = templateOf(step, loop, workspace, skip, fillIfRun);
  const matrix = skip ? null : tasksOf(step, workspace, fill);
  const checked = new Set<string>();
  const one = (task: MatrixTask | null): PreparedTask => {
    const dir = task ? join(tasksFolder(step.id), task.id) : "";
    const filled = (text: string) => {
      const once = fillIfRun(text);
      return task ? fillTask(once, task, join(bundle, dir)) : skip ? once : refuseTaskPlaceholders(once);
    };
    const env: Record<string, string> = { NBLOOP_BUNDLE: bundle };
    if (task) env.NBLOOP_TASK = join(bundle, dir);
    for (const [k, v] of Object.entries(template.env)) env[k] = filled(v);
    const argv = template.argv(filled);
    if (!skip && step.shell !== true && !checked.has(argv[0])) {
      checkProgram(argv[0], { ...process.env, ...env }, workspace);
      checked.add(argv[0]);
    }
    return {
      id: task ? task.id : step.id,
      values: task ? task.values : {},
      dir,
      argv,
      shell: step.shell === true,
      cwd: insideWorkspace(workspace, filled(step.cwd ?? "."), "cwd"),
      env,
      timeoutMs: template.timeoutMs,
      stdoutFile: task ? join(dir, "stdout") : (step.stdout ?? `${step.id}.stdout`),
      stderrFile: task ? join(dir, "stderr") : (step.stderr ?? `${step.id}.stderr`),
      inputs: (step.inputs ?? []).map((i) => resolve(workspace, filled(i))),
      inputsOnly: step.inputs_only === true,
    };
  };
  return {
    id: step.id,
    skip,
    script: template.script,
    matrix: matrix !== null,
    tasks: matrix ? matrix.map(one) : [one(null)],
  };
}
