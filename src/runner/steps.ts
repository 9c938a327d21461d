/**
 * Running a phase's steps: argv arrays without a shell (a string only where the loop says shell:
 * true), each with its own timeout, working folder and variables, stdout and stderr streamed into
 * the bundle. `nanoBragg` and `nbloop` name this package's own programs.
 */

import { appendFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import type { StepRecord } from "./bundle.js";
import { schemaPath } from "./load-loop.js";
import type { Step } from "./loop.js";

/**
 * argv[0] of this package's programs: nanoBragg through its launcher (bin/nanoBragg, which starts Node
 * without the certificate bundle it does not need), nbloop as node + script.
 */
export function ownProgram(name: string): string[] | null {
  if (name !== "nanoBragg" && name !== "nbloop") return null;
  const root = dirname(dirname(schemaPath("loop.schema.json")));
  const script = join(root, "dist", "src", "cli", name === "nanoBragg" ? "launch.cjs" : "nbloop.js");
  if (!existsSync(script)) return null;
  return name === "nanoBragg" ? [join(root, "bin", "nanoBragg")] : [process.execPath, script];
}

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
}

/** Expand presets ("@name" becomes the preset's words) and placeholders; resolve own programs. */
export function prepareArgv(
  run: Step["run"],
  presets: Record<string, Array<string | number>>,
  fill: (text: string) => string,
): string[] {
  if (typeof run === "string") return [fill(run)];
  const words = run.flatMap((word) => {
    const text = String(word);
    const preset = text.startsWith("@") ? presets[text.slice(1)] : undefined;
    return preset ? preset.map(String) : [text];
  });
  const argv = words.map(fill);
  const own = ownProgram(argv[0]);
  return own ? [...own, ...argv.slice(1)] : argv;
}

export interface StepProgress {
  started(step: PreparedStep): void;
  finished(step: PreparedStep, record: StepRecord): void;
}

export async function runStep(
  step: PreparedStep,
  bundle: string,
  progress: StepProgress,
): Promise<StepRecord> {
  progress.started(step);
  const start = performance.now();
  const options = {
    cwd: step.cwd,
    env: step.env,
    extendEnv: true,
    reject: false,
    timeout: step.timeoutMs,
    stdin: "ignore" as const,
    stdout: { file: join(bundle, step.stdoutFile) },
    stderr: { file: join(bundle, step.stderrFile) },
  };
  const result = step.shell
    ? await execa(step.argv[0], { ...options, shell: true })
    : await execa(step.argv[0], step.argv.slice(1), options);
  if (result.exitCode === undefined && !result.timedOut && !result.signal) {
    // it never started (no such program, say): say why where the step's stderr goes
    appendFileSync(join(bundle, step.stderrFile), `${result.message}\n`);
  }
  const record: StepRecord = {
    id: step.id,
    argv: step.argv,
    shell: step.shell,
    cwd: step.cwd,
    env: step.env,
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut,
    durationMs: Math.round(performance.now() - start),
    stdout: step.stdoutFile,
    stderr: step.stderrFile,
  };
  progress.finished(step, record);
  return record;
}

/** Why a step's if_env / unless_env condition keeps it from running, or null. */
export function skipReason(step: Step, env: NodeJS.ProcessEnv): string | null {
  const set = (name: string) => (env[name] ?? "") !== "";
  if (step.if_env && !set(step.if_env)) return `${step.if_env} is not set`;
  if (step.unless_env && set(step.unless_env)) return `${step.unless_env} is set`;
  return null;
}

/** The record of a step that did not run. */
export function skippedRecord(step: PreparedStep): StepRecord {
  return {
    id: step.id,
    argv: step.argv,
    shell: step.shell,
    cwd: step.cwd,
    env: step.env,
    exitCode: null,
    signal: null,
    timedOut: false,
    durationMs: 0,
    stdout: step.stdoutFile,
    stderr: step.stderrFile,
    skipped: step.skip ?? undefined,
  };
}

export function stepFailed(record: StepRecord): boolean {
  if (record.skipped) return false;
  return record.timedOut || record.signal !== null || record.exitCode !== 0;
}
