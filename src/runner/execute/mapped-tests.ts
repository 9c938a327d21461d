/** Running a phase's mapped tests after its steps: each runner once per group, counts summed. */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TestGroup } from "../plan/mapped-tests.js";
import {
  addCounts,
  countsText,
  NO_TESTS,
  type RunContext,
  type RunnerRun,
  TESTS_DIR,
  type TestCounts,
} from "./test-runners/runner.js";

export interface TestsResult {
  runs: RunnerRun[];
  counts: TestCounts;
  /** Why the mapped tests do not pass, or null. */
  failure: string | null;
}

/** Why one runner's run does not pass: its problem, failing tests, or an exit status its report does not explain. */
function failureOf(run: RunnerRun): string | null {
  if (run.problem) return `${run.runner}: ${run.problem}`;
  if (run.counts.failed + run.counts.errors > 0) return `${run.runner}: ${countsText(run.counts)}`;
  if (run.exitCode !== 0 && !(run.runner === "command" && run.counts.skipped > 0))
    return `${run.runner} exit ${run.exitCode} with no failing test in its report`;
  return null;
}

export async function runTests(groups: TestGroup[], ctx: RunContext): Promise<TestsResult> {
  mkdirSync(join(ctx.bundle, TESTS_DIR), { recursive: true });
  const runs: RunnerRun[] = [];
  for (const [i, g] of groups.entries()) {
    runs.push(
      ...(await g.runner.run(
        g.launcher,
        g.selectors,
        ctx,
        `${g.runner.name}${groups.length > 1 ? `-${i + 1}` : ""}`,
      )),
    );
  }
  const counts = runs.reduce((sum, r) => addCounts(sum, r.counts), NO_TESTS);
  const failures = runs.map(failureOf).filter((f): f is string => f !== null);
  return { runs, counts, failure: failures.length > 0 ? failures.join("; ") : null };
}
