/** Where the tests find the built CLI, the C reference corpus and the real-world fixtures. */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The simulator as bin/nanoBragg runs it: the launcher, which runs the bundle from its code cache. */
export const CLI = join(REPO_ROOT, "dist/src/cli/launch.cjs");
/** The C reference corpus the engine is held to (the repository's reference/ unless NB_REFERENCE_DIR). */
export const REFERENCE_DIR = resolve(process.env.NB_REFERENCE_DIR ?? join(REPO_ROOT, "reference"));
/** Real loop memos, ledgers, plans and traces of a public parity project. */
export const FIXTURES_DIR = join(REPO_ROOT, "tests/fixtures/realworld");

export interface ReferenceCase {
  id: string;
  description: string;
  features: string[];
  argv: string[];
  /** Output flags of the reference run (-floatfile float.bin, -intfile ...). */
  argv_output_flags: string[];
  detector: { fpixels: number; spixels: number };
  /** The C's float image: its sum, maximum and the sha256 of float.bin (before gzip). */
  float_stats: { sum: number; max: number; sha256: string };
  trace: { pixel_s_f: [number, number]; file: string };
}

/** The corpus's cases; a corpus that is not there is an error, never an empty list. */
export function referenceCases(): ReferenceCase[] {
  const manifest = join(REFERENCE_DIR, "manifest.json");
  if (!existsSync(manifest))
    throw new Error(`no C reference corpus at ${REFERENCE_DIR} (its manifest.json is missing)`);
  return JSON.parse(readFileSync(manifest, "utf8")).cases;
}
