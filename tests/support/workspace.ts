/**
 * Workspaces for nbloop's tests: a temporary git repository with the given files (under the
 * repository's tmp/ where the workspace's tests import this package's vitest, else under the system's
 * temporary folder), and nbloop run in it as a user runs it.
 */

import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

export const NBLOOP = join(REPO_ROOT, "dist/src/cli/nbloop.js");

export interface Workspace {
  dir: string;
  write(path: string, text: string): void;
  read(path: string): string;
  /** nbloop run in the workspace, with `--workspace` it; `env` replaces variables (undefined removes). */
  nbloop(
    args: string[],
    env?: Record<string, string | undefined>,
  ): { code: number | null; stdout: string; stderr: string };
  /** nbloop run in the workspace, its arguments as given. */
  nbloopHere(args: string[]): { code: number | null; stdout: string; stderr: string };
  commit(message?: string): void;
  /** The phase's bundles under `folder`, oldest first. */
  bundles(folder: string): string[];
}

function runNbloop(args: string[], cwd: string, env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, [NBLOOP, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function makeWorkspace(
  options: { files?: Record<string, string>; from?: string; nearVitest?: boolean } = {},
): Workspace {
  const parent = options.nearVitest ? join(REPO_ROOT, "tmp") : tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "nb-ws-"));
  if (options.from) cpSync(options.from, dir, { recursive: true });
  const ws: Workspace = {
    dir,
    write(path, text) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    read: (path) => readFileSync(join(dir, path), "utf8"),
    nbloop: (args, env = {}) => runNbloop([...args, "--workspace", dir], dir, env),
    nbloopHere: (args) => runNbloop(args, dir, {}),
    commit(message = "workspace") {
      const git = (...a: string[]) =>
        execFileSync("git", ["-c", "user.email=t@example.org", "-c", "user.name=t", ...a], {
          cwd: dir,
          stdio: "ignore",
        });
      if (!existsSync(join(dir, ".git"))) git("init", "-q");
      git("add", "-A");
      git("commit", "-qm", message, "--allow-empty");
    },
    bundles(folder) {
      const path = join(dir, folder);
      return existsSync(path)
        ? readdirSync(path)
            .filter((n) => /^\d{8}T\d{6}Z/.test(n))
            .sort()
            .map((n) => join(path, n))
        : [];
    },
  };
  for (const [path, text] of Object.entries(options.files ?? {})) ws.write(path, text);
  return ws;
}
