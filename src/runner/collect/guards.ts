/**
 * Guards checked after a phase: `no_stray_files` (nothing new or changed outside the bundle and the
 * files nbloop itself writes, per git status) and `protected_assets` (every path docs/index.md lists
 * still exists).
 */

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** `git status --porcelain` entries (paths), or null outside a git repository. */
export function gitChanges(workspace: string): Set<string> | null {
  try {
    const out = execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], {
      cwd: workspace,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return new Set(
      out
        .split("\n")
        .filter((l) => l.length > 3)
        .map((l) => l.slice(3).replace(/^.* -> /, "")),
    );
  } catch {
    return null;
  }
}

/** Changes that appeared during the run outside `allowed` (workspace-relative folders or files). */
export function strayFiles(
  before: Set<string> | null,
  after: Set<string> | null,
  allowed: string[],
): string[] {
  if (before === null || after === null) return [];
  return [...after].filter(
    (path) =>
      !before.has(path) && !allowed.some((a) => path === a || path.startsWith(a.endsWith("/") ? a : `${a}/`)),
  );
}

/** Paths docs/index.md names (markdown link targets and `code` spans that look like paths) that are missing. */
export function missingProtectedAssets(workspace: string): string[] {
  const index = join(workspace, "docs", "index.md");
  if (!existsSync(index)) return [];
  const text = readFileSync(index, "utf8");
  const paths = new Set<string>();
  for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) if (!/^[a-z]+:/.test(m[1])) paths.add(m[1]);
  for (const m of text.matchAll(/`([\w./-]+\/[\w./-]*\w|[\w-]+\.\w+)`/g)) paths.add(m[1]);
  const docs = join(workspace, "docs");
  return [...paths]
    .filter((p) => {
      const fromDocs = resolve(docs, p);
      const fromRoot = resolve(workspace, p);
      return !existsSync(fromDocs) && !existsSync(fromRoot);
    })
    .map((p) => relative(workspace, resolve(workspace, p)));
}

/**
 * What the phase's guards find wrong after its steps: files changed outside the bundle and the files
 * nbloop itself writes (`own`: workspace-relative, the ledger's lock included), protected assets gone.
 */
export function guardProblems(
  guards: string[],
  workspace: string,
  before: Set<string> | null,
  own: string[],
): string[] {
  const problems: string[] = [];
  if (guards.includes("no_stray_files")) {
    const allowed = [...own, ...own.filter((p) => p.endsWith(".md")).map((p) => `${p}.lock`)];
    const stray = strayFiles(before, gitChanges(workspace), allowed);
    if (stray.length > 0) problems.push(`no_stray_files: ${stray.join(", ")}`);
  }
  if (guards.includes("protected_assets")) {
    const missing = missingProtectedAssets(workspace);
    if (missing.length > 0) problems.push(`protected_assets: missing ${missing.join(", ")}`);
  }
  return problems;
}
