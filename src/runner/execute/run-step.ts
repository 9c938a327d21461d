/**
 * Running one step: its tasks (one for a plain step, one per combination for a matrix step) on the
 * chosen executor. Before any runs, each task gets its cache key; with --resume a task whose key an
 * earlier bundle of the phase holds takes that task's outputs instead, and a rerun takes over the
 * tasks its earlier bundle finished. The step's tasks are recorded in tasks/<step>.json.
 */

import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { StepRecord } from "../collect/bundle.js";
import type { SlurmOptions } from "../load/loop.js";
import type { PreparedStep, PreparedTask } from "../plan/steps.js";
import { type Executor, runTasks, type TaskOutcome } from "./executors/executor.js";
import { interruptedBy } from "./interrupt.js";
import { type CacheHit, cachedFrom, earlierTasks, restore, stillThere } from "./task-cache.js";
import { succeeded, type TaskIndex, type TaskRecord, writeTaskIndex } from "./task-index.js";
import { taskKey } from "./task-key.js";

export interface StepProgress {
  started(step: PreparedStep): void;
  /** A task of a matrix step ended (ran, cached or reused): done of total. */
  task?(step: PreparedStep, task: TaskRecord, done: number, total: number): void;
  finished(step: PreparedStep, record: StepRecord): void;
}

export const QUIET: StepProgress = { started: () => {}, finished: () => {} };

export interface StepContext {
  bundle: string;
  workspace: string;
  /** Item and phase, for job names. */
  label: string;
  executor: Executor;
  jobs: number;
  slurm: SlurmOptions;
  resume: boolean;
  /** A rerun's earlier record of this step: its successful tasks are taken over, not run. */
  earlier: TaskIndex | null;
  progress: StepProgress;
}

function taskRecord(task: PreparedTask, fields: Partial<TaskRecord>): TaskRecord {
  return {
    id: task.id,
    values: task.values,
    dir: task.dir,
    state: "done",
    exit_code: null,
    signal: null,
    timed_out: false,
    seconds: 0,
    host: "",
    job: null,
    problem: null,
    key: null,
    cached_from: null,
    outputs: [],
    stdout: task.stdoutFile,
    stderr: task.stderrFile,
    ...fields,
  };
}

function ranRecord(task: PreparedTask, outcome: TaskOutcome, key: string | null, keyProblem: string | null) {
  const ok = outcome.exitCode === 0 && !outcome.timedOut && outcome.signal === null;
  return taskRecord(task, {
    state: ok ? "done" : outcome.problem?.startsWith("cancelled") || interruptedBy() ? "cancelled" : "failed",
    exit_code: outcome.exitCode,
    signal: outcome.signal,
    timed_out: outcome.timedOut,
    seconds: outcome.durationMs / 1000,
    host: outcome.host,
    job: outcome.job,
    problem: outcome.problem ?? keyProblem,
    key: ok ? key : null,
  });
}

/** Files of the bundle and their modification times, but nbloop's own bookkeeping. */
function bundleFiles(bundle: string, dir = ""): Map<string, number> {
  const files = new Map<string, number>();
  for (const e of readdirSync(join(bundle, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (dir === "" && ["tasks", "slurm", "result.json"].includes(e.name)) continue;
    if (e.isDirectory()) for (const [f, t] of bundleFiles(bundle, rel)) files.set(f, t);
    else if (e.isFile()) files.set(rel, statSync(join(bundle, rel)).mtimeMs);
  }
  return files;
}

/** Take the tasks that need not run: a rerun's finished ones, and with --resume the cached ones. */
function settledTask(
  task: PreparedTask,
  key: string | null,
  context: StepContext,
  cache: Map<string, CacheHit> | null,
): TaskRecord | null {
  const before = context.earlier?.tasks.find((t) => t.id === task.id);
  if (before && succeeded(before)) return { ...before, state: "reused" };
  const hit = key && cache ? cache.get(key) : undefined;
  if (!hit || !stillThere(hit)) return null;
  restore(hit, context.bundle, task);
  const r = hit.record;
  return taskRecord(task, {
    state: "cached",
    exit_code: r.exit_code,
    seconds: 0,
    host: r.host,
    job: r.job,
    key,
    cached_from: cachedFrom(hit, context.workspace),
    outputs: r.outputs,
  });
}

export async function runStep(step: PreparedStep, context: StepContext): Promise<StepRecord> {
  const { bundle, progress } = context;
  progress.started(step);
  const start = performance.now();
  const cache = context.resume ? earlierTasks(bundle, step.id) : null;
  const records: Array<TaskRecord | null> = step.tasks.map(() => null);
  const keys = step.tasks.map((t) => taskKey(t, bundle, context.workspace));
  let done = 0;
  const told = (r: TaskRecord) => {
    done += 1;
    if (step.matrix) progress.task?.(step, r, done, step.tasks.length);
  };
  const toRun: number[] = [];
  step.tasks.forEach((task, i) => {
    records[i] = settledTask(task, keys[i].key, context, cache);
    if (records[i]) told(records[i] as TaskRecord);
    else toRun.push(i);
  });
  const before = step.matrix ? null : bundleFiles(bundle);
  let jobs: string[] = [];
  if (toRun.length > 0) {
    for (const i of toRun) mkdirSync(join(bundle, step.tasks[i].dir), { recursive: true });
    const ran = await runTasks(
      context.executor,
      toRun.map((i) => step.tasks[i]),
      {
        bundle,
        workspace: context.workspace,
        stepId: step.id,
        label: context.label,
        jobs: context.jobs,
        slurm: context.slurm,
        finished: (n, outcome) => {
          const i = toRun[n];
          records[i] = ranRecord(step.tasks[i], outcome, keys[i].key, keys[i].reason);
          told(records[i] as TaskRecord);
        },
      },
    );
    jobs = ran.jobs;
    ran.outcomes.forEach((outcome, n) => {
      const i = toRun[n];
      records[i] ??= ranRecord(step.tasks[i], outcome, keys[i].key, keys[i].reason);
    });
  }
  const tasks = records as TaskRecord[];
  if (before && toRun.length > 0) {
    const after = bundleFiles(bundle);
    tasks[0].outputs = [...after].filter(([f, t]) => before.get(f) !== t).map(([f]) => f);
  }
  mkdirSync(join(bundle, "tasks"), { recursive: true });
  writeTaskIndex(bundle, { step: step.id, executor: context.executor.name, jobs, tasks });
  const record = stepRecord(step, tasks, Math.round(performance.now() - start), context.executor.name, jobs);
  progress.finished(step, record);
  return record;
}

/** The step's record: a plain step's task's, or a matrix step's with its first failure and every task. */
function stepRecord(
  step: PreparedStep,
  tasks: TaskRecord[],
  durationMs: number,
  executor: string,
  jobs: string[],
): StepRecord {
  const failed = tasks.find((t) => !succeeded(t));
  const shown = failed ?? tasks[0];
  const command = step.tasks[tasks.indexOf(shown)];
  const cached =
    !step.matrix && tasks[0].state === "cached" ? (tasks[0].cached_from ?? undefined) : undefined;
  return {
    id: step.id,
    argv: command.argv,
    shell: command.shell,
    cwd: command.cwd,
    env: command.env,
    exitCode: failed ? failed.exit_code : 0,
    signal: failed ? failed.signal : null,
    timedOut: failed ? failed.timed_out : false,
    durationMs,
    stdout: shown.stdout,
    stderr: shown.stderr,
    executor,
    jobs,
    ...(step.matrix ? { tasks } : {}),
    ...(cached ? { cached_from: cached } : {}),
    ...(!step.matrix && failed?.problem ? { problem: failed.problem } : {}),
    ...(!step.matrix ? { host: tasks[0].host } : {}),
  };
}

/** The record of a step that did not run. */
export function skippedRecord(step: PreparedStep): StepRecord {
  const t = step.tasks[0];
  return {
    id: step.id,
    argv: t.argv,
    shell: t.shell,
    cwd: t.cwd,
    env: t.env,
    exitCode: null,
    signal: null,
    timedOut: false,
    durationMs: 0,
    stdout: t.stdoutFile,
    stderr: t.stderrFile,
    skipped: step.skip ?? undefined,
  };
}

/** The record of a step taken over from the bundle a rerun repeats. */
export function reusedRecord(step: PreparedStep, exitCode: number | null): StepRecord {
  return { ...skippedRecord(step), skipped: undefined, exitCode, reused: true };
}

export function stepFailed(record: StepRecord): boolean {
  if (record.skipped || record.reused) return false;
  if (record.tasks) return record.tasks.some((t) => !succeeded(t));
  return record.timedOut || record.signal !== null || record.exitCode !== 0;
}

/** How a task or plain step ended, in words. */
export function howItEnded(
  r: { timed_out: boolean; signal: string | null; exit_code: number | null; problem: string | null },
  timeoutMs: number | undefined,
): string {
  if (r.timed_out) return `timed out after ${(timeoutMs ?? 0) / 1000} s`;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.exit_code === null) return r.problem ?? "did not start";
  return `exit ${r.exit_code}`;
}

/** Why a failed step blocks the phase: its (first) failed task, how it ended, how many failed. */
export function stepFailure(
  step: PreparedStep,
  record: StepRecord,
): { task: TaskRecord | null; text: string } {
  const tasks = record.tasks ?? [];
  const failed = tasks.filter((t) => !succeeded(t));
  const timeoutMs = step.tasks[0]?.timeoutMs;
  if (failed.length === 0) {
    const how = howItEnded(
      {
        timed_out: record.timedOut,
        signal: record.signal,
        exit_code: record.exitCode,
        problem: record.problem ?? null,
      },
      timeoutMs,
    );
    return { task: null, text: `step ${step.id} ${how}` };
  }
  const first = failed[0];
  const count = failed.length > 1 ? ` (${failed.length} of ${tasks.length} tasks failed)` : "";
  return { task: first, text: `step ${step.id} task ${first.id} ${howItEnded(first, timeoutMs)}${count}` };
}
