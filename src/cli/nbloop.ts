#!/usr/bin/env node

/**
 * nbloop: runs the phases of declarative loop files and keeps their evidence and bookkeeping —
 * bundles, notes, the ledger's Attempts, the plan's task states.
 */

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { describeFsError, isBinary } from "../io/text-lines.js";
import { buildSite } from "../report/build-site.js";
import { bundleFile } from "../report/pages/site-paths.js";
import { readResult } from "../runner/collect/bundle.js";
import { envSnapshot } from "../runner/collect/env-snapshot.js";
import { interruptedBy, signalExitCode, watchInterrupts } from "../runner/execute/interrupt.js";
import { howItEnded, type StepProgress } from "../runner/execute/run-step.js";
import { findProgram } from "../runner/execute/test-runners/program.js";
import { loadLoop, phaseOf } from "../runner/load/load-loop.js";
import { renderBrief } from "../runner/memo/brief.js";
import { importMemo } from "../runner/memo/import.js";
import { runPhase } from "../runner/run-phase.js";
import { statusLines, workspaceStatus } from "../runner/status.js";
import { InputError } from "../util/input-error.js";
import { numberOption, type ParsedOptions, parseLongOptions, stringOption } from "./long-options.js";
import { AUDIT_USAGE, auditCommand, pictureCommand } from "./nbloop-audit.js";

const USAGE = `usage: nbloop <command> ...
  run <loop.yaml> <phase> [--workspace DIR] [--dry-run] [--executor local|slurm] [--jobs N] [--resume]
                       run a phase: steps, mapped tests, artifacts, metrics, guards; write the bundle,
                       notes.md, the ledger Attempt and the plan state (--dry-run: say what would run;
                       --executor: a local pool of N processes, default one per core, or Slurm jobs,
                       a matrix step as a job array of N at once; --resume: tasks whose key an
                       earlier bundle of the phase holds take its outputs instead of running)
  rerun <bundle> [--step ID] [--workspace DIR] [--executor local|slurm] [--jobs N]
                       run a blocked phase again from its blocked step (or ID) into a new bundle; of a
                       matrix step, only the tasks that failed or did not run
  status [--workspace DIR] [--json]
                       per ledger item: status, last attempt, blocked phases, next up
  env --json [--workspace DIR]
                       the environment snapshot bundles record (schemas/env.schema.json)
  report [--workspace DIR] [--out DIR] [--open]
                       the evidence as web pages that open from disk (default reports/site/): the
                       ledger's items, their attempts and trends, every bundle, the plans, a search
  brief <loop.yaml> <phase>
                       the phase as a hand-written-style memo
  import-memo <memo.md> [-o|--out loop.yaml]
                       a loop file drafted from such a memo (what could not be mapped is listed)
${AUDIT_USAGE}
exit status: 0 success, 1 mapped tests failed (audits: disagreement), 2 bad input, 3 blocked`;

function expectPositional(p: ParsedOptions, count: number, what: string): void {
  if (p.positional.length !== count) throw new InputError(`expected ${what}\n${USAGE}`);
}

function ttyProgress(): StepProgress | undefined {
  if (!process.stderr.isTTY) return undefined;
  return {
    started: (step) =>
      process.stderr.write(`→ ${step.id}${step.matrix ? ` (${step.tasks.length} tasks)` : ""} …\n`),
    task: (step, t, done, total) => {
      const how =
        t.state === "done" || t.state === "failed" ? howItEnded(t, step.tasks[0].timeoutMs) : t.state;
      process.stderr.write(
        `  ${t.state === "failed" ? "✗" : "✓"} ${step.id} ${t.id} (${how}, ${t.seconds.toFixed(1)} s) [${done}/${total}]\n`,
      );
    },
    finished: (step, r) => {
      const how = r.timedOut ? "timed out" : r.signal ? r.signal : `exit ${r.exitCode}`;
      process.stderr.write(
        `${r.exitCode === 0 ? "✓" : "✗"} ${step.id} (${how}, ${(r.durationMs / 1000).toFixed(1)} s)\n`,
      );
    },
  };
}

function executorOptions(p: ParsedOptions): { executor?: string; jobs?: number } {
  const jobs = numberOption(p, "jobs");
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1))
    throw new InputError(`--jobs: a whole number of 1 or more (got ${p.flags.get("jobs")})`);
  return { executor: stringOption(p, "executor"), jobs };
}

const EXIT = { success: 0, "dry-run": 0, failed: 1, blocked: 3, running: 1 } as const;

/** The exit status of a run: its outcome's, or a shell's for the signal that interrupted it. */
function exitOf(status: keyof typeof EXIT | "interrupted"): number {
  const signal = interruptedBy();
  return status === "interrupted" ? signalExitCode(signal ?? "SIGTERM") : EXIT[status];
}

const out = (lines: string[]) => process.stdout.write(`${lines.join("\n")}\n`);

async function run(args: string[]): Promise<number> {
  watchInterrupts();
  const p = parseLongOptions(args, { workspace: 1, executor: 1, jobs: 1, "dry-run": 0, resume: 0 });
  expectPositional(p, 2, "a loop file and a phase");
  const outcome = await runPhase({
    loopPath: p.positional[0],
    phase: p.positional[1],
    workspace: String(p.flags.get("workspace") ?? process.cwd()),
    dryRun: p.flags.has("dry-run"),
    resume: p.flags.has("resume"),
    ...executorOptions(p),
    progress: ttyProgress(),
  });
  out([...outcome.lines, ...reportLines(String(p.flags.get("workspace") ?? process.cwd()), outcome.bundle)]);
  return exitOf(outcome.status);
}

async function rerun(args: string[]): Promise<number> {
  watchInterrupts();
  const p = parseLongOptions(args, { workspace: 1, step: 1, executor: 1, jobs: 1 });
  expectPositional(p, 1, "a bundle folder");
  const old = resolve(p.positional[0]);
  let earlier: ReturnType<typeof readResult>;
  try {
    earlier = readResult(old);
  } catch {
    throw new InputError(`${p.positional[0]}: not a bundle (no readable result.json)`);
  }
  const workspace = String(p.flags.get("workspace") ?? earlier.workspace);
  const step = p.flags.get("step");
  const outcome = await runPhase({
    loopPath: resolve(workspace, earlier.loop),
    phase: earlier.phase,
    workspace,
    rerunOf: old,
    fromStep: typeof step === "string" ? step : undefined,
    ...executorOptions(p),
    progress: ttyProgress(),
  });
  out([...outcome.lines, ...reportLines(workspace, outcome.bundle)]);
  return exitOf(outcome.status);
}

/** After a run: the site brought up to date, and the bundle's page named (a failure here fails nothing). */
function reportLines(workspace: string, bundle: string | null): string[] {
  if (bundle === null) return [];
  try {
    const site = buildSite(workspace);
    const page = bundleFile(
      { workspace: resolve(workspace), site: site.site },
      relative(resolve(workspace), bundle),
    );
    return [`  report: ${relative(process.cwd(), page) || page}`];
  } catch (error) {
    return [`  report: not updated (${(error as Error).message.split("\n")[0]})`];
  }
}

async function report(args: string[]): Promise<number> {
  const p = parseLongOptions(args, { workspace: 1, out: 1, open: 0 });
  const site = buildSite(String(p.flags.get("workspace") ?? process.cwd()), stringOption(p, "out"));
  const index = relative(process.cwd(), site.index) || site.index;
  out([
    `nbloop report: ${site.pages} pages (${site.evidence.items.length} items, ${site.evidence.bundles.length} bundles: ${site.built} bundle pages built, ${site.kept} kept) in ${site.seconds.toFixed(2)} s`,
    `  open: ${index}`,
  ]);
  if (p.flags.has("open")) out([openInBrowser(site.index)]);
  return 0;
}

/** The page in the desktop's browser, where there is a desktop. */
function openInBrowser(file: string): string {
  const opener =
    process.platform === "darwin"
      ? "open"
      : process.env.DISPLAY || process.env.WAYLAND_DISPLAY
        ? "xdg-open"
        : null;
  if (!opener) return `  no desktop here (no DISPLAY): open ${file} in a browser`;
  if (!findProgram(opener, process.cwd(), process.env))
    return `  no ${opener} here: open ${file} in a browser`;
  const child = spawn(opener, [file], { detached: true, stdio: "ignore" });
  child.on("error", () => {});
  child.unref();
  return `  opened with ${opener}`;
}

async function status(args: string[]): Promise<number> {
  const p = parseLongOptions(args, { workspace: 1, json: 0 });
  const items = workspaceStatus(String(p.flags.get("workspace") ?? process.cwd()));
  out(p.flags.has("json") ? [JSON.stringify(items, null, 2)] : statusLines(items));
  return 0;
}

async function env(args: string[]): Promise<number> {
  const p = parseLongOptions(args, { workspace: 1, json: 0 });
  if (!p.flags.has("json")) throw new InputError("env: only --json output is available");
  out([JSON.stringify(envSnapshot(String(p.flags.get("workspace") ?? process.cwd())), null, 2)]);
  return 0;
}

async function brief(args: string[]): Promise<number> {
  const p = parseLongOptions(args, { workspace: 1 });
  expectPositional(p, 2, "a loop file and a phase");
  const loaded = loadLoop(p.positional[0]);
  phaseOf(loaded, p.positional[1]);
  process.stdout.write(renderBrief(loaded.loop, p.positional[1]));
  return 0;
}

async function importMemoCommand(args: string[]): Promise<number> {
  const p = parseLongOptions(
    args.map((a) => (a === "-o" ? "--out" : a)),
    { out: 1 },
  );
  expectPositional(p, 1, "a memo file");
  let bytes: Buffer;
  try {
    bytes = readFileSync(p.positional[0]);
  } catch (error) {
    throw new InputError(`${p.positional[0]}: ${describeFsError(error)}`);
  }
  if (isBinary(bytes)) throw new InputError(`${p.positional[0]}: a binary file, not a memo`);
  const text = bytes.toString("utf8");
  const imported = importMemo(text, p.positional[0]);
  const target = p.flags.get("out");
  if (typeof target === "string") writeFileSync(target, imported.yaml);
  else process.stdout.write(imported.yaml);
  for (const u of imported.unmapped) process.stderr.write(`nbloop: not mapped: ${u}\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => number | Promise<number>> = {
  run,
  rerun,
  status,
  env,
  brief,
  "import-memo": importMemoCommand,
  report,
  audit: auditCommand,
  picture: pictureCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || ["help", "-h", "--help"].includes(command)) {
    out([USAGE]);
    return command === undefined ? 2 : 0;
  }
  const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) throw new InputError(`unknown command "${command}"\n${USAGE}`);
  return handler(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InputError) {
      process.stderr.write(`nbloop: error: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  },
);
