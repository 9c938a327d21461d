/**
 * An item's page: its Attempts History as a table, each attempt with its text, its bundle and the
 * files it names (marked missing where they are not), then each metric that recurs across its
 * attempts charted over them.
 */

import { join } from "node:path";
import type { Attempt, Evidence, Item, NamedPath } from "../evidence.js";
import { badge, esc, link, page, table } from "../html.js";
import { renderMarkdown } from "../markdown.js";
import { chart, type Point } from "../svg-chart.js";
import { bundleFile, from, inWorkspace, itemFile, type SitePaths } from "./site-paths.js";

/** Charts at most this many metrics, those seen in the most attempts first. */
const MAX_CHARTS = 12;

/** Links to the bundles and files a text names; a file that is not there marked missing. */
export function pathLinks(named: NamedPath[], paths: SitePaths, pageFile: string): string {
  const bundles = [...new Set(named.flatMap((p) => (p.bundle ? [p.bundle] : [])))];
  const out = bundles.map((b) => `bundle ${link(from(pageFile, bundleFile(paths, b)), b)}`);
  for (const p of named) {
    if (p.bundle && bundles.includes(p.path.replace(/\/+$/, ""))) continue;
    out.push(
      p.exists
        ? link(from(pageFile, inWorkspace(paths, p.path)), p.path)
        : `<span class="missing">${esc(p.path)} (missing)</span>`,
    );
  }
  return out.join("<br>") || "—";
}

/**
 * Per attempt: the numbers of its Metrics lines (keys compared without case), its bundle's
 * metrics.json values (words too, such as the first divergence's key) and the bundle's seconds.
 */
function attemptMetrics(
  attempt: Attempt,
  evidence: Evidence,
  read: (bundle: string) => Record<string, unknown>,
) {
  const values: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(attempt.metrics))
    if (typeof v === "number") values[k.toLowerCase()] = v;
  const bundle = attempt.paths.find((p) => p.bundle)?.bundle;
  const found = bundle ? evidence.bundles.find((b) => b.path === bundle) : undefined;
  if (found) {
    for (const [k, v] of Object.entries(read(found.path)))
      if (typeof v === "number" || (typeof v === "string" && v.length <= 60)) values[k.toLowerCase()] = v;
    const { started_utc, finished_utc } = found.result;
    if (finished_utc) values.seconds = (Date.parse(finished_utc) - Date.parse(started_utc)) / 1000;
  }
  return values;
}

/** The metrics people follow first: correlation, the first divergence, sums and ratios, timings. */
const FIRST = /correl|diverg|sum|ratio|second|time|passed|failed/;

function trends(item: Item, evidence: Evidence, read: (bundle: string) => Record<string, unknown>): string {
  const series = new Map<string, Point[]>();
  for (const a of item.attempts)
    for (const [key, value] of Object.entries(attemptMetrics(a, evidence, read)))
      series.set(key, [...(series.get(key) ?? []), { attempt: a.number, value }]);
  const recurring = [...series].filter(([, points]) => points.length >= 2);
  if (recurring.length === 0) return '<p class="none">no metric recurs across the attempts</p>';
  const rank = ([key, points]: [string, Point[]]) => (FIRST.test(key) ? 1000 : 0) + points.length;
  recurring.sort((a, b) => rank(b) - rank(a) || a[0].localeCompare(b[0]));
  const charts = recurring.slice(0, MAX_CHARTS).map(([key, points]) => {
    const numeric = points.filter((p) => typeof p.value === "number");
    return chart(key, numeric.length >= 2 ? numeric : points);
  });
  const rest = recurring.slice(MAX_CHARTS).map(([key, points]) => `${esc(key)} (${points.length})`);
  return `${charts.join("\n")}${rest.length > 0 ? `<p>Also recurring: ${rest.join(", ")}</p>` : ""}`;
}

/** A status as a badge of its first word, the rest as written. */
export function statusBadge(status: string | null): string {
  const [word, ...rest] = (status ?? "").split(/(?<=^\S+)\s+/);
  return `${badge(word ?? "")}${rest.length > 0 ? ` ${esc(rest.join(" "))}` : ""}`;
}

/** The attempt's lines without the bullet's own indentation, so that markdown reads it as a list. */
function dedent(text: string): string {
  const indent = text.search(/\S/);
  return text
    .split("\n")
    .map((l) => l.slice(Math.min(indent, Math.max(0, l.search(/\S|$/)))))
    .join("\n");
}

export function itemPage(
  item: Item,
  evidence: Evidence,
  paths: SitePaths,
  read: (bundle: string) => Record<string, unknown>,
): { file: string; html: string } {
  const file = itemFile(paths, item.id);
  const ledgerDir = join(inWorkspace(paths, evidence.ledger), "..");
  const rows = [...item.attempts]
    .reverse()
    .map((a) => [
      `<a id="attempt-${a.number}">#${a.number}</a>`,
      esc(a.date),
      badge(a.result),
      `<div class="attempt-text">${renderMarkdown(dedent(a.text), ledgerDir, join(file, ".."), true)}</div>`,
      pathLinks(a.paths, paths, file),
    ]);
  const mine = evidence.bundles.filter((b) => b.result.item === item.id);
  const bundles = mine
    .sort((a, b) => b.result.started_utc.localeCompare(a.result.started_utc))
    .map((b) => [
      link(from(file, bundleFile(paths, b.path)), b.path),
      esc(b.result.phase),
      badge(b.result.status),
      esc(b.result.started_utc),
      b.result.attempt === null ? "—" : `#${b.result.attempt}`,
    ]);
  const body = `<h1>${esc(item.id)} — ${esc(item.title)}</h1>
<p>Status ${statusBadge(item.status)} · priority ${esc(item.priority ?? "—")} · ${item.attempts.length} attempts · ${link(from(file, join(paths.site, "index.html")), "all items")}</p>
<p>Files it names: ${pathLinks(item.paths, paths, file)}</p>
<h2>Trends over the attempts</h2>
${trends(item, evidence, read)}
<h2>Attempts History</h2>
${table(["#", "date", "result", "attempt", "evidence"], rows, "attempts")}
<h2>Bundles</h2>
${table(["bundle", "phase", "status", "started", "attempt"], bundles, "bundles")}`;
  return { file, html: page(`${item.id} — nbloop evidence`, "..", body) };
}
