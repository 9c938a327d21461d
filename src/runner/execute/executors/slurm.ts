/**
 * The Slurm executor: a matrix step is submitted as job arrays (`sbatch --array`, at most --jobs
 * tasks at once), a plain step as one job. Each task is a shell script in the bundle that writes a
 * status line when it ends; the executor reads those and follows the queue with squeue, and asks
 * scontrol about a task that left the queue without one. The workspace must be on a filesystem the
 * nodes share: a task that cannot see the bundle is reported as such.
 */

import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { PreparedTask } from "../../plan/steps.js";
import type { Executor, ExecutorContext, Submission, TaskOutcome } from "./executor.js";
import { notRun } from "./executor.js";
import { type Queued, sbatch, scancel, scontrolJob, squeue } from "./slurm-commands.js";
import {
  NO_SHARED_BUNDLE,
  parseStatus,
  statusFile,
  writeBatchScript,
  writeTaskScript,
} from "./slurm-scripts.js";

/** Slurm's default MaxArraySize is 1001: larger matrices go as several arrays. */
const ARRAY_CHUNK = 1000;
const POLL_MS = 500;
/** Polls a task may be missing from the queue with no status before it counts as lost (a slow filesystem). */
const MISSING_POLLS = 4;
/** squeue may fail for this long (the controller restarting) before the tasks count as lost. */
const SQUEUE_PATIENCE_MS = 60_000;

interface SlurmSubmission extends Submission {
  tasks: PreparedTask[];
  context: ExecutorContext;
  dir: string;
  /** The job ID of each task (JOB_INDEX for an array element); null where sbatch refused. */
  jobOf: Array<string | null>;
  refused: Array<string | null>;
  cancelled: boolean;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function sbatchOptions(
  context: ExecutorContext,
  tasks: PreparedTask[],
  dir: string,
  array: boolean,
): string[] {
  const s = context.slurm;
  const timeoutMs = tasks[0].timeoutMs;
  const time = s.time ?? (timeoutMs === undefined ? undefined : String(Math.ceil(timeoutMs / 60_000) + 1));
  return [
    `--job-name=nbloop-${context.stepId}`,
    `--output=${join(dir, array ? "slurm-%A_%a.out" : "slurm-%j.out")}`,
    `--chdir=${context.bundle}`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(time ? [`--time=${time}`] : []),
    ...(s.mem ? [`--mem=${s.mem}`] : []),
    ...(s.cpus_per_task ? [`--cpus-per-task=${s.cpus_per_task}`] : []),
    ...(s.extra ?? []),
  ];
}

async function submit(tasks: PreparedTask[], context: ExecutorContext): Promise<SlurmSubmission> {
  const dir = join(context.bundle, "slurm", context.stepId);
  // a rerun's bundle starts without the earlier run's status lines
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  tasks.forEach((task, i) => {
    mkdirSync(join(context.bundle, task.dir), { recursive: true });
    writeTaskScript(dir, i, task, context.bundle);
  });
  const array = tasks.length > 1 || tasks[0].dir !== "";
  const sub: SlurmSubmission = {
    jobs: [],
    tasks,
    context,
    dir,
    jobOf: tasks.map(() => null),
    refused: tasks.map(() => null),
    cancelled: false,
  };
  for (let first = 0; first < tasks.length; first += ARRAY_CHUNK) {
    const count = Math.min(ARRAY_CHUNK, tasks.length - first);
    const batch = writeBatchScript(
      dir,
      `${context.label} step ${context.stepId}: tasks ${first} to ${first + count - 1}`,
    );
    const arrayArgs = array ? [`--array=0-${count - 1}%${Math.max(1, context.jobs)}`] : [];
    // the batch script picks task-(offset + index).sh
    const offset = first === 0 ? [] : [`--export=ALL,NBLOOP_TASK_OFFSET=${first}`];
    const r = await sbatch([...sbatchOptions(context, tasks, dir, array), ...arrayArgs, ...offset, batch]);
    if (r.job) sub.jobs.push(r.job);
    for (let i = first; i < first + count; i++) {
      sub.jobOf[i] = r.job && array ? `${r.job}_${i - first}` : r.job;
      sub.refused[i] = r.problem;
    }
  }
  return sub;
}

function finishedOutcome(sub: SlurmSubmission, index: number, text: string): TaskOutcome | null {
  const status = parseStatus(text);
  if (!status) return null;
  const timed =
    sub.tasks[index].timeoutMs !== undefined && (status.exitCode === 124 || status.exitCode === 137);
  return {
    exitCode: status.exitCode,
    signal: null,
    timedOut: timed,
    durationMs: status.durationMs,
    host: status.host,
    job: sub.jobOf[index],
    problem: null,
  };
}

/**
 * A task that left the queue without a status line: what scontrol still knows of it. On a node that
 * cannot see the bundle the job cannot even open its output file there, so the shared filesystem is
 * named whatever Slurm says.
 */
async function lostOutcome(sub: SlurmSubmission, index: number, node: string): Promise<TaskOutcome> {
  const job = sub.jobOf[index] ?? "";
  const info = await scontrolJob(job);
  const where = info.NodeList && info.NodeList !== "(null)" ? info.NodeList : node;
  const exit = (info.ExitCode ?? "").split(":")[0];
  const said = info.JobState
    ? `Slurm says ${info.JobState}${info.Reason && info.Reason !== "None" ? `, ${info.Reason}` : ""}${exit && exit !== "0" ? `, exit ${exit}` : ""}`
    : "Slurm no longer knows the job";
  const unseen = exit === String(NO_SHARED_BUNDLE) ? "the node could not see the bundle: " : "";
  const output = relative(sub.context.bundle, sub.dir);
  return notRun(
    `job ${job} left the queue${where ? ` on ${where}` : ""} without writing its status into the bundle (${said}); ${unseen}the workspace must be on a filesystem the Slurm nodes share (see ${output}/slurm-${job}.out)`,
    where,
    job,
  );
}

async function wait(sub: SlurmSubmission): Promise<TaskOutcome[]> {
  const outcomes: Array<TaskOutcome | null> = sub.tasks.map(() => null);
  const pending = new Set<number>();
  sub.tasks.forEach((_, i) => {
    if (sub.refused[i]) outcomes[i] = notRun(sub.refused[i] as string);
    else pending.add(i);
  });
  const missing = new Map<number, number>();
  const nodes = new Map<number, string>();
  let squeueFailingSince: number | null = null;
  const finish = (i: number, outcome: TaskOutcome) => {
    outcomes[i] = outcome;
    pending.delete(i);
    sub.context.finished(i, outcome);
  };
  while (pending.size > 0) {
    for (const i of [...pending]) {
      const path = statusFile(sub.dir, i);
      const outcome = existsSync(path) ? finishedOutcome(sub, i, readFileSync(path, "utf8")) : null;
      if (outcome) finish(i, outcome);
    }
    if (pending.size === 0) break;
    const queue: Map<string, Queued> | null = await squeue(sub.jobs);
    if (queue === null) {
      squeueFailingSince ??= Date.now();
      if (Date.now() - squeueFailingSince > SQUEUE_PATIENCE_MS)
        for (const i of [...pending])
          finish(i, notRun("squeue could not say where the task is", "", sub.jobOf[i]));
      await sleep(POLL_MS);
      continue;
    }
    squeueFailingSince = null;
    for (const i of [...pending]) {
      const queued = queue.get(sub.jobOf[i] ?? "");
      if (queued) {
        missing.delete(i);
        if (queued.node) nodes.set(i, queued.node);
        continue;
      }
      if (existsSync(statusFile(sub.dir, i))) continue;
      if (sub.cancelled)
        finish(i, { ...notRun("cancelled", nodes.get(i) ?? "", sub.jobOf[i]), signal: "SIGTERM" });
      else {
        const polls = (missing.get(i) ?? 0) + 1;
        missing.set(i, polls);
        if (polls >= MISSING_POLLS) finish(i, await lostOutcome(sub, i, nodes.get(i) ?? ""));
      }
    }
    if (pending.size > 0) await sleep(POLL_MS);
  }
  return outcomes as TaskOutcome[];
}

/** scancel, then wait until squeue lists none of the jobs (at most 20 s). */
async function cancel(sub: SlurmSubmission): Promise<void> {
  sub.cancelled = true;
  await scancel(sub.jobs);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const queue = await squeue(sub.jobs);
    if (queue !== null && queue.size === 0) return;
    await sleep(250);
  }
}

export const slurmExecutor: Executor<SlurmSubmission> = { name: "slurm", submit, wait, cancel };
