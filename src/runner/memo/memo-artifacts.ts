/**
 * The Artifacts line as the loop's bundle template and artifacts: memo paths become `{bundle}/` paths
 * under the memo's timestamped folder or stay in place, so that the runner writes where the memo said.
 */

import type { Artifact } from "../load/loop.js";

const ENV_SNAPSHOT = /^[^/]*env[^/]*\.json$/;
const ENV_SCHEMA = "nbloop:trace-env.schema.json";
const STAMP_PLACEHOLDER = /\$(?:\{(?:STAMP|TIMESTAMP)\}|(?:STAMP|TIMESTAMP)\b)|<(?:stamp|timestamp)>/gi;

export const fileName = (path: string): string => path.split("/").at(-1) ?? path;

function expandBraces(word: string): string[] {
  const group = /\{([^{}]*,[^{}]*)\}/.exec(word);
  if (!group) return [word];
  const [before, after] = [word.slice(0, group.index), word.slice(group.index + group[0].length)];
  return group[1].split(",").flatMap((choice) => expandBraces(before + choice + after));
}

/** Where the memo's paths go in the loop. */
export interface Placement {
  /** The artifacts' common folder, where a bare file name lives ("" for the workspace root). */
  folder: string;
  /** The bundle folder as the memo writes it, {stamp} for its placeholder (none without one). */
  bundleDir?: string;
}

/**
 * A memo path as a loop path: in place, relative to the workspace (a bare name in the artifacts'
 * folder), or `{bundle}/...` when it lies under the memo's timestamped folder, which is the bundle.
 */
export function placed(path: string, at: Placement): string {
  let full = path.replace(STAMP_PLACEHOLDER, "{stamp}").replace(/^\.\//, "");
  if (!path.includes("/") && at.folder) full = `${at.folder}/${full}`;
  full = full.replace(/\/+$/, "");
  if (at.bundleDir && full === at.bundleDir) return "{bundle}";
  return at.bundleDir && full.startsWith(`${at.bundleDir}/`)
    ? `{bundle}/${full.slice(at.bundleDir.length + 1)}`
    : full;
}

const folderOf = (path: string): string[] => path.split("/").slice(0, -1);

function commonFolder(folders: string[][]): string[] {
  let common = folders[0] ?? [];
  for (const folder of folders) {
    let n = 0;
    while (n < common.length && n < folder.length && common[n] === folder[n]) n++;
    common = common.slice(0, n);
  }
  return common;
}

/** The paths of the Artifacts line, braces expanded and placeholders as {stamp}; the rest is prose. */
function artifactWords(text: string): { paths: string[]; prose: string[] } {
  const paths: string[] = [];
  const prose: string[] = [];
  for (const raw of text.split(/[\s,]+(?![^{]*\})/)) {
    const word = raw.replace(/^[`'"(]+|[`'"),.;:]+$/g, "");
    if (!word) continue;
    if (/[/{]/.test(word) || /\.\w+$/.test(word))
      paths.push(...expandBraces(word.replace(STAMP_PLACEHOLDER, "{stamp}")));
    else prose.push(raw);
  }
  return { paths, prose };
}

/**
 * The Artifacts line as a bundle template and in-place artifacts. The bundle is the folder of the
 * first path with a timestamp placeholder, cut after it, and the artifacts under it are `{bundle}/`
 * paths; without a placeholder the bundle is the paths' common folder + `{stamp}/` (so that the
 * runner's notes.md, beside the bundle, is the memo's), and the artifacts stay workspace paths. A
 * bare file name is a file in the paths' common folder, `./name` one at the workspace root.
 */
export function readArtifacts(
  text: string,
  unmapped: string[],
): { bundle?: string; artifacts: Artifact[]; placement: Placement } {
  const { paths, prose } = artifactWords(text);
  if (prose.length > 0) unmapped.push(`Artifacts: text not mapped: ${prose.join(" ")}`);
  // `./name` is a file at the workspace root: it says where it is, not where the others are
  const nested = paths.filter((path) => path.includes("/") && !path.startsWith("./"));
  const folder = commonFolder(nested.map(folderOf)).join("/");
  const stamped = nested.map(folderOf).find((f) => f.some((segment) => segment.includes("{stamp}")));
  const at: Placement = { folder };
  if (stamped) {
    at.bundleDir = stamped
      .slice(0, stamped.findIndex((segment) => segment.includes("{stamp}")) + 1)
      .join("/");
  } else if (nested.length > 0 && !folder) {
    unmapped.push(`Artifacts: the paths share no folder: ${nested.join(", ")}`);
  }
  const bundle = at.bundleDir ? `${at.bundleDir}/` : folder ? `${folder}/{stamp}/` : undefined;
  if (bundle && !at.bundleDir) {
    unmapped.push(`Artifacts: no timestamp placeholder; they stay in place, each run's bundle is ${bundle}`);
  }
  const artifacts: Artifact[] = [];
  for (const path of paths) {
    const where = placed(path, at);
    if (!where || where === "{bundle}" || where === folder || artifacts.some((a) => a.path === where))
      continue;
    if (/\{stamp\}|\$|<[^>]*>/.test(where)) unmapped.push(`Artifacts: placeholder left in ${where}`);
    artifacts.push(
      ENV_SNAPSHOT.test(fileName(where)) ? { path: where, schema: ENV_SCHEMA } : { path: where },
    );
  }
  return { bundle, artifacts, placement: at };
}
