/**
 * Where a step's tasks run, behind one small interface: submit them, wait for them, cancel them.
 * The local pool and Slurm sit beside each other here; another scheduler (PBS, Kubernetes) would be
 * one more file of the same shape.
 */

import type { ExecutorName, SlurmOptions } from "../../load/loop.js";
import type { PreparedTask } from "../../plan/steps.js";
import { interruptSignal } from "../interrupt.js";

/** How one task ended. */
export interface TaskOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The machine it ran on. */
  host: string;
  /** The scheduler's job ID (an array element as JOB_INDEX), or null on the local pool. */
  job: string | null;
  /** Why it did not run to its end, in words (never started, cancelled, lost), or null. */
  problem: string | null;
}

export interface ExecutorContext {
  bundle: string;
  workspace: string;
  stepId: string;
  /** The item and phase, for job names. */
  label: string;
  /** Tasks at once: the pool's size, or the job array's throttle. */
  jobs: number;
  slurm: SlurmOptions;
  /** Told as each task ends, with its index among the submitted tasks. */
  finished(index: number, outcome: TaskOutcome): void;
}

/** What was submitted; the scheduler's job IDs where there is a scheduler. */
export interface Submission {
  jobs: string[];
}

export interface Executor<S extends Submission = Submission> {
  readonly name: ExecutorName;
  submit(tasks: PreparedTask[], context: ExecutorContext): Promise<S>;
  /** Resolves once every task has ended: their outcomes in the order submitted. */
  wait(submission: S): Promise<TaskOutcome[]>;
  /** Stops what still runs or waits; resolves once nothing of it is left. */
  cancel(submission: S): Promise<void>;
}

/** The outcome of a task that never ran. */
export function notRun(problem: string, host = "", job: string | null = null): TaskOutcome {
  return { exitCode: null, signal: null, timedOut: false, durationMs: 0, host, job, problem };
}

/**
 * Run tasks on an executor to their end. SIGINT or SIGTERM to nbloop cancels them (scancel on
 * Slurm), so that an interrupted run leaves nothing running or queued.
 */
export async function runTasks<S extends Submission>(
  executor: Executor<S>,
  tasks: PreparedTask[],
  context: ExecutorContext,
): Promise<{ outcomes: TaskOutcome[]; jobs: string[] }> {
  const submission = await executor.submit(tasks, context);
  let cancelling: Promise<void> | null = null;
  const cancel = () => {
    cancelling ??= executor.cancel(submission);
  };
  if (interruptSignal.aborted) cancel();
  interruptSignal.addEventListener("abort", cancel);
  try {
    const outcomes = await executor.wait(submission);
    await cancelling;
    return { outcomes, jobs: submission.jobs };
  } finally {
    interruptSignal.removeEventListener("abort", cancel);
  }
}
