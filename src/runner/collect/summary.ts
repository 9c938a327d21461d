/** summary.md of a bundle: the run at a glance, with each step, the mapped tests, artifacts and metrics. */

import { existsSync, readFileSync } from "node:fs";
import { dirname, posix, relative } from "node:path";
import { countsText } from "../execute/test-runners/runner.js";
import type { PhasePlan } from "../plan/phase-plan.js";
import type { RunResult, StepRecord } from "./bundle.js";
import type { MetricValue } from "./metrics.js";

function stepHow(r: StepRecord): string {
  if (r.reused) return "reused";
  if (r.skipped) return `skipped: ${r.skipped}`;
  if (r.cached_from) return `cached (${r.cached_from})`;
  if (r.tasks) {
    const counts = new Map<string, number>();
    for (const t of r.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    return [...counts].map(([state, n]) => `${n} ${state}`).join(", ");
  }
  if (r.timedOut) return "timed out";
  if (r.problem) return r.problem;
  return r.signal ? r.signal : `exit ${r.exitCode}`;
}

/** Where a step or task ran: the machine, and the Slurm job. */
function where(host: string | undefined, job: string | null | undefined, executor?: string): string {
  const parts = [host, job ? `job ${job}` : ""].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : (executor ?? "—");
}

function tasksSection(records: StepRecord[]): string[] {
  const lines: string[] = [];
  for (const r of records) {
    if (!r.tasks) continue;
    const names = Object.keys(r.tasks[0]?.values ?? {});
    lines.push(
      "",
      `## Tasks of ${r.id} (${r.executor}${r.jobs && r.jobs.length > 0 ? `, Slurm job ${r.jobs.join(", ")}` : ""})`,
      "",
      `| task | ${names.join(" | ")} | state | seconds | exit | where | folder |`,
      `|---|${names.map(() => "---|").join("")}---|---|---|---|---|`,
    );
    for (const t of r.tasks) {
      const exit = t.timed_out ? "timed out" : t.signal ? t.signal : (t.exit_code ?? t.problem ?? "—");
      const from = t.cached_from ? ` (from ${t.cached_from})` : "";
      lines.push(
        `| ${t.id} | ${names.map((n) => t.values[n]).join(" | ")} | ${t.state}${from} | ${t.seconds.toFixed(2)} | ${exit} | ${where(t.host, t.job)} | ${t.dir} |`,
      );
    }
  }
  return lines;
}

function testsSection(result: RunResult): string[] {
  if (!result.tests) return [];
  const lines = [
    "",
    `## Mapped tests: ${countsText(result.tests.counts)}`,
    "",
    "| runner | selectors | passed | failed | skipped | errors | exit | output | report |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of result.tests.runs) {
    const c = r.counts;
    const selectors = r.selectors.map((s) => `\`${s}\``).join("<br>");
    lines.push(
      `| ${r.runner} | ${selectors} | ${c.passed} | ${c.failed} | ${c.skipped} | ${c.errors} | ${r.exitCode} | ${r.output} | ${r.report ?? r.problem ?? "none"} |`,
    );
  }
  return lines;
}

function artifactsSection(result: RunResult): string[] {
  if (result.artifacts.length === 0) return [];
  const lines = ["", "## Artifacts", "", "| artifact | check | kept in the bundle |", "|---|---|---|"];
  for (const a of result.artifacts)
    lines.push(`| ${a.path} | ${a.ok ? "ok" : a.problem} | ${a.kept ?? "—"} |`);
  return lines;
}

/** Markdown moved from `from` into a file in `to`: its relative links and pictures made to point where they did. */
function rebased(markdown: string, from: string, to: string): string {
  const prefix = relative(to, from);
  if (prefix === "") return markdown;
  return markdown.replace(/(!?\[[^\]]*\]\()([^)\s]+)\)/g, (whole, open: string, url: string) =>
    /^(?:[a-z][a-z0-9+.-]*:|#|\/)/i.test(url) ? whole : `${open}${posix.join(prefix, url)})`,
  );
}

export function summaryText(
  plan: PhasePlan,
  bundle: string,
  result: RunResult,
  records: StepRecord[],
  metrics: Record<string, MetricValue>,
): string {
  const lines = [
    `# ${plan.loop.item} — phase ${plan.phaseName}: ${result.status}`,
    "",
    plan.phase.summary,
    "",
    `- Loop: ${result.loop}`,
    `- Started: ${result.started_utc}; finished: ${result.finished_utc}`,
    `- Attempt: ${result.attempt === null ? "not recorded" : `#${result.attempt} in ${relative(plan.workspace, plan.ledger)}`}`,
  ];
  if (result.rerun_of) lines.push(`- Rerun of: ${result.rerun_of}`);
  if (result.cause) lines.push(`- Cause: ${result.cause}`);
  if (result.captures.length > 0) lines.push(`- Captured into: ${result.captures.join(", ")}`);
  lines.push(
    "",
    "## Steps",
    "",
    "| step | result | seconds | ran on | stdout | stderr |",
    "|---|---|---|---|---|---|",
  );
  for (const r of records) {
    const ranOn = r.tasks ? (r.executor ?? "—") : where(r.host, r.jobs?.[0], r.executor);
    const out = r.tasks ? "in each task's folder | —" : `${r.stdout} | ${r.stderr}`;
    lines.push(`| ${r.id} | ${stepHow(r)} | ${(r.durationMs / 1000).toFixed(2)} | ${ranOn} | ${out} |`);
  }
  lines.push(...tasksSection(records), ...testsSection(result), ...artifactsSection(result));
  const keys = Object.keys(metrics);
  if (keys.length > 0) {
    lines.push("", "## Metrics", "", "| key | value |", "|---|---|");
    for (const k of keys) lines.push(`| ${k} | ${JSON.stringify(metrics[k])} |`);
  }
  for (const name of [plan.phase.report ?? []].flat()) {
    const report = plan.path(bundle, name, "report");
    const title = name.replace(/^\{bundle\}\//, "");
    if (existsSync(report))
      lines.push(
        "",
        `## Report: ${title}`,
        "",
        rebased(readFileSync(report, "utf8").trimEnd(), dirname(report), bundle),
      );
  }
  const next = plan.phase.next_up ?? [];
  if (next.length > 0) lines.push("", "## Next up", "", ...next.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}
