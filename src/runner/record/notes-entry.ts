/** The run's entry in notes.md beside its bundle: timestamped, with the cause and the If Blocked note. */

import { join } from "node:path";
import { appendNotes, notesEntry } from "../../ledger/notes.js";
import { updateFile } from "../../ledger/safe-file.js";
import type { RunResult, StepRecord } from "../collect/bundle.js";
import { countsText } from "../execute/test-runners/runner.js";
import { notesFileOf, type PhasePlan } from "../plan/phase-plan.js";
import { captureText, lastLines } from "./blocked.js";

function entryLines(plan: PhasePlan, bundle: string, result: RunResult, records: StepRecord[]): string[] {
  const blocked = result.status === "blocked";
  const failing = records.find((r) => r.id === result.blocked_step);
  const stderrTail = failing ? lastLines(join(bundle, failing.stderr), 5) : [];
  const ifBlocked = plan.phase.if_blocked;
  return [
    `- Loop ${result.loop}, bundle \`${result.bundle}/\`, ledger Attempt #${result.attempt}`,
    `- ${plan.phase.summary}`,
    ...(result.tests ? [`- Mapped tests: ${countsText(result.tests.counts)}`] : []),
    ...(result.cause ? [`- Cause: ${result.cause}`] : []),
    ...(blocked && ifBlocked?.note ? [`- If blocked: ${ifBlocked.note}`] : []),
    ...(blocked && failing
      ? plan.captures(bundle).map((c) => `- Captured ${captureText(c, failing.id)}`)
      : []),
    ...(blocked && ifBlocked?.notify ? [`- Notify: ${ifBlocked.notify}`] : []),
    ...(stderrTail.length > 0 ? ["", "```", ...stderrTail, "```"] : []),
  ];
}

export async function recordNotes(
  plan: PhasePlan,
  bundle: string,
  result: RunResult,
  records: StepRecord[],
  finished: Date,
): Promise<void> {
  const entry = notesEntry(
    finished,
    plan.phaseName,
    result.status,
    entryLines(plan, bundle, result, records),
  );
  await updateFile(notesFileOf(bundle), (old) => appendNotes(old, entry));
}
