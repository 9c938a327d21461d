/**
 * Where things stand: per ledger item its status and last attempt, and from the bundles in the
 * workspace the phases whose latest run is blocked and what comes next.
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseLedger } from "../ledger/fix-plan.js";
import { InputError } from "../util/input-error.js";
import type { RunResult } from "./collect/bundle.js";

export interface ItemStatus {
  id: string;
  title: string;
  status: string | null;
  lastAttempt: { number: number; date: string; result: string } | null;
  blockedPhases: Array<{ phase: string; bundle: string; cause: string | null }>;
  nextUp: string[];
}

const SKIP = new Set(["node_modules", ".git", "dist"]);

/** Every result.json under the workspace (bundles), newest first. */
export function findResults(workspace: string): RunResult[] {
  const results: RunResult[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name)) continue;
      const path = join(dir, name);
      if (name === "result.json") {
        try {
          results.push(JSON.parse(readFileSync(path, "utf8")));
        } catch {
          // a result being written or damaged says nothing about status
        }
      } else if (statSync(path).isDirectory()) {
        walk(path, depth + 1);
      }
    }
  };
  walk(workspace, 0);
  return results.sort((a, b) => b.started_utc.localeCompare(a.started_utc));
}

export function workspaceStatus(workspace: string, ledgerPath = "docs/fix_plan.md"): ItemStatus[] {
  const ledgerFile = join(workspace, ledgerPath);
  if (!existsSync(ledgerFile))
    throw new InputError(`${relative(process.cwd(), ledgerFile) || ledgerFile}: no ledger here`);
  const ledger = parseLedger(readFileSync(ledgerFile, "utf8"));
  const results = findResults(workspace);
  const seen = new Set<string>();
  const items: ItemStatus[] = [];
  for (const item of ledger.items) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    const sections = ledger.items.filter((i) => i.id === item.id);
    const attempts = sections.flatMap((s) => s.attempts).sort((a, b) => a.number - b.number);
    const last = attempts[attempts.length - 1];
    const mine = results.filter((r) => r.item === item.id);
    const latestPerPhase = new Map<string, RunResult>();
    for (const r of mine) if (!latestPerPhase.has(r.phase)) latestPerPhase.set(r.phase, r);
    items.push({
      id: item.id,
      title: item.title,
      status: sections[sections.length - 1].status,
      lastAttempt: last ? { number: last.number, date: last.date, result: last.result } : null,
      blockedPhases: [...latestPerPhase.values()]
        .filter((r) => r.status === "blocked")
        .map((r) => ({ phase: r.phase, bundle: r.bundle, cause: r.cause })),
      nextUp: mine[0]?.next_up ?? [],
    });
  }
  return items;
}

export function statusLines(items: ItemStatus[]): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const attempt = item.lastAttempt
      ? `last Attempt #${item.lastAttempt.number} ${item.lastAttempt.date} (${item.lastAttempt.result})`
      : "no attempts";
    lines.push(`${item.id} — ${item.status ?? "no status"} — ${attempt}`);
    for (const b of item.blockedPhases)
      lines.push(`  blocked: phase ${b.phase} (${b.bundle}) ${b.cause ?? ""}`.trimEnd());
    if (item.nextUp.length > 0) lines.push(`  next up: ${item.nextUp.join("; ")}`);
  }
  return lines;
}
