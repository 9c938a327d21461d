/**
 * A phase planned before anything runs: the loop loaded and checked, every path resolved inside the
 * workspace (a path is workspace-relative unless it starts with {bundle}/), the steps, artifacts,
 * metrics source, reports and If Blocked captures for a given bundle, and the mapped tests located
 * and asked whether their selectors match.
 */

import { basename, dirname, join, relative, resolve } from "node:path";
import { InputError } from "../../util/input-error.js";
import type { PlannedArtifact } from "../collect/artifacts.js";
import { latestBundle, stampOf } from "../collect/bundle.js";
import { type LoadedLoop, loadLoop, phaseOf } from "../load/load-loop.js";
import type { LoopFile, Phase, Stream } from "../load/loop.js";
import { fillTemplate, insideWorkspace } from "../load/workspace.js";
import { ownSchema } from "../own-files.js";
import { type PlannedTests, planTests } from "./mapped-tests.js";
import { type PreparedStep, prepareStep, tasksFolder } from "./steps.js";

export interface PlannedCapture {
  file: string;
  shown: string;
  streams: Stream[];
  step: string | null;
}

export interface PhasePlan {
  loaded: LoadedLoop;
  loop: LoopFile;
  phase: Phase;
  phaseName: string;
  workspace: string;
  ledger: string;
  plan: string | null;
  bundleTemplate: string;
  /** The loop's variables, filled: what steps and test runners run with. */
  env: Record<string, string>;
  tests: PlannedTests;
  steps(bundle: string): PreparedStep[];
  artifacts(bundle: string): PlannedArtifact[];
  /** A file the loop names (metrics source, report): workspace-relative, or {bundle}/... */
  path(bundle: string, declared: string, what: string): string;
  captures(bundle: string): PlannedCapture[];
}

export interface PlanOptions {
  loopPath: string;
  phase: string;
  workspace: string;
}

const IN_BUNDLE = /^\{bundle\}(?:\/|$)/;

/**
 * The filler of placeholders for one bundle: {bundle}, {stamp}, {phase}, {item}, {workspace},
 * {latest:P}, {tasks:STEP} (the folder of a matrix step's tasks), {env:V}.
 */
function filler(loaded: LoadedLoop, phaseName: string, workspace: string, bundle: string) {
  const loop = loaded.loop;
  const tasks = (text: string) =>
    text.replace(/\{tasks:([A-Za-z0-9][A-Za-z0-9._-]*)\}/g, (_whole, id: string) => {
      if (!loop.phases[phaseName].do_now.some((s) => s.id === id && s.matrix))
        throw new InputError(`{tasks:${id}}: phase ${phaseName} has no matrix step "${id}"`);
      return join(bundle, tasksFolder(id));
    });
  const values = { bundle, phase: phaseName, item: loop.item, stamp: basename(bundle), workspace };
  const latest = (text: string) =>
    text.replace(/\{latest:([A-Za-z0-9][A-Za-z0-9._-]*)\}/g, (_whole, name: string) => {
      phaseOf(loaded, name);
      const found = latestBundle(workspace, fillTemplate(loop.bundle, { phase: name, item: loop.item }));
      if (!found)
        throw new InputError(`{latest:${name}}: no successful bundle of phase ${name} yet; run it first`);
      return relative(workspace, found);
    });
  return (text: string) => fillTemplate(tasks(latest(text)), values);
}

function resolvePath(
  workspace: string,
  bundle: string,
  declared: string,
  filled: string,
  what: string,
): string {
  if (IN_BUNDLE.test(declared))
    return insideWorkspace(workspace, relative(bundle, resolve(bundle, filled)) || ".", what, bundle);
  return insideWorkspace(workspace, filled, what);
}

function checkSteps(loaded: LoadedLoop, phaseName: string, phase: Phase): void {
  const ids = new Set<string>();
  for (const step of phase.do_now) {
    if (ids.has(step.id))
      throw new InputError(`${loaded.path}: phase ${phaseName} has two steps "${step.id}"`);
    ids.add(step.id);
  }
  for (const c of phase.if_blocked?.capture ?? []) {
    if (typeof c === "object" && c.step !== undefined && !ids.has(c.step))
      throw new InputError(`${loaded.path}: phase ${phaseName}: capture ${c.file} names no step "${c.step}"`);
  }
}

function schemaFileOf(workspace: string, schema: string | undefined): string | null {
  if (schema === undefined) return null;
  return ownSchema(schema) ?? insideWorkspace(workspace, schema, "schema");
}

/** Run `make`; an input error it throws is prefixed with the position of `pointer` in the loop file. */
function located<T>(loaded: LoadedLoop, pointer: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof InputError && !error.message.startsWith(loaded.path))
      throw new InputError(`${loaded.where(pointer)}: ${error.message}`);
    throw error;
  }
}

type PathOf = (bundle: string, declared: string, what: string) => string;

function artifactsOf(
  loaded: LoadedLoop,
  name: string,
  workspace: string,
  path: PathOf,
  fill: (b: string) => (t: string) => string,
) {
  const phase = loaded.loop.phases[name];
  return (bundle: string): PlannedArtifact[] =>
    (phase.artifacts ?? []).map((a, i) =>
      located(loaded, `/phases/${name}/artifacts/${i}`, () => ({
        declared: a,
        shown: IN_BUNDLE.test(a.path) ? a.path : fill(bundle)(a.path),
        absolute: path(bundle, a.path, "artifact"),
        inBundle: IN_BUNDLE.test(a.path),
        schemaFile: schemaFileOf(workspace, a.schema),
      })),
    );
}

function capturesOf(
  loaded: LoadedLoop,
  name: string,
  path: PathOf,
  fill: (b: string) => (t: string) => string,
) {
  const capture = loaded.loop.phases[name].if_blocked?.capture ?? [];
  return (bundle: string): PlannedCapture[] =>
    capture.flatMap((c, i) =>
      typeof c === "object"
        ? [
            located(loaded, `/phases/${name}/if_blocked/capture/${i}`, () => ({
              file: path(bundle, c.file, "capture"),
              shown: IN_BUNDLE.test(c.file) ? c.file : fill(bundle)(c.file),
              streams: c.streams ?? (["stdout", "stderr"] as Stream[]),
              step: c.step ?? null,
            })),
          ]
        : [],
    );
}

export async function planPhase(options: PlanOptions): Promise<PhasePlan> {
  const workspace = resolve(options.workspace);
  const loaded = loadLoop(options.loopPath);
  const name = options.phase;
  const phase = phaseOf(loaded, name);
  const loop = loaded.loop;
  checkSteps(loaded, name, phase);
  const bundleTemplate = fillTemplate(loop.bundle, { phase: name, item: loop.item });
  located(loaded, "/bundle", () => insideWorkspace(workspace, bundleTemplate, "bundle"));
  const fillFor = (bundle: string) => filler(loaded, name, workspace, bundle);
  const env = Object.fromEntries(
    Object.entries(loop.env ?? {}).map(([k, v]) => [k, fillTemplate(String(v), { workspace })]),
  );
  const path: PathOf = (bundle, declared, what) =>
    resolvePath(workspace, bundle, declared, fillFor(bundle)(declared), what);
  const artifacts = artifactsOf(loaded, name, workspace, path, fillFor);
  const captures = capturesOf(loaded, name, path, fillFor);
  // every path is checked once now, against a bundle of the template's shape
  const probe = join(workspace, fillTemplate(bundleTemplate, { stamp: stampOf(new Date(0)) }));
  artifacts(probe);
  captures(probe);
  if (phase.metrics)
    located(loaded, `/phases/${name}/metrics/from`, () =>
      path(probe, phase.metrics?.from ?? "", "metrics source"),
    );
  located(loaded, `/phases/${name}/report`, () =>
    [phase.report ?? []].flat().map((r) => path(probe, r, "report")),
  );
  const tests = await planTests(loop, phase, { workspace, bundle: probe, env });
  const steps = (bundle: string) =>
    phase.do_now.map((s, i) =>
      located(loaded, `/phases/${name}/do_now/${i}`, () =>
        prepareStep(s, loop, workspace, bundle, fillFor(bundle)),
      ),
    );
  return {
    loaded,
    loop,
    phase,
    phaseName: name,
    workspace,
    ledger: located(loaded, "/ledger", () =>
      insideWorkspace(workspace, loop.ledger ?? "docs/fix_plan.md", "ledger"),
    ),
    plan: loop.plan
      ? located(loaded, "/plan", () => insideWorkspace(workspace, loop.plan as string, "plan"))
      : null,
    bundleTemplate,
    env,
    tests,
    steps,
    artifacts,
    path,
    captures,
  };
}

/** The notes file of a bundle: notes.md in the folder above it, where the phase's bundles are. */
export const notesFileOf = (bundle: string): string => join(dirname(bundle), "notes.md");
