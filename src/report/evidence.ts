/**
 * What the report shows, read from a workspace: the ledger's items with their attempts (each
 * attempt's text, the files it names and whether they exist, its bundle where nbloop wrote one), the
 * plans' task tables, and every bundle (a folder holding result.json). Works on ledgers nbloop did not
 * write: an attempt's links come from the paths its text names.
 */

import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseLedger } from "../ledger/fix-plan.js";
import { cellValue, isSeparatorRow, tableCells } from "../ledger/table-row.js";
import type { RunResult } from "../runner/collect/bundle.js";
import { InputError } from "../util/input-error.js";

export interface NamedPath {
  /** As the text wrote it (line ranges such as :1-252 dropped). */
  path: string;
  exists: boolean;
  /** The bundle this path is, or lies in (workspace-relative), or null. */
  bundle: string | null;
}

export interface Attempt {
  number: number;
  date: string;
  result: string;
  /** The bullet and its indented lines, as written. */
  text: string;
  paths: NamedPath[];
  /** key=number pairs of its Metrics lines (a ledger nbloop did not write has them too). */
  metrics: Record<string, number | string>;
}

export interface Item {
  id: string;
  title: string;
  status: string | null;
  priority: string | null;
  /** Files its section names outside its attempts (plan, reproduction, artifacts of record). */
  paths: NamedPath[];
  attempts: Attempt[];
}

/** The lines of an item's section before its first attempt (or up to the next section). */
function sectionHead(lines: string[], heading: number, firstAttempt: number | undefined): string {
  let end = heading;
  while (end < lines.length && (end === heading || !/^#{1,2}\s/.test(lines[end]))) end++;
  return lines.slice(heading, Math.min(end, (firstAttempt ?? end + 1) - 1)).join("\n");
}

export interface PlanTable {
  /** Workspace-relative. */
  file: string;
  title: string;
  tasks: Array<{ id: string; state: string; description: string; paths: NamedPath[] }>;
}

export interface Bundle {
  /** Workspace-relative folder. */
  path: string;
  result: RunResult;
}

export interface Evidence {
  workspace: string;
  ledger: string;
  items: Item[];
  plans: PlanTable[];
  bundles: Bundle[];
}

const SKIP = new Set(["node_modules", ".git", "dist"]);

/** Every folder under `root` holding result.json, but `skip` (the site itself) and nested bundles' insides. */
function findBundles(workspace: string, skip: string): Bundle[] {
  const found: Bundle[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 10 || dir === skip) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === "result.json")) {
      try {
        const result = JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as RunResult;
        if (typeof result.item === "string" && typeof result.status === "string")
          found.push({ path: relative(workspace, dir), result });
      } catch {
        // a result.json being written, or someone else's file of that name
      }
      return;
    }
    for (const e of entries) if (e.isDirectory() && !SKIP.has(e.name)) walk(join(dir, e.name), depth + 1);
  };
  walk(workspace, 0);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Paths a text names: backquoted ones, and bare words that look like workspace paths, whose first
 * folder is one the workspace has (or a usual one), so that code such as `self.beam_center_f/s` is
 * not taken for a file.
 */
function namedPaths(text: string, top: Set<string>): string[] {
  const words = new Set<string>();
  for (const m of text.matchAll(/`([^`\s]+)`/g)) words.add(m[1]);
  for (const m of text.matchAll(/(?:^|[\s(])((?:reports|plans|docs|scripts|tests|src|specs)\/[^\s`),;]+)/g))
    words.add(m[1]);
  return [...words]
    .map((w) => w.replace(/:\d+(?:[-,]\d+)*$/, "").replace(/[.:]+$/, ""))
    .filter((w) => /^[\w.@+-]+(?:\/[\w.@+-]*)+$/.test(w) && !w.includes(".."))
    .filter((w) => top.has(w.split("/")[0]));
}

const USUAL_TOP = ["reports", "plans", "docs", "scripts", "tests", "src", "specs"];

function resolvePaths(text: string, workspace: string, top: Set<string>, bundles: Set<string>): NamedPath[] {
  return namedPaths(text, top).map((path) => {
    const exists = existsSync(join(workspace, path));
    return { path, exists, bundle: exists ? bundleOf(path, bundles) : null };
  });
}

function bundleOf(path: string, bundles: Set<string>): string | null {
  for (let p = path.replace(/\/+$/, ""); p && p !== "."; p = p.slice(0, Math.max(0, p.lastIndexOf("/"))))
    if (bundles.has(p)) return p;
  return null;
}

/** key=value pairs on Metrics lines: numbers where they read as numbers (1,234 and 12.5% too). */
function metricsOf(text: string): Record<string, number | string> {
  const metrics: Record<string, number | string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*Metrics:\s*(.*)$/.exec(line);
    if (!m) continue;
    for (const pair of m[1].matchAll(/([A-Za-z_][\w.]*)\s*=\s*([^\s,;()]+(?:,\d{3})*)/g)) {
      const raw = pair[2].replace(/,(?=\d{3}\b)/g, "");
      const value = Number(raw.replace(/%$/, ""));
      metrics[pair[1]] = Number.isFinite(value) ? value : pair[2];
    }
  }
  return metrics;
}

function attemptsOf(lines: string[], item: ReturnType<typeof parseLedger>["items"][number]) {
  return item.attempts.map((a) => {
    const first = lines[a.line - 1];
    const indent = first.search(/\S/);
    let end = a.line;
    while (end < lines.length) {
      const line = lines[end];
      if (line.trim() !== "" && line.search(/\S/) <= indent) break;
      end++;
    }
    const text = lines
      .slice(a.line - 1, end)
      .join("\n")
      .trimEnd();
    return { number: a.number, date: a.date, result: a.result, text };
  });
}

function readPlans(workspace: string, named: (text: string) => NamedPath[]): PlanTable[] {
  const root = join(workspace, "plans");
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith(".md")) files.push(join(dir, e.name));
    }
  };
  if (existsSync(root)) walk(root);
  return files.sort().flatMap((file) => {
    const text = readFileSync(file, "utf8");
    const tasks = planTasks(text).map((t) => ({ ...t, paths: named(t.row) }));
    if (tasks.length === 0) return [];
    const title = /^#\s+(.+)$/m.exec(text)?.[1] ?? relative(workspace, file);
    return [{ file: relative(workspace, file), title, tasks }];
  });
}

/** Rows of the tables whose header starts with ID and has a State column, with their descriptions. */
function planTasks(text: string): Array<{ id: string; state: string; description: string; row: string }> {
  const tasks: Array<{ id: string; state: string; description: string; row: string }> = [];
  let columns: { state: number; description: number } | null = null;
  for (const line of text.split("\n")) {
    const cells = tableCells(line);
    if (!cells) {
      columns = null;
      continue;
    }
    const values = cells.map(cellValue);
    if (isSeparatorRow(cells)) continue;
    if (columns === null) {
      const state = values.findIndex((v) => /^state$/i.test(v));
      columns =
        /^id$/i.test(values[0] ?? "") && state > 0
          ? { state, description: state > 1 ? 1 : -1 }
          : { state: -1, description: -1 };
      continue;
    }
    if (columns.state < 0 || !values[0]) continue;
    tasks.push({
      id: values[0],
      state: values[columns.state] ?? "",
      description: columns.description > 0 ? (values[columns.description] ?? "") : "",
      row: line,
    });
  }
  return tasks;
}

export function readEvidence(workspace: string, site: string, ledgerPath = "docs/fix_plan.md"): Evidence {
  const ledgerFile = join(workspace, ledgerPath);
  if (!existsSync(ledgerFile)) throw new InputError(`${ledgerFile}: no ledger here (give --workspace)`);
  const text = readFileSync(ledgerFile, "utf8");
  const lines = text.split("\n");
  const bundles = findBundles(workspace, site);
  const bundleSet = new Set(bundles.map((b) => b.path));
  const top = new Set([...readdirSync(workspace), ...USUAL_TOP]);
  const named = (t: string) => resolvePaths(t, workspace, top, bundleSet);
  const seen = new Map<string, Item>();
  for (const section of parseLedger(text).items) {
    const item = seen.get(section.id) ?? {
      id: section.id,
      title: section.title,
      status: section.status,
      priority: section.priority,
      paths: [],
      attempts: [],
    };
    item.paths.push(...named(sectionHead(lines, section.line - 1, section.attempts[0]?.line)));
    item.status = section.status ?? item.status;
    for (const a of attemptsOf(lines, section)) {
      item.attempts.push({ ...a, paths: named(a.text), metrics: metricsOf(a.text) });
    }
    seen.set(section.id, item);
  }
  for (const item of seen.values()) item.attempts.sort((a, b) => a.number - b.number);
  return {
    workspace,
    ledger: ledgerPath,
    items: [...seen.values()],
    plans: readPlans(workspace, named),
    bundles,
  };
}

/** Files of a bundle with their sizes and times: what decides whether its page is built again. */
export function bundleFingerprint(workspace: string, bundle: string): string {
  const parts: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path, `${rel}${e.name}/`);
      else {
        const s = statSync(path);
        parts.push(`${rel}${e.name} ${s.size} ${s.mtimeMs}`);
      }
    }
  };
  walk(join(workspace, bundle), "");
  return parts.join("\n");
}
