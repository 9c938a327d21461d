/**
 * `nbloop report`: the evidence of a workspace as static pages that open from disk (no server, nothing
 * fetched): index.html, a page per ledger item, a page per bundle, the stylesheet and the search.
 * Incremental: a bundle page whose bundle's files have not changed (names, sizes, times) is kept.
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { SEARCH, STYLE } from "./assets.js";
import { bundleFingerprint, type Evidence, readEvidence } from "./evidence.js";
import { bundlePage } from "./pages/bundle-page.js";
import { indexPage } from "./pages/index-page.js";
import { itemPage } from "./pages/item-page.js";
import { bundleFile, itemFile, type SitePaths } from "./pages/site-paths.js";

/** Changes whenever the pages' shape does, so that a site built by another version is built anew. */
const FORMAT = "report-1";
const STATE = ".build-state.json";

export interface SiteBuild {
  site: string;
  index: string;
  pages: number;
  /** Bundle pages written this time, and those kept from the last build. */
  built: number;
  kept: number;
  seconds: number;
  evidence: Evidence;
}

interface BuildState {
  format: string;
  bundles: Record<string, string>;
}

function readState(site: string): BuildState {
  try {
    const state = JSON.parse(readFileSync(join(site, STATE), "utf8")) as BuildState;
    if (state.format === FORMAT && state.bundles) return state;
  } catch {
    // no state yet, or another version's: everything is built
  }
  return { format: FORMAT, bundles: {} };
}

function write(file: string, text: string): void {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
}

function searchIndex(evidence: Evidence, paths: SitePaths): string {
  const rel = (file: string) => relative(paths.site, file);
  const entries = [
    ...evidence.items.map((i) => ({
      title: `${i.id} — ${i.title}`,
      text: `${i.status ?? ""} ${i.priority ?? ""}`,
      href: rel(itemFile(paths, i.id)),
    })),
    ...evidence.items.flatMap((i) =>
      i.attempts.map((a) => ({
        title: `${i.id} Attempt #${a.number} (${a.date}) ${a.result}`,
        text: a.text.replace(/\s+/g, " ").trim(),
        href: `${rel(itemFile(paths, i.id))}#attempt-${a.number}`,
      })),
    ),
    ...evidence.bundles.map((b) => ({
      title: `${b.result.item} ${b.result.phase} ${basename(b.path)} ${b.result.status}`,
      text: `${b.path} ${b.result.cause ?? ""}`,
      href: rel(bundleFile(paths, b.path)),
    })),
  ];
  // a script rather than JSON: pages opened from disk may not fetch files
  return `window.NBLOOP_SEARCH = ${JSON.stringify(entries).replace(/</g, "\\u003c")};\n`;
}

export function buildSite(workspace: string, out?: string): SiteBuild {
  const started = performance.now();
  const root = resolve(workspace);
  const site = resolve(root, out ?? "reports/site");
  const paths: SitePaths = { workspace: root, site };
  const evidence = readEvidence(root, site);
  mkdirSync(site, { recursive: true });
  const state = readState(site);
  const next: BuildState = { format: FORMAT, bundles: {} };
  let built = 0;
  for (const b of evidence.bundles) {
    const print = createHash("sha256").update(bundleFingerprint(root, b.path)).digest("hex");
    next.bundles[b.path] = print;
    const page = bundleFile(paths, b.path);
    if (state.bundles[b.path] === print && existsSync(page)) continue;
    const { file, html } = bundlePage(b, paths);
    write(file, html);
    built++;
  }
  // pages of bundles that are gone
  const pagesDir = join(site, "bundles");
  const wanted = new Set(evidence.bundles.map((b) => bundleFile(paths, b.path)));
  if (existsSync(pagesDir))
    for (const name of readdirSync(pagesDir))
      if (!wanted.has(join(pagesDir, name))) rmSync(join(pagesDir, name));
  const metrics = new Map<string, Record<string, unknown>>();
  const read = (bundle: string) => {
    if (!metrics.has(bundle)) {
      let values: Record<string, unknown> = {};
      try {
        const m = JSON.parse(readFileSync(join(root, bundle, "metrics.json"), "utf8"));
        values = (m.values ?? m) as Record<string, unknown>;
      } catch {
        // a bundle without metrics charts nothing
      }
      metrics.set(bundle, values);
    }
    return metrics.get(bundle) as Record<string, unknown>;
  };
  for (const item of evidence.items) {
    const { file, html } = itemPage(item, evidence, paths, read);
    write(file, html);
  }
  const index = indexPage(evidence, paths);
  write(index.file, index.html);
  write(join(site, "style.css"), STYLE);
  write(join(site, "search.js"), SEARCH);
  write(join(site, "search-index.js"), searchIndex(evidence, paths));
  writeFileSync(join(site, STATE), `${JSON.stringify(next)}\n`);
  return {
    site,
    index: index.file,
    pages: 1 + evidence.items.length + evidence.bundles.length,
    built,
    kept: evidence.bundles.length - built,
    seconds: (performance.now() - started) / 1000,
    evidence,
  };
}
