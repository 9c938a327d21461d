/**
 * A rerun of a bundle: the earlier bundle's step outputs taken over into the new one, the steps
 * before the one it starts from recorded as reused, and the earlier run's baseline kept, so that an
 * artifact a reused step wrote still counts as written by this run.
 */

import { copyFileSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../util/input-error.js";
import { type RunResult, readResult, type StepRecord } from "../collect/bundle.js";
import type { PreparedStep } from "../plan/steps.js";
import { reusedRecord } from "./run-step.js";

/** What the new run makes again: its bookkeeping, the kept artifacts and the mapped tests' output. */
const MADE_AGAIN = new Set([
  "artifacts",
  "tests",
  "result.json",
  "summary.md",
  "sha256.txt",
  "metrics.json",
  "env.json",
  "commands.txt",
  "blocked.md",
  "slurm",
]);

function copyInto(from: string, to: string, dir = ""): void {
  for (const name of readdirSync(join(from, dir))) {
    const rel = join(dir, name);
    if (dir === "" && MADE_AGAIN.has(name)) continue;
    if (statSync(join(from, rel)).isDirectory()) {
      mkdirSync(join(to, rel), { recursive: true });
      copyInto(from, to, rel);
    } else {
      copyFileSync(join(from, rel), join(to, rel));
    }
  }
}

export interface TakenOver {
  earlier: RunResult;
  /** Index of the first step to run. */
  startAt: number;
  records: StepRecord[];
}

export function takeOver(
  earlierBundle: string,
  bundle: string,
  steps: PreparedStep[],
  fromStep?: string,
): TakenOver {
  copyInto(earlierBundle, bundle);
  const earlier = readResult(earlierBundle);
  const from = fromStep ?? earlier.blocked_step ?? steps[0].id;
  const startAt = steps.findIndex((s) => s.id === from);
  if (startAt < 0) throw new InputError(`no step "${from}" in phase ${earlier.phase}`);
  const records = steps
    .slice(0, startAt)
    .map((s) => reusedRecord(s, earlier.steps.find((r) => r.id === s.id)?.exitCode ?? null));
  return { earlier, startAt, records };
}
