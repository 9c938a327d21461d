/** The run's Attempt in the ledger: numbered under the ledger's lock, appended to the item's history. */

import { type AttemptResult, appendAttempt } from "../../ledger/fix-plan.js";
import { updateFile } from "../../ledger/safe-file.js";
import type { RunResult } from "../collect/bundle.js";
import { type MetricValue, metricsLine } from "../collect/metrics.js";
import { countsText } from "../execute/test-runners/runner.js";
import type { PhasePlan } from "../plan/phase-plan.js";

export function attemptResult(result: RunResult): AttemptResult {
  return result.status === "success" ? "success" : result.status === "failed" ? "failed" : "blocked";
}

/**
 * The evidence as the ledger lists it: the artifacts that passed their checks (where they are, and
 * where the bundle keeps them), the notes file nbloop writes next, the If Blocked captures.
 */
function artifactsLine(result: RunResult, notes: string[]): string[] {
  const good = result.artifacts.filter((a) => a.ok);
  const inPlace = [...good.filter((a) => a.kept !== null).map((a) => a.path), ...notes];
  const inBundle = good
    .filter((a) => a.kept === null)
    .map((a) => a.path.replace(/^\{bundle\}/, result.bundle));
  const listed = [...inPlace, ...inBundle, ...result.captures];
  if (listed.length === 0) return [`${result.bundle}/summary.md`];
  if (inPlace.length > 0) listed[inPlace.length - 1] += ` (kept in ${result.bundle}/artifacts/)`;
  return listed;
}

export async function recordAttempt(
  plan: PhasePlan,
  result: RunResult,
  metrics: Record<string, MetricValue>,
  finished: Date,
  notes: string[],
): Promise<number> {
  const summary = result.cause ? `${plan.phase.summary} — ${result.cause}` : plan.phase.summary;
  const tests = result.tests
    ? `${countsText(result.tests.counts)} (${[...new Set(result.tests.runs.map((r) => r.runner))].join(", ")})`
    : undefined;
  let number = 0;
  await updateFile(plan.ledger, (old) => {
    const updated = appendAttempt(old ?? "# Fix Plan Ledger\n", plan.loop.item, plan.loop.title, {
      date: finished.toISOString().slice(0, 10),
      result: attemptResult(result),
      summary: `Phase ${plan.phaseName}: ${summary} (bundle ${result.bundle}/)`,
      metrics: Object.keys(metrics).length > 0 ? metricsLine(metrics) : undefined,
      tests,
      artifacts: artifactsLine(result, notes),
      firstDivergence:
        typeof metrics.first_divergence_key === "string" ? metrics.first_divergence_key : undefined,
      notify: result.status === "blocked" ? plan.phase.if_blocked?.notify : undefined,
    });
    number = updated.number;
    return updated.text;
  });
  return number;
}
