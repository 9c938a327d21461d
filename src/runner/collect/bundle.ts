/**
 * An evidence bundle: one folder per run of a phase, holding each step's stdout and stderr, the
 * commands actually run, the environment, metrics, summary and result, and a sha256 manifest of every
 * file. result.json says "running" from the start, so that a run killed on the way never leaves a
 * bundle that claims success.
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../../ledger/safe-file.js";
import type { TaskRecord } from "../execute/task-index.js";
import type { RunnerRun, TestCounts } from "../execute/test-runners/runner.js";
import type { ArtifactCheck, Baseline } from "./artifacts.js";

export type RunStatus = "running" | "success" | "failed" | "blocked" | "interrupted";

export interface StepRecord {
  id: string;
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Taken over from the bundle this run repeats, not run again. */
  reused?: boolean;
  /** Why the step did not run (its if_env / unless_env condition). */
  skipped?: string;
  /** Where it ran: the executor, the Slurm job IDs, the machine of a plain step. */
  executor?: string;
  jobs?: string[];
  host?: string;
  /** A matrix step's tasks. */
  tasks?: TaskRecord[];
  /** Where a plain step's outputs came from when it was cached (--resume). */
  cached_from?: string;
  /** Why a plain step did not run to its end (never started, lost by the scheduler). */
  problem?: string;
}

export interface RunResult {
  status: RunStatus;
  complete: boolean;
  item: string;
  phase: string;
  loop: string;
  workspace: string;
  bundle: string;
  started_utc: string;
  finished_utc: string | null;
  pid: number;
  attempt: number | null;
  steps: Array<Omit<StepRecord, "env" | "argv" | "cwd" | "shell">>;
  blocked_step: string | null;
  cause: string | null;
  /** The mapped tests: counts summed over the runners, and each runner's run. */
  tests: { counts: TestCounts; runs: RunnerRun[] } | null;
  artifacts: ArtifactCheck[];
  /** Workspace files the If Blocked captures wrote. */
  captures: string[];
  /** Modification times of the artifacts' files before the steps (a rerun keeps its first run's). */
  baseline: Baseline;
  next_up: string[];
  rerun_of: string | null;
  /** Where the steps ran (local or slurm), and every Slurm job ID of the run. */
  executor: string;
  jobs: string[];
}

/** UTC YYYYMMDDTHHMMSSZ. */
export function stampOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** Create the bundle folder; a second run in the same second gets a suffix rather than sharing it. */
export function createBundle(path: string): string {
  const base = path.replace(/\/+$/, "");
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      mkdirSync(join(candidate, ".."), { recursive: true });
      mkdirSync(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

export function writeResult(bundle: string, result: RunResult): void {
  writeFileAtomic(join(bundle, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
}

export function readResult(bundle: string): RunResult {
  return JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));
}

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path)];
    });
}

/** sha256.txt: "<digest>  <path>" for every file of the bundle (sha256sum's format). */
export function writeManifest(bundle: string): void {
  const lines = filesUnder(bundle)
    .filter((file) => file !== "sha256.txt")
    .map(
      (file) =>
        `${createHash("sha256")
          .update(readFileSync(join(bundle, file)))
          .digest("hex")}  ${file}`,
    );
  writeFileSync(join(bundle, "sha256.txt"), `${lines.join("\n")}\n`);
}

/** Files whose digest no longer matches sha256.txt (or that are missing). */
export function verifyManifest(bundle: string): string[] {
  const bad: string[] = [];
  for (const line of readFileSync(join(bundle, "sha256.txt"), "utf8").split("\n")) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) continue;
    try {
      if (
        createHash("sha256")
          .update(readFileSync(join(bundle, m[2])))
          .digest("hex") !== m[1]
      )
        bad.push(m[2]);
    } catch {
      bad.push(m[2]);
    }
  }
  return bad;
}

/** commands.txt: what ran, where, with which variables (those the loop set) and how it ended. */
export function commandsText(header: string[], steps: StepRecord[]): string {
  const lines = [...header, ""];
  steps.forEach((s, i) => {
    if (s.tasks) {
      lines.push(
        `# ${i + 1}. ${s.id}: ${s.tasks.length} tasks (${(s.durationMs / 1000).toFixed(2)} s), each in its folder`,
      );
      for (const t of s.tasks)
        lines.push(`#    ${t.dir}: ${t.state}${t.exit_code !== null ? `, exit ${t.exit_code}` : ""}`);
      lines.push(`# the first, as run (its folder's files name the others):`);
    }
    const env = Object.entries(s.env).map(([k, v]) => `${k}=${quote(v)}`);
    const how = s.reused
      ? "reused from the earlier bundle"
      : s.skipped
        ? `skipped: ${s.skipped}`
        : s.timedOut
          ? "timed out"
          : s.signal
            ? `signal ${s.signal}`
            : `exit ${s.exitCode}`;
    lines.push(`# ${i + 1}. ${s.id} (cwd ${s.cwd}; ${how}; ${(s.durationMs / 1000).toFixed(2)} s)`);
    lines.push([...env, s.shell ? s.argv[0] : s.argv.map(quote).join(" ")].join(" "));
  });
  return `${lines.join("\n")}\n`;
}

/** Single-quote a word for a POSIX shell where it needs it. */
export function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The newest successful bundle made from a bundle template whose {phase} and {item} are filled:
 * the folders its {stamp} matches (a same-second suffix included), newest finish first.
 */
export function latestBundle(workspace: string, template: string): string | null {
  const [before, after] = template.split("{stamp}", 2);
  const lead = before.endsWith("/") ? "" : (before.split("/").pop() ?? "");
  const parent = join(workspace, before.slice(0, before.length - lead.length));
  const tail = after.replace(/\/+$/, "");
  if (tail.includes("/") || !existsSync(parent)) return null;
  let best: { path: string; finished: string } | null = null;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(lead) || !name.endsWith(tail)) continue;
    const stamp = name.slice(lead.length, name.length - tail.length);
    if (!/^\d{8}T\d{6}Z(-\d+)?$/.test(stamp)) continue;
    const path = join(parent, name);
    try {
      const result = readResult(path);
      if (result.status !== "success" || !result.finished_utc) continue;
      if (!best || result.finished_utc > best.finished) best = { path, finished: result.finished_utc };
    } catch {
      // a folder without a readable result.json is not a bundle
    }
  }
  return best?.path ?? null;
}
