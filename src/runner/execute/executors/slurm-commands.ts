/**
 * Slurm's own commands, as the executor uses them: sbatch to submit, squeue to follow what is queued
 * or running, scontrol for a job that has left the queue, scancel to stop. No accounting database is
 * needed (sacct is not used).
 */

import { execa } from "execa";

const CALL = { reject: false, timeout: 30_000, stdin: "ignore" as const };

export interface Submitted {
  job: string | null;
  /** sbatch's complaint when it refused. */
  problem: string | null;
}

export async function sbatch(args: string[]): Promise<Submitted> {
  const r = await execa("sbatch", ["--parsable", ...args], CALL);
  if (r.exitCode !== 0 || !/^\d+/.test(String(r.stdout)))
    return {
      job: null,
      problem: `sbatch: ${String(r.stderr || r.message)
        .trim()
        .split("\n")
        .pop()}`,
    };
  // --parsable prints "jobid" or "jobid;cluster"
  return { job: String(r.stdout).trim().split(";")[0], problem: null };
}

export interface Queued {
  state: string;
  node: string;
}

/**
 * What squeue lists of these jobs, by job ID (an array element as JOB_INDEX); null when squeue
 * cannot answer. A job Slurm has already forgotten is simply not listed.
 */
export async function squeue(jobs: string[]): Promise<Map<string, Queued> | null> {
  const queued = new Map<string, Queued>();
  if (jobs.length === 0) return queued;
  const r = await execa(
    "squeue",
    ["--noheader", "--array", `--jobs=${jobs.join(",")}`, "--format=%i|%T|%N"],
    CALL,
  );
  if (r.exitCode !== 0) return /Invalid job id/i.test(String(r.stderr)) ? queued : null;
  for (const line of String(r.stdout).split("\n")) {
    const [id, state, node] = line.trim().split("|");
    if (id) queued.set(id, { state, node: node ?? "" });
  }
  return queued;
}

/** scontrol's record of a job (JobState, ExitCode, NodeList, Reason, ...), empty once Slurm forgets it. */
export async function scontrolJob(job: string): Promise<Record<string, string>> {
  const r = await execa("scontrol", ["--oneliner", "show", "job", job], CALL);
  if (r.exitCode !== 0) return {};
  const fields: Record<string, string> = {};
  for (const m of String(r.stdout).matchAll(/(\w+)=(\S*)/g)) fields[m[1]] ??= m[2];
  return fields;
}

export async function scancel(jobs: string[]): Promise<void> {
  if (jobs.length > 0) await execa("scancel", jobs, CALL);
}
