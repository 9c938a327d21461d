/**
 * A bundle's page: the run at a glance, its steps (exit, seconds, output files), its matrix tasks,
 * artifacts with their checksums verified now (a file changed since the run is flagged), metrics,
 * mapped test counts, trace audits as a table with the first divergence highlighted, image audits
 * with the reference, port and difference pictures, every other picture, and its summary.md.
 */

import { type Dirent, existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { verifyManifest } from "../../runner/collect/bundle.js";
import type { Bundle } from "../evidence.js";
import { badge, esc, link, page, table } from "../html.js";
import { renderMarkdown } from "../markdown.js";
import { bundleFile, from, inWorkspace, itemFile, type SitePaths } from "./site-paths.js";

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** Folders of the bundle (itself and below, three levels) holding `name`. */
function foldersWith(root: string, name: string, depth = 3): string[] {
  const found: string[] = [];
  const walk = (dir: string, level: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === name)) found.push(dir);
    if (level < depth) for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name), level + 1);
  };
  walk(root, 0);
  return found;
}

function stepsSection(b: Bundle, dir: string, file: string): string {
  const fileLink = (name: string) =>
    existsSync(join(dir, name))
      ? link(from(file, join(dir, name)), name)
      : `<span class="missing">${esc(name)}</span>`;
  const rows = b.result.steps.map((s) => {
    const how = s.reused
      ? "reused"
      : s.skipped
        ? `skipped: ${s.skipped}`
        : s.tasks
          ? `${s.tasks.filter((t) => t.state === "done" || t.state === "cached" || t.state === "reused").length} of ${s.tasks.length} tasks ok`
          : s.timedOut
            ? "timed out"
            : s.signal
              ? s.signal
              : `exit ${s.exitCode}`;
    return [
      esc(s.id),
      badge(how),
      (s.durationMs / 1000).toFixed(2),
      fileLink(s.stdout),
      fileLink(s.stderr),
      esc(s.executor ?? ""),
    ];
  });
  return table(["step", "result", "seconds", "stdout", "stderr", "ran on"], rows, "steps");
}

function tasksSection(b: Bundle, dir: string, file: string): string {
  return b.result.steps
    .filter((s) => s.tasks)
    .map((s) => {
      const tasks = s.tasks ?? [];
      const rows = tasks.map((t) => [
        existsSync(join(dir, t.dir)) ? link(from(file, join(dir, t.dir)), t.id) : esc(t.id),
        esc(Object.values(t.values).join(", ")),
        badge(t.state),
        t.seconds.toFixed(2),
        esc(t.exit_code ?? t.problem ?? "—"),
        esc([t.host, t.job ? `job ${t.job}` : ""].filter(Boolean).join(", ")),
      ]);
      return `<h3>Tasks of ${esc(s.id)} (${tasks.length})</h3>\n${table(["task", "values", "state", "seconds", "exit", "where"], rows, "tasks")}`;
    })
    .join("\n");
}

function artifactsSection(b: Bundle, dir: string, file: string): string {
  const changed = existsSync(join(dir, "sha256.txt")) ? new Set(verifyManifest(dir)) : null;
  const rows = b.result.artifacts.map((a) => {
    const kept = a.kept ?? (a.path.startsWith("{bundle}/") ? a.path.slice(9) : null);
    const checked =
      changed === null
        ? "no manifest"
        : kept && changed.has(kept)
          ? '<span class="missing">changed since the run</span>'
          : "sha256 as recorded";
    const target = kept ? join(dir, kept) : null;
    return [
      target && existsSync(target) ? link(from(file, target), a.path) : esc(a.path),
      badge(a.ok ? "ok" : (a.problem ?? "failed")),
      checked,
    ];
  });
  const others = changed ? [...changed].filter((f) => !b.result.artifacts.some((a) => a.kept === f)) : [];
  const note =
    others.length > 0
      ? `<p class="missing">Changed or missing since the run: ${others.map(esc).join(", ")}</p>`
      : changed
        ? "<p>Every file of the bundle matches its recorded sha256.</p>"
        : "";
  return `${table(["artifact", "check", "checksum now"], rows, "artifacts")}\n${note}`;
}

function metricsSection(dir: string): string {
  const metrics = readJson(join(dir, "metrics.json"));
  const values = (metrics?.values ?? metrics ?? {}) as Record<string, unknown>;
  const rows = Object.entries(values).map(([k, v]) => [
    esc(k),
    esc(typeof v === "string" ? v : JSON.stringify(v)),
  ]);
  return table(["metric", "value"], rows, "metrics");
}

function traceAudits(dir: string, file: string): string {
  return foldersWith(dir, "comparisons.json")
    .map((folder) => {
      const c = readJson(join(folder, "comparisons.json")) as {
        ref_name: string;
        port_name: string;
        first_divergence: string | null;
        compared: Array<{
          key: string;
          ref: string;
          port: string;
          rel_err: number | null;
          status: string;
          first: boolean;
        }>;
      } | null;
      if (!c) return "";
      const rows = c.compared.map((r) => [
        esc(r.key),
        esc(r.ref),
        esc(r.port),
        esc(r.rel_err === null ? "—" : r.rel_err.toExponential(2)),
        badge(r.first ? "first divergence" : r.status),
      ]);
      const head = c.first_divergence
        ? `First divergence: <strong>${esc(c.first_divergence)}</strong>`
        : "No divergence";
      const html = table(["key", c.ref_name, c.port_name, "rel err", "status"], rows, "trace", (i) =>
        c.compared[i].first ? "first-divergence" : "",
      );
      return `<h3>Trace audit ${link(from(file, folder), relative(dir, folder) || ".")}</h3>\n<p>${head}</p>\n${html}`;
    })
    .join("\n");
}

function imageAudits(dir: string): string[] {
  return foldersWith(dir, "diff.png").filter((folder) => existsSync(join(folder, "ref.png")));
}

function pictures(dir: string, file: string): string {
  const audits = imageAudits(dir);
  const sections = audits.map((folder) => {
    const m = readJson(join(folder, "metrics.json")) ?? {};
    const figures = ["ref", "port", "diff"]
      .map(
        (n) =>
          `<figure><img src="${esc(from(file, join(folder, `${n}.png`)))}" alt="${n}"><figcaption>${n}</figcaption></figure>`,
      )
      .join("");
    return `<h3>Image audit ${esc(relative(dir, folder) || ".")}: ${badge(String(m.verdict ?? ""))} correlation ${esc(m.correlation ?? "—")}, sum ratio ${esc(m.sum_ratio ?? "—")}</h3><div class="pictures">${figures}</div>`;
  });
  const inAudits = new Set(audits.flatMap((f) => ["ref", "port", "diff"].map((n) => join(f, `${n}.png`))));
  const others: string[] = [];
  const walk = (d: string, level: number) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory() && level < 3 && e.name !== "tasks") walk(path, level + 1);
      else if (e.isFile() && e.name.endsWith(".png") && !inAudits.has(path)) others.push(path);
    }
  };
  walk(dir, 0);
  if (others.length > 0)
    sections.push(
      `<h3>Pictures</h3><div class="pictures">${others
        .slice(0, 24)
        .map(
          (p) =>
            `<figure><img src="${esc(from(file, p))}" alt="${esc(relative(dir, p))}"><figcaption>${esc(relative(dir, p))}</figcaption></figure>`,
        )
        .join("")}</div>`,
    );
  return sections.join("\n") || '<p class="none">no pictures</p>';
}

function testsSection(b: Bundle): string {
  const t = b.result.tests;
  if (!t) return '<p class="none">no mapped tests</p>';
  const c = t.counts;
  return `<p>${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, ${c.errors} errors</p>`;
}

export function bundlePage(b: Bundle, paths: SitePaths): { file: string; html: string } {
  const file = bundleFile(paths, b.path);
  const dir = inWorkspace(paths, b.path);
  const r = b.result;
  const summary = existsSync(join(dir, "summary.md"))
    ? renderMarkdown(readFileSync(join(dir, "summary.md"), "utf8"), dir, join(file, ".."))
    : '<p class="none">no summary.md</p>';
  const body = `<h1>${esc(r.item)} · phase ${esc(r.phase)} ${badge(r.status)}</h1>
<p>${link(from(file, dir), b.path)} · started ${esc(r.started_utc)}, finished ${esc(r.finished_utc ?? "—")} · ${r.attempt === null ? "no Attempt" : link(`${from(file, itemFile(paths, r.item))}#attempt-${r.attempt}`, `Attempt #${r.attempt}`)} · ${link(from(file, itemFile(paths, r.item)), r.item)}</p>
${r.cause ? `<p>Cause: ${esc(r.cause)}</p>` : ""}
<h2>Steps</h2>
${stepsSection(b, dir, file)}
${tasksSection(b, dir, file)}
<h2>Audits and pictures</h2>
${traceAudits(dir, file)}
${pictures(dir, file)}
<h2>Artifacts</h2>
${artifactsSection(b, dir, file)}
<h2>Metrics</h2>
${metricsSection(dir)}
<h2>Mapped tests</h2>
${testsSection(b)}
<h2>summary.md</h2>
<div class="summary">${summary}</div>`;
  return { file, html: page(`${r.item} ${r.phase} ${r.started_utc} — nbloop evidence`, "..", body) };
}
