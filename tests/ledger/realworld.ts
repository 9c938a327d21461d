/** The real-world ledgers and plan of a parity project (tests/fixtures/realworld), and scratch copies. */

import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES_DIR } from "../support/paths.js";

export { FIXTURES_DIR };

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), "utf8");
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "nb-ledger-"));
}

/** A copy of the fixture `name` in a fresh scratch folder; returns the copy's path. */
export function scratchCopy(name: string): string {
  const path = join(scratchDir(), name);
  copyFileSync(join(FIXTURES_DIR, name), path);
  return path;
}
