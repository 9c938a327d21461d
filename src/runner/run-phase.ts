/**
 * One phase of a loop, stage by stage: plan (load the loop, resolve every path, find the mapped
 * tests' runners and ask them about the selectors), execute (the steps, then the mapped tests),
 * collect (artifacts where the project writes them, kept in the bundle; metrics; guards; the bundle's
 * files) and record (the ledger Attempt, notes.md, the plan's task state). A phase that cannot finish
 * is "blocked" (a step failed or timed out, an artifact is missing, stale or invalid, a guard
 * tripped); one whose mapped tests fail is "failed".
 */

import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { InputError } from "../util/input-error.js";
import { type ArtifactCheck, type Baseline, baselineOf, checkArtifact } from "./collect/artifacts.js";
import {
  commandsText,
  createBundle,
  type RunResult,
  type RunStatus,
  type StepRecord,
  stampOf,
  writeManifest,
  writeResult,
} from "./collect/bundle.js";
import { envSnapshot } from "./collect/env-snapshot.js";
import { gitChanges, guardProblems } from "./collect/guards.js";
import { extractMetrics, type MetricValue } from "./collect/metrics.js";
import { summaryText } from "./collect/summary.js";
import { chooseExecutor, type ExecutorChoice } from "./execute/executors/choose.js";
import { interruptedBy } from "./execute/interrupt.js";
import { runTests } from "./execute/mapped-tests.js";
import { takeOver } from "./execute/rerun.js";
import {
  QUIET,
  runStep,
  type StepContext,
  type StepProgress,
  skippedRecord,
  stepFailed,
  stepFailure,
} from "./execute/run-step.js";
import { readTaskIndex, type TaskIndex } from "./execute/task-index.js";
import { fillTemplate } from "./load/workspace.js";
import { dryRunLines } from "./plan/dry-run.js";
import { notesFileOf, type PhasePlan, planPhase } from "./plan/phase-plan.js";
import type { PreparedStep } from "./plan/steps.js";
import { attemptResult, recordAttempt } from "./record/attempt.js";
import { lastLines, recordBlocked } from "./record/blocked.js";
import { recordNotes } from "./record/notes-entry.js";
import { recordPlanState } from "./record/plan-state.js";

export interface RunOptions {
  loopPath: string;
  phase: string;
  workspace: string;
  dryRun?: boolean;
  /** Rerun: the earlier bundle, and the step to start from (the earlier steps are taken over). */
  rerunOf?: string;
  fromStep?: string;
  /** local or slurm (default: the phase's, the loop's, local), tasks at once, and --resume. */
  executor?: string;
  jobs?: number;
  resume?: boolean;
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

/** A run under way: its plan, bundle, result (written as it goes) and step records. */
interface Run {
  plan: PhasePlan;
  choice: ExecutorChoice;
  bundle: string;
  result: RunResult;
  records: StepRecord[];
  baseline: Baseline;
}

/** The bundle folder, created; its steps prepared first, so that a step that cannot be prepared leaves no bundle. */
function openBundle(plan: PhasePlan, started: Date): { bundle: string; steps: PreparedStep[] } {
  const path = join(plan.workspace, fillTemplate(plan.bundleTemplate, { stamp: stampOf(started) })).replace(
    /\/+$/,
    "",
  );
  plan.steps(path);
  const bundle = createBundle(path);
  return { bundle, steps: bundle === path ? plan.steps(path) : plan.steps(bundle) };
}

function startRun(
  plan: PhasePlan,
  choice: ExecutorChoice,
  options: RunOptions,
  started: Date,
): { run: Run; steps: PreparedStep[] } {
  const { bundle, steps } = openBundle(plan, started);
  const rel = (p: string) => relative(plan.workspace, p);
  const result: RunResult = {
    status: "running",
    complete: false,
    item: plan.loop.item,
    phase: plan.phaseName,
    loop: rel(plan.loaded.path),
    workspace: plan.workspace,
    bundle: rel(bundle),
    started_utc: started.toISOString(),
    finished_utc: null,
    pid: process.pid,
    attempt: null,
    steps: [],
    blocked_step: null,
    cause: null,
    tests: null,
    artifacts: [],
    captures: [],
    baseline: baselineOf(plan.artifacts(bundle), plan.workspace),
    next_up: plan.phase.next_up ?? [],
    rerun_of: options.rerunOf ? rel(options.rerunOf) : null,
    executor: choice.executor.name,
    jobs: [],
  };
  writeResult(bundle, result);
  writeFileSync(
    join(bundle, "env.json"),
    `${JSON.stringify(envSnapshot(plan.workspace, started), null, 2)}\n`,
  );
  return { run: { plan, choice, bundle, result, records: [], baseline: result.baseline }, steps };
}

function stepContext(run: Run, options: RunOptions, earlier: TaskIndex | null): StepContext {
  return {
    bundle: run.bundle,
    workspace: run.plan.workspace,
    label: `${run.plan.loop.item} phase ${run.plan.phaseName}`,
    executor: run.choice.executor,
    jobs: run.choice.jobs,
    slurm: run.choice.slurm,
    resume: options.resume === true,
    earlier,
    progress: options.progress ?? QUIET,
  };
}

async function executeSteps(run: Run, steps: PreparedStep[], options: RunOptions): Promise<void> {
  let startAt = 0;
  if (options.rerunOf) {
    const taken = takeOver(options.rerunOf, run.bundle, steps, options.fromStep);
    startAt = taken.startAt;
    run.records.push(...taken.records);
    // artifacts the reused steps wrote count as this run's: keep the first run's baseline
    if (taken.earlier.baseline) run.baseline = run.result.baseline = taken.earlier.baseline;
  }
  for (const [n, step] of steps.slice(startAt).entries()) {
    if (step.skip) {
      run.records.push(skippedRecord(step));
      continue;
    }
    // a rerun takes over the tasks its blocked matrix step finished
    const earlier = n === 0 && options.rerunOf ? readTaskIndex(options.rerunOf, step.id) : null;
    const record = await runStep(step, stepContext(run, options, earlier));
    run.records.push(record);
    run.result.jobs.push(...(record.jobs ?? []));
    const signal = interruptedBy();
    if (signal) {
      run.result.status = "interrupted";
      run.result.cause = `${signal} during step ${step.id}`;
      return;
    }
    if (stepFailed(record)) {
      const failure = stepFailure(step, record);
      const tail = lastLines(join(run.bundle, failure.task?.stderr ?? record.stderr), 1);
      run.result.status = "blocked";
      run.result.blocked_step = step.id;
      run.result.cause = `${failure.text}${tail.length > 0 ? `: ${tail[0]}` : ""}`;
      return;
    }
  }
}

async function executeTests(run: Run): Promise<void> {
  const { plan, result } = run;
  if (result.status !== "running" || plan.tests.groups.length === 0) return;
  const tests = await runTests(plan.tests.groups, {
    workspace: plan.workspace,
    bundle: run.bundle,
    env: plan.env,
  });
  const signal = interruptedBy();
  if (signal) {
    result.status = "interrupted";
    result.cause = `${signal} during the mapped tests`;
    return;
  }
  result.tests = { counts: tests.counts, runs: tests.runs };
  if (tests.failure) {
    result.status = "failed";
    result.cause = `mapped tests failed: ${tests.failure}`;
  }
}

/** Artifacts (but the notes file, which the record stage writes), metrics, guards. */
function collect(run: Run, gitBefore: Set<string> | null): Record<string, MetricValue> {
  const { plan, bundle, result } = run;
  const notes = notesFileOf(bundle);
  result.artifacts = plan
    .artifacts(bundle)
    .filter((a) => a.absolute !== notes)
    .map((a) => checkArtifact(a, run.baseline, bundle, plan.workspace));
  const bad = result.artifacts.filter((c) => !c.ok);
  if (result.status !== "blocked" && bad.length > 0) {
    result.status = "blocked";
    result.cause = `artifact ${bad.map((c) => `${c.path} ${c.problem}`).join("; ")}`;
  }
  const metrics = plan.phase.metrics
    ? extractMetrics(plan.path(bundle, plan.phase.metrics.from, "metrics source"), plan.phase.metrics.keys)
        .values
    : {};
  if (result.status !== "blocked") {
    const own = [result.bundle, relative(plan.workspace, notes), relative(plan.workspace, plan.ledger)];
    if (plan.plan) own.push(relative(plan.workspace, plan.plan));
    own.push(...result.artifacts.filter((a) => a.kept !== null).map((a) => a.path));
    const problems = guardProblems(plan.phase.guards ?? [], plan.workspace, gitBefore, own);
    if (problems.length > 0) {
      result.status = "blocked";
      result.cause = `guard ${problems.join("; ")}`;
    }
  }
  if (result.status === "running") result.status = "success";
  return metrics;
}

function writeBookkeeping(run: Run, metrics: Record<string, MetricValue>, finished: Date): void {
  const { plan, bundle, result, records } = run;
  result.finished_utc = finished.toISOString();
  result.steps = records.map(({ env: _env, argv: _argv, cwd: _cwd, shell: _shell, ...rest }) => rest);
  const header = [
    `# ${plan.loop.item} phase ${plan.phaseName}, ${result.started_utc}`,
    `# workspace ${plan.workspace}`,
  ];
  writeFileSync(join(bundle, "commands.txt"), commandsText(header, records));
  const tests = result.tests?.counts;
  const values = tests
    ? {
        ...metrics,
        tests_passed: tests.passed,
        tests_failed: tests.failed,
        tests_skipped: tests.skipped,
        tests_errors: tests.errors,
      }
    : metrics;
  writeFileSync(
    join(bundle, "metrics.json"),
    `${JSON.stringify({ item: plan.loop.item, phase: plan.phaseName, values }, null, 2)}\n`,
  );
  if (result.status === "blocked") recordBlocked(plan, bundle, result, records);
}

async function record(run: Run, metrics: Record<string, MetricValue>, finished: Date): Promise<void> {
  const { plan, bundle, result } = run;
  // the notes file, when the loop lists it as an artifact, is checked once its entry is written
  const notes = plan.artifacts(bundle).filter((a) => a.absolute === notesFileOf(bundle));
  result.attempt = await recordAttempt(
    plan,
    result,
    metrics,
    finished,
    notes.map((a) => a.shown),
  );
  await recordNotes(plan, bundle, result, run.records, finished);
  await recordPlanState(plan, result.status);
  result.artifacts.push(
    ...notes.map((a): ArtifactCheck => checkArtifact(a, run.baseline, bundle, plan.workspace)),
  );
  writeFileSync(join(bundle, "summary.md"), summaryText(plan, bundle, result, run.records, metrics));
  result.complete = true;
  writeResult(bundle, result);
  writeManifest(bundle);
}

/** An interrupted run: its bundle says so and is complete; the ledger, notes and plan are left as they were. */
function finishInterrupted(run: Run, finished: Date): RunOutcome {
  writeBookkeeping(run, {}, finished);
  writeFileSync(
    join(run.bundle, "summary.md"),
    summaryText(run.plan, run.bundle, run.result, run.records, {}),
  );
  run.result.complete = true;
  writeResult(run.bundle, run.result);
  writeManifest(run.bundle);
  const lines = [
    `nbloop: ${run.plan.loop.item} phase ${run.plan.phaseName}: interrupted — ${run.result.cause}`,
    `  bundle: ${run.result.bundle}/ (nothing recorded in the ledger)`,
  ];
  return { status: "interrupted", bundle: run.bundle, attempt: null, lines };
}

function outcomeLines(run: Run): string[] {
  const { plan, result } = run;
  const lines = [
    `nbloop: ${plan.loop.item} phase ${plan.phaseName}: ${result.status}${result.cause ? ` — ${result.cause}` : ""}`,
    `  bundle: ${result.bundle}/`,
    `  ledger: ${relative(plan.workspace, plan.ledger)} Attempt #${result.attempt} (Result: ${attemptResult(result)})`,
  ];
  if (result.captures.length > 0) lines.push(`  captured: ${result.captures.join(", ")}`);
  if (result.status !== "success") {
    const step = result.blocked_step ? ` --step ${result.blocked_step}` : "";
    lines.push(`  rerun:  nbloop rerun ${result.bundle}/${step} --workspace ${plan.workspace}`);
  }
  return lines;
}

export async function runPhase(options: RunOptions): Promise<RunOutcome> {
  const now = options.now ?? (() => new Date());
  const plan = await planPhase(options);
  if (options.dryRun)
    return { status: "dry-run", bundle: null, attempt: null, lines: dryRunLines(plan, now()) };
  if (plan.tests.problems.length > 0)
    throw new InputError(`mapped tests cannot run:\n  ${plan.tests.problems.join("\n  ")}`);
  const choice = chooseExecutor(plan.loop, plan.phase, plan.workspace, options);
  const { run, steps } = startRun(plan, choice, options, now());
  const gitBefore = gitChanges(plan.workspace);
  await executeSteps(run, steps, options);
  await executeTests(run);
  if (run.result.status === "interrupted") return finishInterrupted(run, now());
  const metrics = collect(run, gitBefore);
  const finished = now();
  writeBookkeeping(run, metrics, finished);
  await record(run, metrics, finished);
  return {
    status: run.result.status,
    bundle: run.bundle,
    attempt: run.result.attempt,
    lines: outcomeLines(run),
  };
}
