/**
 * A blocked phase, done as its If Blocked says: blocked.md in the bundle (the cause, the note, the
 * last lines of the step's output, git status where asked), and each file capture written where the
 * loop names it (the step's stdout and stderr, as a memo asks "capture stdout/stderr into X").
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { RunResult, StepRecord } from "../collect/bundle.js";
import { gitChanges } from "../collect/guards.js";
import type { PhasePlan, PlannedCapture } from "../plan/phase-plan.js";

const LAST_LINES = 12;

export function lastLines(file: string, n: number): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .slice(-n)
    .filter((l) => l.trim() !== "");
}

function tail(title: string, file: string): string[] {
  return [`## ${title} (last lines)`, "", "```", ...lastLines(file, LAST_LINES), "```", ""];
}

/** Write each capture file; the workspace-relative paths written, and a line per capture that had nothing to take. */
function writeCaptures(
  plan: PhasePlan,
  bundle: string,
  records: StepRecord[],
  blocked: string,
): { written: string[]; notes: string[] } {
  const written: string[] = [];
  const notes: string[] = [];
  for (const c of plan.captures(bundle)) {
    const stepId = c.step ?? blocked;
    const record = records.find((r) => r.id === stepId);
    const sources = record
      ? c.streams.map((s) => join(bundle, s === "stdout" ? record.stdout : record.stderr))
      : [];
    const present = sources.filter((f) => existsSync(f));
    if (present.length === 0) {
      notes.push(`capture ${c.shown}: step ${stepId} left no output in this bundle`);
      continue;
    }
    mkdirSync(dirname(c.file), { recursive: true });
    writeFileSync(c.file, Buffer.concat(present.map((f) => readFileSync(f))));
    written.push(relative(plan.workspace, c.file));
  }
  return { written, notes };
}

/** What a capture took, in words: "stdout, stderr of trace_harness → reports/x/out.txt". */
export function captureText(c: PlannedCapture, blocked: string | null): string {
  return `${c.streams.join(", ")} of ${c.step ?? blocked ?? "the blocked step"} → ${c.shown}`;
}

export function recordBlocked(
  plan: PhasePlan,
  bundle: string,
  result: RunResult,
  records: StepRecord[],
): void {
  const kinds = new Set([
    "stderr",
    ...(plan.phase.if_blocked?.capture ?? []).filter((c) => typeof c === "string"),
  ]);
  const failing = records.find((r) => r.id === result.blocked_step);
  const lines = [`# Blocked: ${result.cause}`, "", plan.phase.if_blocked?.note ?? "", ""];
  if (failing) {
    if (kinds.has("stderr")) lines.push(...tail(`stderr of ${failing.id}`, join(bundle, failing.stderr)));
    if (kinds.has("stdout")) lines.push(...tail(`stdout of ${failing.id}`, join(bundle, failing.stdout)));
  }
  if (kinds.has("git_status"))
    lines.push("## git status", "", "```", ...(gitChanges(plan.workspace) ?? []), "```", "");
  if (failing) {
    const { written, notes } = writeCaptures(plan, bundle, records, failing.id);
    result.captures = written;
    const captured = plan.captures(bundle).map((c) => `- ${captureText(c, failing.id)}`);
    if (captured.length > 0)
      lines.push("## Captured into the workspace", "", ...captured, ...notes.map((n) => `- ${n}`), "");
  }
  if (plan.phase.if_blocked?.notify) lines.push(`Notify: ${plan.phase.if_blocked.notify}`, "");
  writeFileSync(join(bundle, "blocked.md"), `${lines.join("\n")}\n`);
}
