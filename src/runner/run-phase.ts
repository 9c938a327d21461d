/**
 * Running one phase of a loop: checks before anything runs (paths inside the workspace, mapped tests
 * found), the steps, the mapped tests, artifacts, metrics and guards, then the bundle's summary,
 * result and manifest, the notes entry, the ledger Attempt and the plan task state. A phase that
 * cannot finish is "blocked" (a step failed or timed out, an artifact is missing or invalid, a guard
 * tripped); one whose mapped tests fail is "failed".
 */

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { type AttemptResult, appendAttempt } from "../ledger/fix-plan.js";
import { appendNotes, notesEntry } from "../ledger/notes.js";
import { setTaskState, type TaskState } from "../ledger/plan-table.js";
import { updateFile } from "../ledger/safe-file.js";
import { InputError } from "../util/input-error.js";
import { type ArtifactCheck, checkArtifact } from "./artifacts.js";
import {
  commandsText,
  createBundle,
  latestBundle,
  quote,
  type RunResult,
  type RunStatus,
  readResult,
  type StepRecord,
  stampOf,
  writeManifest,
  writeResult,
} from "./bundle.js";
import { envSnapshot } from "./env-snapshot.js";
import { gitChanges, missingProtectedAssets, strayFiles } from "./guards.js";
import { type LoadedLoop, loadLoop, phaseOf } from "./load-loop.js";
import type { Phase } from "./loop.js";
import { findMappedTests, type MappedTests, runMappedTests } from "./mapped-tests.js";
import { extractMetrics, type MetricValue, metricsLine } from "./metrics.js";
import {
  type PreparedStep,
  prepareArgv,
  runStep,
  type StepProgress,
  skippedRecord,
  skipReason,
  stepFailed,
} from "./steps.js";
import { fillTemplate, insideWorkspace } from "./workspace.js";

export interface RunOptions {
  loopPath: string;
  phase: string;
  workspace: string;
  dryRun?: boolean;
  /** Rerun: the earlier bundle, and the step to start from (the earlier steps are taken over). */
  rerunOf?: string;
  fromStep?: string;
  now?: () => Date;
  progress?: StepProgress;
}

export interface RunOutcome {
  status: RunStatus | "dry-run";
  bundle: string | null;
  attempt: number | null;
  /** What to tell the user. */
  lines: string[];
}

const LAST_STDERR_LINES = 12;

interface Context {
  loaded: LoadedLoop;
  phase: Phase;
  phaseName: string;
  workspace: string;
  ledger: string;
  plan: string | null;
  bundleTemplate: string;
  steps: (bundle: string) => PreparedStep[];
  tests: MappedTests;
}

/** Everything resolved and checked before a bundle exists. */
function prepare(options: RunOptions): Context {
  const workspace = resolve(options.workspace);
  const loaded = loadLoop(options.loopPath);
  const phase = phaseOf(loaded, options.phase);
  const loop = loaded.loop;
  const ledger = insideWorkspace(workspace, loop.ledger ?? "docs/fix_plan.md", "ledger");
  const plan = loop.plan ? insideWorkspace(workspace, loop.plan, "plan") : null;
  const bundleTemplate = fillTemplate(loop.bundle, { phase: options.phase, item: loop.item });
  insideWorkspace(workspace, bundleTemplate, "bundle");
  for (const a of phase.artifacts ?? [])
    insideWorkspace(workspace, a.path, "artifact", join(workspace, "bundle"));
  const ids = new Set<string>();
  for (const step of phase.do_now) {
    if (ids.has(step.id))
      throw new InputError(`${loaded.path}: phase ${options.phase} has two steps "${step.id}"`);
    ids.add(step.id);
  }
  const fillLatest = (text: string) =>
    text.replace(/\{latest:([A-Za-z0-9][A-Za-z0-9._-]*)\}/g, (_whole, name: string) => {
      phaseOf(loaded, name);
      const found = latestBundle(workspace, fillTemplate(loop.bundle, { phase: name, item: loop.item }));
      if (!found)
        throw new InputError(`{latest:${name}}: no successful bundle of phase ${name} yet; run it first`);
      return relative(workspace, found);
    });
  const steps = (bundle: string): PreparedStep[] => {
    const values = { bundle, phase: options.phase, item: loop.item, stamp: basename(bundle), workspace };
    const fill = (text: string) => fillTemplate(fillLatest(text), values);
    return phase.do_now.map((step) => {
      const skip = skipReason(step, process.env);
      // a skipped step's placeholders are left as written: it may name a variable that is not set
      const fillIfRun = (text: string) => (skip ? text : fill(text));
      const env: Record<string, string> = { NBLOOP_BUNDLE: bundle };
      for (const [k, v] of Object.entries({ ...loop.env, ...step.env })) env[k] = fillIfRun(String(v));
      return {
        id: step.id,
        skip,
        argv: prepareArgv(step.run, loop.presets ?? {}, fillIfRun),
        shell: step.shell === true,
        cwd: insideWorkspace(workspace, fillIfRun(step.cwd ?? "."), "cwd"),
        env,
        timeoutMs: step.timeout === undefined ? undefined : step.timeout * 1000,
        stdoutFile: step.stdout ?? `${step.id}.stdout`,
        stderrFile: step.stderr ?? `${step.id}.stderr`,
      };
    });
  };
  return {
    loaded,
    phase,
    phaseName: options.phase,
    workspace,
    ledger,
    plan,
    bundleTemplate,
    steps,
    tests: findMappedTests(phase.mapped_tests ?? [], workspace),
  };
}

function dryRun(ctx: Context, now: Date): RunOutcome {
  const bundle = join(ctx.workspace, fillTemplate(ctx.bundleTemplate, { stamp: stampOf(now) })).replace(
    /\/+$/,
    "",
  );
  const rel = (p: string) => relative(ctx.workspace, p) || ".";
  const lines = [
    `dry run: ${ctx.loaded.loop.item} phase ${ctx.phaseName} — ${ctx.phase.summary}`,
    `bundle: ${rel(bundle)}/ (from ${ctx.loaded.loop.bundle})`,
    "steps (run in order, without a shell unless marked):",
  ];
  for (const s of ctx.steps(bundle)) {
    const env = Object.entries(s.env)
      .filter(([k]) => k !== "NBLOOP_BUNDLE")
      .map(([k, v]) => `${k}=${quote(v)} `)
      .join("");
    const command = s.shell ? `${s.argv[0]}  [shell]` : s.argv.map(quote).join(" ");
    const timeout = s.timeoutMs ? `, timeout ${s.timeoutMs / 1000} s` : "";
    lines.push(
      `  ${s.id}: ${env}${command}`,
      `      cwd ${rel(s.cwd)}, stdout → ${s.stdoutFile}, stderr → ${s.stderrFile}${timeout}`,
    );
  }
  lines.push("artifacts (checked in the bundle after the steps):");
  for (const a of ctx.phase.artifacts ?? []) {
    const checks = [a.non_empty === false ? "may be empty" : "not empty"];
    if (a.contains !== undefined) checks.push(`contains "${a.contains}"`);
    if (a.schema !== undefined) checks.push(`valid against ${a.schema}`);
    lines.push(`  ${a.path}: ${checks.join(", ")}`);
  }
  if ((ctx.phase.artifacts ?? []).length === 0) lines.push("  none");
  lines.push("mapped tests:");
  for (const t of ctx.tests.entries)
    lines.push(`  ${t.spec}: ${t.found ? "found" : `NOT FOUND (${t.problem})`}`);
  if (ctx.tests.entries.length === 0) lines.push("  none");
  lines.push(`guards: ${(ctx.phase.guards ?? []).join(", ") || "none"}`);
  lines.push(`records: ${rel(ctx.ledger)} (Attempt for ${ctx.loaded.loop.item}), notes.md beside the bundle`);
  if (ctx.plan) lines.push(`plan: ${rel(ctx.plan)} task ${ctx.phase.task ?? ctx.phaseName}`);
  return { status: "dry-run", bundle: null, attempt: null, lines };
}

/** Copy what the earlier bundle holds (step outputs, artifacts) into the new one, bookkeeping aside. */
function takeOver(from: string, to: string): void {
  const bookkeeping = new Set([
    "result.json",
    "summary.md",
    "sha256.txt",
    "metrics.json",
    "env.json",
    "commands.txt",
    "blocked.md",
  ]);
  const copy = (dir: string) => {
    for (const name of readdirSync(join(from, dir))) {
      const rel = join(dir, name);
      if (dir === "" && bookkeeping.has(name)) continue;
      if (statSync(join(from, rel)).isDirectory()) {
        mkdirSync(join(to, rel), { recursive: true });
        copy(rel);
      } else {
        copyFileSync(join(from, rel), join(to, rel));
      }
    }
  };
  copy("");
}

function lastLines(file: string, n: number): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .slice(-n)
    .filter((l) => l.trim() !== "");
}

function summaryText(
  ctx: Context,
  result: RunResult,
  records: StepRecord[],
  checks: ArtifactCheck[],
  metrics: Record<string, MetricValue>,
): string {
  const loop = ctx.loaded.loop;
  const lines = [
    `# ${loop.item} — phase ${ctx.phaseName}: ${result.status}`,
    "",
    ctx.phase.summary,
    "",
    `- Loop: ${relative(ctx.workspace, ctx.loaded.path)}`,
    `- Started: ${result.started_utc}; finished: ${result.finished_utc}`,
    `- Attempt: ${result.attempt === null ? "not recorded" : `#${result.attempt} in ${relative(ctx.workspace, ctx.ledger)}`}`,
  ];
  if (result.rerun_of) lines.push(`- Rerun of: ${relative(ctx.workspace, result.rerun_of)}`);
  if (result.cause) lines.push(`- Cause: ${result.cause}`);
  lines.push("", "## Steps", "", "| step | result | seconds | stdout | stderr |", "|---|---|---|---|---|");
  for (const r of records) {
    const how = r.reused
      ? "reused"
      : r.skipped
        ? `skipped: ${r.skipped}`
        : r.timedOut
          ? "timed out"
          : r.signal
            ? r.signal
            : `exit ${r.exitCode}`;
    lines.push(`| ${r.id} | ${how} | ${(r.durationMs / 1000).toFixed(2)} | ${r.stdout} | ${r.stderr} |`);
  }
  if (result.tests)
    lines.push("", `Mapped tests (${result.tests.files.join(", ")}): exit ${result.tests.exitCode}`);
  if (checks.length > 0) {
    lines.push("", "## Artifacts", "", "| artifact | check |", "|---|---|");
    for (const c of checks) lines.push(`| ${c.path} | ${c.ok ? "ok" : c.problem} |`);
  }
  const keys = Object.keys(metrics);
  if (keys.length > 0) {
    lines.push("", "## Metrics", "", "| key | value |", "|---|---|");
    for (const k of keys) lines.push(`| ${k} | ${JSON.stringify(metrics[k])} |`);
  }
  for (const name of [ctx.phase.report ?? []].flat()) {
    const report = join(result.workspace, result.bundle, name);
    if (existsSync(report)) lines.push("", `## Report: ${name}`, "", readFileSync(report, "utf8").trimEnd());
  }
  if ((ctx.phase.next_up ?? []).length > 0)
    lines.push("", "## Next up", "", ...(ctx.phase.next_up ?? []).map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}

const PLAN_STATE: Record<RunStatus, TaskState> = {
  running: "[P]",
  success: "[D]",
  failed: "[P]",
  blocked: "[B]",
};

export async function runPhase(options: RunOptions): Promise<RunOutcome> {
  const now = options.now ?? (() => new Date());
  const ctx = prepare(options);
  if (options.dryRun) return dryRun(ctx, now());
  const missingTests = ctx.tests.entries.filter((t) => !t.found);
  if (missingTests.length > 0) {
    throw new InputError(
      `mapped tests not found: ${missingTests.map((t) => `${t.spec} (${t.problem})`).join("; ")}`,
    );
  }
  const loop = ctx.loaded.loop;
  const started = now();
  const bundle = createBundle(
    join(ctx.workspace, fillTemplate(ctx.bundleTemplate, { stamp: stampOf(started) })),
  );
  const rel = (p: string) => relative(ctx.workspace, p);
  const result: RunResult = {
    status: "running",
    complete: false,
    item: loop.item,
    phase: ctx.phaseName,
    loop: rel(ctx.loaded.path),
    workspace: ctx.workspace,
    bundle: rel(bundle),
    started_utc: started.toISOString(),
    finished_utc: null,
    pid: process.pid,
    attempt: null,
    steps: [],
    blocked_step: null,
    cause: null,
    tests: null,
    next_up: ctx.phase.next_up ?? [],
    rerun_of: options.rerunOf ? rel(options.rerunOf) : null,
  };
  writeResult(bundle, result);
  writeFileSync(
    join(bundle, "env.json"),
    `${JSON.stringify(envSnapshot(ctx.workspace, started), null, 2)}\n`,
  );
  const before = gitChanges(ctx.workspace);

  const prepared = ctx.steps(bundle);
  const records: StepRecord[] = [];
  let startAt = 0;
  if (options.rerunOf) {
    takeOver(options.rerunOf, bundle);
    const earlier = readResult(options.rerunOf);
    const from = options.fromStep ?? earlier.blocked_step ?? prepared[0].id;
    startAt = prepared.findIndex((s) => s.id === from);
    if (startAt < 0) throw new InputError(`no step "${from}" in phase ${ctx.phaseName}`);
    for (const s of prepared.slice(0, startAt)) {
      const exitCode = earlier.steps.find((r) => r.id === s.id)?.exitCode ?? null;
      records.push({
        id: s.id,
        argv: s.argv,
        shell: s.shell,
        cwd: s.cwd,
        env: s.env,
        exitCode,
        signal: null,
        timedOut: false,
        durationMs: 0,
        stdout: s.stdoutFile,
        stderr: s.stderrFile,
        reused: true,
      });
    }
  }
  const progress = options.progress ?? { started: () => {}, finished: () => {} };
  for (const step of prepared.slice(startAt)) {
    if (step.skip) {
      records.push(skippedRecord(step));
      continue;
    }
    const record = await runStep(step, bundle, progress);
    records.push(record);
    if (stepFailed(record)) {
      result.status = "blocked";
      result.blocked_step = step.id;
      const how = record.timedOut
        ? `timed out after ${step.timeoutMs! / 1000} s`
        : record.signal
          ? `killed by ${record.signal}`
          : record.exitCode === null
            ? "did not start"
            : `exit ${record.exitCode}`;
      const tail = lastLines(join(bundle, step.stderrFile), LAST_STDERR_LINES);
      result.cause = `step ${step.id} ${how}${tail.length > 0 ? `: ${tail[tail.length - 1]}` : ""}`;
      break;
    }
  }

  let checks: ArtifactCheck[] = [];
  let metrics: Record<string, MetricValue> = {};
  if (result.status === "running" && ctx.tests.entries.length > 0) {
    const tests = await runMappedTests(ctx.tests, ctx.workspace, bundle);
    result.tests = tests;
    if (tests.exitCode !== 0) {
      result.status = "failed";
      result.cause = `mapped tests failed (exit ${tests.exitCode}, see tests.stdout)`;
    }
  }
  if (result.status !== "blocked") {
    checks = (ctx.phase.artifacts ?? []).map((a) => checkArtifact(a, bundle, ctx.workspace));
    const bad = checks.filter((c) => !c.ok);
    if (bad.length > 0) {
      result.status = "blocked";
      result.cause = `artifact ${bad.map((c) => `${c.path} ${c.problem}`).join("; ")}`;
    }
  }
  if (ctx.phase.metrics && existsSync(join(bundle, ctx.phase.metrics.from))) {
    metrics = extractMetrics(
      readFileSync(join(bundle, ctx.phase.metrics.from), "utf8"),
      ctx.phase.metrics.keys,
    ).values;
  }
  writeFileSync(
    join(bundle, "metrics.json"),
    `${JSON.stringify({ item: loop.item, phase: ctx.phaseName, values: metrics }, null, 2)}\n`,
  );
  if (result.status !== "blocked") {
    const guards = ctx.phase.guards ?? [];
    const problems: string[] = [];
    if (guards.includes("no_stray_files")) {
      const own = [
        rel(bundle),
        `${rel(dirname(bundle))}/notes.md`,
        rel(ctx.ledger),
        ...(ctx.plan ? [rel(ctx.plan)] : []),
      ];
      const stray = strayFiles(before, gitChanges(ctx.workspace), [...own, `${rel(ctx.ledger)}.lock`]);
      if (stray.length > 0) problems.push(`no_stray_files: ${stray.join(", ")}`);
    }
    if (guards.includes("protected_assets")) {
      const missing = missingProtectedAssets(ctx.workspace);
      if (missing.length > 0) problems.push(`protected_assets: missing ${missing.join(", ")}`);
    }
    if (problems.length > 0) {
      result.status = "blocked";
      result.cause = `guard ${problems.join("; ")}`;
    }
  }
  if (result.status === "running") result.status = "success";

  const finished = now();
  result.finished_utc = finished.toISOString();
  result.steps = records.map(({ env: _env, argv: _argv, cwd: _cwd, shell: _shell, ...rest }) => rest);
  const header = [
    `# ${loop.item} phase ${ctx.phaseName}, ${result.started_utc}`,
    `# workspace ${ctx.workspace}`,
  ];
  writeFileSync(join(bundle, "commands.txt"), commandsText(header, records));
  if (result.status === "blocked") {
    const captures = new Set(["stderr", ...(ctx.phase.if_blocked?.capture ?? [])]);
    const failing = records.find((r) => r.id === result.blocked_step);
    const blocked = [`# Blocked: ${result.cause}`, "", ctx.phase.if_blocked?.note ?? "", ""];
    if (failing) {
      if (captures.has("stderr"))
        blocked.push(
          `## stderr of ${failing.id} (last lines)`,
          "",
          "```",
          ...lastLines(join(bundle, failing.stderr), LAST_STDERR_LINES),
          "```",
          "",
        );
      if (captures.has("stdout"))
        blocked.push(
          `## stdout of ${failing.id} (last lines)`,
          "",
          "```",
          ...lastLines(join(bundle, failing.stdout), LAST_STDERR_LINES),
          "```",
          "",
        );
    }
    if (captures.has("git_status"))
      blocked.push("## git status", "", "```", ...[...(gitChanges(ctx.workspace) ?? [])], "```", "");
    writeFileSync(join(bundle, "blocked.md"), `${blocked.join("\n")}\n`);
  }

  // the records: ledger Attempt (numbered under the lock), notes entry, plan task state
  const artifacts = (ctx.phase.artifacts ?? []).map((a) => `${rel(bundle)}/${a.path}`);
  const outcome: AttemptResult =
    result.status === "success" ? "success" : result.status === "failed" ? "failed" : "blocked";
  const summaryLine = result.cause ? `${ctx.phase.summary} — ${result.cause}` : ctx.phase.summary;
  await updateFile(ctx.ledger, (old) => {
    const updated = appendAttempt(old ?? "# Fix Plan Ledger\n", loop.item, loop.title, {
      date: finished.toISOString().slice(0, 10),
      result: outcome,
      summary: `Phase ${ctx.phaseName}: ${summaryLine} (bundle ${rel(bundle)}/)`,
      metrics: Object.keys(metrics).length > 0 ? metricsLine(metrics) : undefined,
      artifacts: artifacts.length > 0 ? artifacts : [`${rel(bundle)}/summary.md`],
      firstDivergence:
        typeof metrics.first_divergence_key === "string" ? metrics.first_divergence_key : undefined,
    });
    result.attempt = updated.number;
    return updated.text;
  });
  const notesFile = join(dirname(bundle), "notes.md");
  const stderrTail = result.blocked_step
    ? lastLines(join(bundle, records[records.length - 1].stderr), 5)
    : [];
  const noteLines = [
    `- Loop ${rel(ctx.loaded.path)}, bundle \`${rel(bundle)}/\`, ledger Attempt #${result.attempt}`,
    `- ${ctx.phase.summary}`,
    ...(result.cause ? [`- Cause: ${result.cause}`] : []),
    ...(ctx.phase.if_blocked?.note && result.status === "blocked"
      ? [`- If blocked: ${ctx.phase.if_blocked.note}`]
      : []),
    ...(stderrTail.length > 0 ? ["", "```", ...stderrTail, "```"] : []),
  ];
  await updateFile(notesFile, (old) =>
    appendNotes(old, notesEntry(finished, ctx.phaseName, result.status, noteLines)),
  );
  if (ctx.plan && existsSync(ctx.plan)) {
    const task = ctx.phase.task ?? ctx.phaseName;
    await updateFile(ctx.plan, (old) => setTaskState(old ?? "", task, PLAN_STATE[result.status]).text);
  }

  writeFileSync(join(bundle, "summary.md"), summaryText(ctx, result, records, checks, metrics));
  result.complete = true;
  writeResult(bundle, result);
  writeManifest(bundle);

  const lines = [
    `nbloop: ${loop.item} phase ${ctx.phaseName}: ${result.status}${result.cause ? ` — ${result.cause}` : ""}`,
  ];
  lines.push(
    `  bundle: ${rel(bundle)}/`,
    `  ledger: ${rel(ctx.ledger)} Attempt #${result.attempt} (Result: ${outcome})`,
  );
  if (result.status !== "success") {
    lines.push(
      `  rerun:  nbloop rerun ${rel(bundle)}/${result.blocked_step ? ` --step ${result.blocked_step}` : ""} --workspace ${ctx.workspace}`,
    );
  }
  return { status: result.status, bundle, attempt: result.attempt, lines };
}
