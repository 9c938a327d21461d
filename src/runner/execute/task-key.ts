/**
 * A task's cache key: the hash of its argv and variables (the bundle's and the workspace's paths
 * written as {bundle} and {workspace}, so that a new bundle or a moved workspace keeps the key), the
 * content of every file or folder it names that exists before it runs (its own folder excepted: that
 * is where its outputs go) and of the inputs its step declares (only those, with inputs_only), and the versions of the tools: Node,
 * the program it starts, and this package's build where it runs one of this package's programs.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, type Stats, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { packageRoot } from "../own-files.js";
import type { PreparedTask } from "../plan/steps.js";

/**
 * A task naming more than this is not hashed (every run computes keys, so that a later --resume can
 * find them): it is not cached, and its record says why.
 */
const MAX_FILES = 20_000;
const MAX_BYTES = 256 * 1024 ** 2;

export type TaskKey = { key: string; reason: null } | { key: null; reason: string };

class TooLarge extends Error {}

/** Digests by path, size and modification time: one run hashes a shared input once. */
const digests = new Map<string, string>();

function fileDigest(path: string, stat: Stats): string {
  const memo = `${path}\0${stat.size}\0${stat.mtimeMs}`;
  let digest = digests.get(memo);
  if (digest === undefined) {
    digest = createHash("sha256").update(readFileSync(path)).digest("hex");
    digests.set(memo, digest);
  }
  return digest;
}

function folderDigest(root: string, budget: { files: number; bytes: number }): string {
  const hash = createHash("sha256");
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(path, `${rel}${name}/`);
      else if (stat.isFile()) {
        budget.files += 1;
        budget.bytes += stat.size;
        if (budget.files > MAX_FILES || budget.bytes > MAX_BYTES)
          throw new TooLarge(`not cached: ${root} holds more than ${MAX_FILES} files or 256 MiB`);
        hash.update(`${rel}${name}\0${fileDigest(path, stat)}\n`);
      }
    }
  };
  walk(root, "");
  return hash.digest("hex");
}

let buildDigest: string | null = null;

/** This package's build (dist/), hashed once per process. */
function ownBuild(): string {
  buildDigest ??= folderDigest(join(packageRoot(), "dist"), { files: 0, bytes: 0 });
  return buildDigest;
}

/** The file a program name runs (PATH searched for a bare name), or null. */
function programFile(program: string, cwd: string, env: NodeJS.ProcessEnv): string | null {
  const candidates = program.includes("/")
    ? [resolve(cwd, program)]
    : (env.PATH ?? "").split(delimiter).map((dir) => join(dir, program));
  return candidates.find((c) => statSync(c, { throwIfNoEntry: false })?.isFile()) ?? null;
}

/** The words of argv that may name a path: each word, and what follows "=" in --option=value. */
function pathWords(argv: string[]): string[] {
  return argv.flatMap((w) => (w.includes("=") ? [w, w.slice(w.indexOf("=") + 1)] : [w]));
}

export function taskKey(task: PreparedTask, bundle: string, workspace: string): TaskKey {
  const own = task.dir === "" ? null : join(bundle, task.dir);
  const neutral = (text: string) => text.split(bundle).join("{bundle}").split(workspace).join("{workspace}");
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ argv: task.argv.map(neutral), shell: task.shell, cwd: neutral(task.cwd) }));
  hash.update(JSON.stringify(Object.entries(task.env).map(([k, v]) => [k, neutral(v)])));
  const env = { ...process.env, ...task.env };
  const program = task.shell ? null : programFile(task.argv[0], task.cwd, env);
  const programStat = program ? statSync(program) : null;
  hash.update(
    `node ${process.version}\nprogram ${program ? neutral(program) : "-"} ${programStat?.size} ${programStat?.mtimeMs}\n`,
  );
  const root = packageRoot();
  if (task.argv.some((w) => w.startsWith(join(root, "dist")) || w.startsWith(join(root, "bin"))))
    hash.update(`build ${ownBuild()}\n`);
  const budget = { files: 0, bytes: 0 };
  const fromArgv = task.inputsOnly ? [] : pathWords(task.argv.slice(1)).map((w) => resolve(task.cwd, w));
  const named = [...fromArgv, ...task.inputs];
  try {
    for (const path of [...new Set(named)]) {
      if (own && (path === own || path.startsWith(`${own}/`))) continue;
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isFile()) hash.update(`file ${neutral(path)} ${fileDigest(path, stat)}\n`);
      else if (stat?.isDirectory()) hash.update(`folder ${neutral(path)} ${folderDigest(path, budget)}\n`);
    }
  } catch (error) {
    if (error instanceof TooLarge) return { key: null, reason: error.message };
    throw error;
  }
  return { key: hash.digest("hex"), reason: null };
}
