/** Where the tests find the built CLI, the C reference corpus and the real-world fixtures. */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The simulator as bin/nanoBragg runs it: the launcher, which runs the bundle from its code cache. */
export const CLI = join(REPO_ROOT, "dist/src/cli/launch.cjs");
export const REFERENCE_DIR = process.env.NB_REFERENCE_DIR ?? resolve(REPO_ROOT, "../shared/reference");
export const HAVE_REFERENCE = existsSync(join(REFERENCE_DIR, "manifest.json"));
export const NO_REFERENCE = `no C reference corpus at ${REFERENCE_DIR} (set NB_REFERENCE_DIR)`;
/** Real loop memos, ledgers, plans and traces of a public parity project. */
export const FIXTURES_DIR = process.env.NB_FIXTURES_DIR ?? resolve(REPO_ROOT, "../shared/fixtures/realworld");

export interface ReferenceCase {
  id: string;
  description: string;
  features: string[];
  argv: string[];
  /** Output flags of the reference run (-floatfile float.bin, -intfile ...). */
  argv_output_flags: string[];
  detector: { fpixels: number; spixels: number };
  float_stats: { sum: number; max: number };
  trace: { pixel_s_f: [number, number]; file: string };
}

export function referenceCases(): ReferenceCase[] {
  if (!HAVE_REFERENCE) return [];
  return JSON.parse(readFileSync(join(REFERENCE_DIR, "manifest.json"), "utf8")).cases;
}
