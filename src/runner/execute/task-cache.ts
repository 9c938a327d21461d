/**
 * --resume: a task whose key matches a successful task of an earlier bundle of the same phase takes
 * that task's outputs (a matrix task's folder, a plain step's files and output streams) instead of
 * running, and is marked cached.
 */

import { cpSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { readTaskIndex, siblingBundles, succeeded, type TaskRecord } from "./task-index.js";

export interface CacheHit {
  bundle: string;
  record: TaskRecord;
}

/** Every successful task of this step in the earlier bundles, by key; the newest wins. */
export function earlierTasks(bundle: string, stepId: string): Map<string, CacheHit> {
  const found = new Map<string, CacheHit>();
  for (const earlier of siblingBundles(bundle)) {
    for (const record of readTaskIndex(earlier, stepId)?.tasks ?? []) {
      if (record.key && succeeded(record) && !found.has(record.key))
        found.set(record.key, { bundle: earlier, record });
    }
  }
  return found;
}

const filesOf = (r: TaskRecord) =>
  r.dir === "" ? [...new Set([r.stdout, r.stderr, ...r.outputs])] : [r.dir];

/** Whether the earlier task's files are still there to be taken. */
export function stillThere(hit: CacheHit): boolean {
  return filesOf(hit.record).every((f) => existsSync(join(hit.bundle, f)));
}

/** Copy the earlier task's outputs into this bundle, where this task would have written them. */
export function restore(
  hit: CacheHit,
  bundle: string,
  task: { dir: string; stdoutFile: string; stderrFile: string },
): void {
  const r = hit.record;
  if (r.dir !== "") {
    mkdirSync(dirname(join(bundle, task.dir)), { recursive: true });
    cpSync(join(hit.bundle, r.dir), join(bundle, task.dir), { recursive: true });
    return;
  }
  const renamed = new Map([
    [r.stdout, task.stdoutFile],
    [r.stderr, task.stderrFile],
  ]);
  for (const file of filesOf(r)) {
    const to = join(bundle, renamed.get(file) ?? file);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(hit.bundle, file), to);
  }
}

/** Where a cached task came from, as the summary shows it. */
export const cachedFrom = (hit: CacheHit, workspace: string) =>
  relative(workspace, join(hit.bundle, hit.record.dir || "."));
