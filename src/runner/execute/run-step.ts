/**
 * Running one step: its argv without a shell (a string only where the loop says shell: true), in its
 * working folder with its variables and timeout, stdout and stderr streamed into the bundle.
 */

import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { StepRecord } from "../collect/bundle.js";
import type { PreparedStep } from "../plan/steps.js";
import { interruptSignal } from "./interrupt.js";

export interface StepProgress {
  started(step: PreparedStep): void;
  finished(step: PreparedStep, record: StepRecord): void;
}

export const QUIET: StepProgress = { started: () => {}, finished: () => {} };

function recordOf(step: PreparedStep, fields: Partial<StepRecord>): StepRecord {
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
    ...fields,
  };
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
    cancelSignal: interruptSignal,
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
  const record = recordOf(step, {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut,
    durationMs: Math.round(performance.now() - start),
  });
  progress.finished(step, record);
  return record;
}

/** The record of a step that did not run. */
export function skippedRecord(step: PreparedStep): StepRecord {
  return recordOf(step, { skipped: step.skip ?? undefined });
}

/** The record of a step taken over from the bundle a rerun repeats. */
export function reusedRecord(step: PreparedStep, exitCode: number | null): StepRecord {
  return recordOf(step, { exitCode, reused: true });
}

export function stepFailed(record: StepRecord): boolean {
  if (record.skipped || record.reused) return false;
  return record.timedOut || record.signal !== null || record.exitCode !== 0;
}

/** How a failed step ended, in words. */
export function howItEnded(record: StepRecord, timeoutMs: number | undefined): string {
  if (record.timedOut) return `timed out after ${(timeoutMs ?? 0) / 1000} s`;
  if (record.signal) return `killed by ${record.signal}`;
  return record.exitCode === null ? "did not start" : `exit ${record.exitCode}`;
}
