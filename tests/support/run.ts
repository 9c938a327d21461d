/** Running the built nanoBragg CLI, and the reference cases in scratch copies of their folders. */

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeRawFloat } from "../../src/io/raw-float.js";
import { CLI, REFERENCE_DIR, type ReferenceCase } from "./paths.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function nanoBragg(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function scratchDir(prefix = "nb-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A folder laid out like the corpus (cases/<id> next to data/) so that the case's relative paths hold. */
export function caseFolder(c: ReferenceCase): string {
  const root = scratchDir("nb-case-");
  symlinkSync(join(REFERENCE_DIR, "data"), join(root, "data"));
  const dir = join(root, "cases", c.id);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function referenceFloat(c: ReferenceCase): Float32Array {
  return decodeRawFloat(gunzipSync(readFileSync(join(REFERENCE_DIR, "cases", c.id, "float.bin.gz"))));
}

export function referenceText(c: ReferenceCase, name: string): string {
  return readFileSync(join(REFERENCE_DIR, "cases", c.id, name), "utf8");
}

export function readFloat(path: string): Float32Array {
  return decodeRawFloat(readFileSync(path));
}
