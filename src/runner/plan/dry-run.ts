/** What a run would do, said without doing it: the steps as they would run, the checks, the records. */

import { join, relative } from "node:path";
import { quote, stampOf } from "../collect/bundle.js";
import { fillTemplate } from "../load/workspace.js";
import { notesFileOf, type PhasePlan } from "./phase-plan.js";
import type { PreparedStep, PreparedTask } from "./steps.js";

function commandLine(s: PreparedStep, t: PreparedTask): string {
  const env = Object.entries(t.env)
    .filter(([k]) => !k.startsWith("NBLOOP_"))
    .map(([k, v]) => `${k}=${quote(v)} `)
    .join("");
  const command = s.script
    ? `zx ${[s.script, ...t.argv.slice(3)].map(quote).join(" ")}  [zx script]`
    : t.shell
      ? `${t.argv[0]}  [shell]`
      : t.argv.map(quote).join(" ");
  return `${env}${command}`;
}

function stepLines(s: PreparedStep, rel: (p: string) => string): string[] {
  const first = s.tasks[0];
  const timeout = first.timeoutMs ? `, timeout ${first.timeoutMs / 1000} s` : "";
  const skip = s.skip ? ` (skipped: ${s.skip})` : "";
  if (!s.matrix)
    return [
      `  ${s.id}: ${commandLine(s, first)}${skip}`,
      `      cwd ${rel(first.cwd)}, stdout → ${first.stdoutFile}, stderr → ${first.stderrFile}${timeout}`,
    ];
  const names = Object.keys(first.values);
  const shown = s.tasks.slice(0, 3).map((t) => `      ${t.dir}: ${commandLine(s, t)}`);
  if (s.tasks.length > 3) shown.push(`      … and ${s.tasks.length - 3} more`);
  return [
    `  ${s.id}: ${s.tasks.length} tasks, one per ${names.join(" × ")}${skip}`,
    ...shown,
    `      cwd ${rel(first.cwd)}, stdout and stderr in each task's folder${timeout}`,
  ];
}

function artifactLines(plan: PhasePlan, bundle: string): string[] {
  const lines: string[] = [];
  for (const a of plan.artifacts(bundle)) {
    const checks = [a.declared.non_empty === false ? "may be empty" : "not empty"];
    if (!a.inBundle && a.declared.fresh !== false) checks.push("written by this run");
    if (a.declared.contains !== undefined) checks.push(`contains "${a.declared.contains}"`);
    if (a.declared.schema !== undefined) checks.push(`valid against ${a.declared.schema}`);
    if (!a.inBundle) checks.push("kept in the bundle");
    lines.push(`  ${a.shown}: ${checks.join(", ")}`);
  }
  return lines.length > 0 ? lines : ["  none"];
}

function testLines(plan: PhasePlan): string[] {
  const lines = plan.tests.groups.map(
    (g) =>
      `  ${g.runner.name} (${g.launcher.map(quote).join(" ") || "the command itself"}): ${g.selectors.join(", ")}`,
  );
  lines.push(...plan.tests.problems.map((p) => `  CANNOT RUN: ${p}`));
  return lines.length > 0 ? lines : ["  none"];
}

export function dryRunLines(plan: PhasePlan, now: Date): string[] {
  const bundle = join(plan.workspace, fillTemplate(plan.bundleTemplate, { stamp: stampOf(now) })).replace(
    /\/+$/,
    "",
  );
  const rel = (p: string) => relative(plan.workspace, p) || ".";
  const lines = [
    `dry run: ${plan.loop.item} phase ${plan.phaseName} — ${plan.phase.summary}`,
    `bundle: ${rel(bundle)}/ (from ${plan.loop.bundle})`,
    "steps (run in order, without a shell unless marked):",
    ...plan.steps(bundle).flatMap((s) => stepLines(s, rel)),
    "artifacts (checked where they are after the steps):",
    ...artifactLines(plan, bundle),
    "mapped tests:",
    ...testLines(plan),
    `guards: ${(plan.phase.guards ?? []).join(", ") || "none"}`,
  ];
  const captures = plan.captures(bundle);
  if (captures.length > 0)
    lines.push(`if blocked, captured into: ${captures.map((c) => c.shown).join(", ")}`);
  lines.push(`records: ${rel(plan.ledger)} (Attempt for ${plan.loop.item}), ${rel(notesFileOf(bundle))}`);
  if (plan.plan) lines.push(`plan: ${rel(plan.plan)} task ${plan.phase.task ?? plan.phaseName}`);
  return lines;
}
