/**
 * The record of a step's tasks in its bundle, tasks/<step>.json: each task's values, folder, state,
 * exit, seconds, where it ran, cache key and outputs. --resume looks up earlier tasks here, `nbloop
 * rerun` finds the tasks to run again, and a gather step may read the values of its matrix.
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** done: ran and exited 0; cached: outputs taken from an earlier bundle (--resume); reused: taken over by a rerun. */
export type TaskState = "done" | "failed" | "cached" | "reused" | "cancelled" | "skipped";

export interface TaskRecord {
  id: string;
  values: Record<string, string>;
  /** Bundle-relative folder ("" for a plain step). */
  dir: string;
  state: TaskState;
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  seconds: number;
  host: string;
  job: string | null;
  /** Why it did not run to its end, or why it could not be cached. */
  problem: string | null;
  key: string | null;
  /** Where a cached task's outputs came from (workspace-relative task folder or bundle). */
  cached_from: string | null;
  /** Bundle-relative files it wrote (a plain step's; a matrix task's are its folder). */
  outputs: string[];
  stdout: string;
  stderr: string;
}

export interface TaskIndex {
  step: string;
  executor: string;
  jobs: string[];
  tasks: TaskRecord[];
}

export const indexFile = (bundle: string, stepId: string) => join(bundle, "tasks", `${stepId}.json`);

export function writeTaskIndex(bundle: string, index: TaskIndex): void {
  writeFileSync(indexFile(bundle, index.step), `${JSON.stringify(index, null, 2)}\n`);
}

export function readTaskIndex(bundle: string, stepId: string): TaskIndex | null {
  const path = indexFile(bundle, stepId);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** A task whose outputs may be used again. */
export const succeeded = (t: TaskRecord) =>
  t.state === "done" || t.state === "cached" || t.state === "reused";

/**
 * The earlier bundles of the same phase (the folders beside this one), newest first: where --resume
 * looks for tasks with the same key.
 */
export function siblingBundles(bundle: string): string[] {
  const parent = dirname(bundle);
  return readdirSync(parent, { withFileTypes: true })
    .filter(
      (e) => e.isDirectory() && e.name !== basename(bundle) && existsSync(join(parent, e.name, "tasks")),
    )
    .map((e) => join(parent, e.name))
    .sort()
    .reverse();
}
