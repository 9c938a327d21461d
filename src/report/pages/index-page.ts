/** index.html: every ledger item with its status, last attempt, blocked phases and next up; the search; the plans' tasks. */

import { join } from "node:path";
import type { Evidence } from "../evidence.js";
import { badge, esc, link, page, table } from "../html.js";
import { pathLinks, statusBadge } from "./item-page.js";
import { bundleFile, from, inWorkspace, itemFile, type SitePaths } from "./site-paths.js";

function itemRows(evidence: Evidence, paths: SitePaths, pageFile: string): string[][] {
  return evidence.items.map((item) => {
    const last = item.attempts.at(-1);
    const mine = evidence.bundles.filter((b) => b.result.item === item.id);
    const latest = new Map<string, (typeof mine)[number]>();
    for (const b of [...mine].sort((a, c) => a.result.started_utc.localeCompare(c.result.started_utc)))
      latest.set(b.result.phase, b);
    const blocked = [...latest.values()]
      .filter((b) => b.result.status === "blocked")
      .map((b) => link(from(pageFile, bundleFile(paths, b.path)), b.result.phase));
    const newest = mine.sort((a, c) => c.result.started_utc.localeCompare(a.result.started_utc))[0];
    return [
      link(from(pageFile, itemFile(paths, item.id)), item.id),
      esc(item.title),
      statusBadge(item.status),
      last ? `#${last.number} ${esc(last.date)} ${badge(last.result)}` : '<span class="none">none</span>',
      String(item.attempts.length),
      String(mine.length),
      blocked.join(", ") || "—",
      esc((newest?.result.next_up ?? []).join("; ")) || "—",
    ];
  });
}

function plansSection(evidence: Evidence, paths: SitePaths, pageFile: string): string {
  if (evidence.plans.length === 0) return '<p class="none">no plans with task tables</p>';
  return evidence.plans
    .map(
      (plan) =>
        `<h3>${link(from(pageFile, inWorkspace(paths, plan.file)), plan.file)} — ${esc(plan.title)}</h3>\n${table(
          ["task", "state", "description", "files it names"],
          plan.tasks.map((t) => [
            esc(t.id),
            badge(t.state),
            esc(t.description),
            pathLinks(t.paths, paths, pageFile),
          ]),
          "plan",
        )}`,
    )
    .join("\n");
}

export function indexPage(evidence: Evidence, paths: SitePaths): { file: string; html: string } {
  const file = join(paths.site, "index.html");
  const attempts = evidence.items.reduce((n, i) => n + i.attempts.length, 0);
  const body = `<h1>Evidence of ${esc(evidence.workspace.split("/").pop())}</h1>
<p>${evidence.items.length} ledger items (${link(from(file, inWorkspace(paths, evidence.ledger)), evidence.ledger)}), ${attempts} attempts, ${evidence.bundles.length} bundles, ${evidence.plans.length} plans.</p>
<p><input id="search" type="search" placeholder="search items and attempts" aria-label="search items and attempts"></p>
<ol id="results"></ol>
<h2>Ledger items</h2>
${table(["item", "title", "status", "last attempt", "attempts", "bundles", "blocked phases", "next up"], itemRows(evidence, paths, file), "items")}
<h2>Plans</h2>
${plansSection(evidence, paths, file)}`;
  return { file, html: page("nbloop evidence", ".", body, ["search-index.js", "search.js"]) };
}
