/**
 * The local executor: a pool of processes on this machine, as many at once as --jobs says (by
 * default the number of cores). Each task runs without a shell (unless its step says shell: true),
 * stdout and stderr streamed into the bundle.
 */

import { appendFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { PreparedTask } from "../../plan/steps.js";
import { interruptSignal } from "../interrupt.js";
import type { Executor, ExecutorContext, Submission, TaskOutcome } from "./executor.js";
import { notRun } from "./executor.js";

interface LocalSubmission extends Submission {
  stop: AbortController;
  done: Promise<TaskOutcome[]>;
}

/** One task to its end, here. */
export async function runHere(task: PreparedTask, bundle: string, stop: AbortSignal): Promise<TaskOutcome> {
  const start = performance.now();
  const options = {
    cwd: task.cwd,
    env: task.env,
    extendEnv: true,
    reject: false,
    timeout: task.timeoutMs,
    stdin: "ignore" as const,
    cancelSignal: AbortSignal.any([interruptSignal, stop]),
    stdout: { file: join(bundle, task.stdoutFile) },
    stderr: { file: join(bundle, task.stderrFile) },
  };
  const result = task.shell
    ? await execa(task.argv[0], { ...options, shell: true })
    : await execa(task.argv[0], task.argv.slice(1), options);
  const started = !(result.exitCode === undefined && !result.timedOut && !result.signal);
  // one that never started (no such program, say) says why where its stderr goes
  if (!started) appendFileSync(join(bundle, task.stderrFile), `${result.message}\n`);
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut,
    durationMs: Math.round(performance.now() - start),
    host: hostname(),
    job: null,
    problem: started ? null : "did not start",
  };
}

export const localExecutor: Executor<LocalSubmission> = {
  name: "local",

  async submit(tasks: PreparedTask[], context: ExecutorContext): Promise<LocalSubmission> {
    const stop = new AbortController();
    const outcomes: TaskOutcome[] = tasks.map(() => notRun("cancelled before it started", hostname()));
    let next = 0;
    const worker = async () => {
      while (next < tasks.length && !stop.signal.aborted && !interruptSignal.aborted) {
        const index = next++;
        outcomes[index] = await runHere(tasks[index], context.bundle, stop.signal);
        context.finished(index, outcomes[index]);
      }
    };
    const pool = Array.from({ length: Math.max(1, Math.min(context.jobs, tasks.length)) }, worker);
    return { jobs: [], stop, done: Promise.all(pool).then(() => outcomes) };
  },

  wait: (submission) => submission.done,

  async cancel(submission) {
    submission.stop.abort();
    await submission.done;
  },
};
