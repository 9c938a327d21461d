/**
 * The environment snapshot of a bundle (schemas/env.schema.json): runtime, machine, git state,
 * package versions, the reference binary NB_C_BIN and its digest, and an allow-list of variables —
 * never the whole environment, which holds secrets.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { arch, cpus, platform, release } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../own-files.js";

const ALLOWED_ENV = /^(NB_[A-Z0-9_]+|OMP_NUM_THREADS|CI|NODE_ENV|TZ|LANG)$/;

export interface EnvSnapshot {
  timestamp_utc: string;
  node_version: string;
  platform: { os: string; release: string; arch: string };
  cpu: { model: string; cores: number };
  git: { sha: string | null; dirty: boolean | null; branch: string | null };
  package: { name: string; version: string };
  nb_c_bin: { path: string; sha256: string | null } | null;
  backend: "cpu" | "gpu";
  packages: Record<string, string>;
  env: Record<string, string>;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function sha256File(path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

/** package.json of this package, and the versions of the packages the runner relies on. */
function packageInfo(): { name: string; version: string; packages: Record<string, string> } {
  const root = packageRoot();
  const own = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const packages: Record<string, string> = {};
  for (const name of ["yaml", "ajv", "execa", "vitest"]) {
    try {
      packages[name] = JSON.parse(
        readFileSync(join(root, "node_modules", name, "package.json"), "utf8"),
      ).version;
    } catch {
      // not installed (a production install has no vitest)
    }
  }
  return { name: own.name, version: own.version, packages };
}

export function envSnapshot(workspace: string, now = new Date(), environment = process.env): EnvSnapshot {
  const sha = git(["rev-parse", "HEAD"], workspace);
  const status = git(["status", "--porcelain"], workspace);
  const branch = git(["rev-parse", "--abbrev-ref", "HEAD"], workspace);
  const cBin = environment.NB_C_BIN;
  const info = packageInfo();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    if (ALLOWED_ENV.test(key) && value !== undefined) env[key] = value;
  }
  const cores = cpus();
  return {
    timestamp_utc: now.toISOString(),
    node_version: process.version,
    platform: { os: platform(), release: release(), arch: arch() },
    cpu: { model: cores[0]?.model ?? "unknown", cores: Math.max(1, cores.length) },
    git: {
      sha: sha && /^[0-9a-f]{40}$/.test(sha) ? sha : null,
      dirty: status === null ? null : status !== "",
      branch,
    },
    package: { name: info.name, version: info.version },
    nb_c_bin: cBin ? { path: cBin, sha256: sha256File(cBin) } : null,
    backend: "cpu",
    packages: info.packages,
    env,
  };
}
