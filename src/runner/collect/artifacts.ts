/**
 * What a phase must produce, checked where the loop says it is: a path relative to the workspace
 * (where the project's own harness writes it) or, starting with {bundle}/, inside the bundle. Each
 * must exist, be written during this run (a file left by an earlier run is stale), be non-empty,
 * contain its text and satisfy its JSON Schema; each workspace artifact is then kept in the bundle
 * under artifacts/, at the same relative path, so that the evidence outlives the next run.
 */

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Artifact } from "../load/loop.js";

/** An artifact as the plan resolved it. */
export interface PlannedArtifact {
  declared: Artifact;
  /** The path as the loop gives it, placeholders filled: what the user reads in reports. */
  shown: string;
  absolute: string;
  inBundle: boolean;
  /** The schema file, resolved (workspace or nbloop's own), or null. */
  schemaFile: string | null;
}

export interface ArtifactCheck {
  path: string;
  ok: boolean;
  problem: string | null;
  /** Where the bundle keeps it (bundle-relative), or null. */
  kept: string | null;
}

/** Each workspace file's modification time before the steps ran (files in artifact folders included). */
export type Baseline = Record<string, number>;

/** Every file at a path: itself, or the files under a folder (workspace-relative keys). */
function filesAt(absolute: string, workspace: string): Array<{ key: string; path: string }> {
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [{ key: relative(workspace, absolute), path: absolute }];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .map((path) => ({ key: relative(workspace, path), path }));
}

export function baselineOf(artifacts: PlannedArtifact[], workspace: string): Baseline {
  const baseline: Baseline = {};
  for (const a of artifacts.filter((x) => !x.inBundle))
    for (const f of filesAt(a.absolute, workspace)) baseline[f.key] = statSync(f.path).mtimeMs;
  return baseline;
}

const validators = new Map<string, ValidateFunction>();

function validatorOf(schemaFile: string): ValidateFunction {
  let validate = validators.get(schemaFile);
  if (!validate) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
    validators.set(schemaFile, validate);
  }
  return validate;
}

/** Why the file's content is not what the artifact asks for, or null. */
function contentProblem(a: PlannedArtifact, text: string): string | null {
  if (a.declared.contains !== undefined && !text.includes(a.declared.contains))
    return `does not contain "${a.declared.contains}"`;
  if (a.schemaFile === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `is not JSON (${(error as Error).message})`;
  }
  const validate = validatorOf(a.schemaFile);
  if (validate(data)) return null;
  const why = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
  return `violates ${a.declared.schema}: ${why}`;
}

/** Was any file at the artifact's path written since the baseline (created, or its time changed)? */
function written(a: PlannedArtifact, baseline: Baseline, workspace: string): boolean {
  return filesAt(a.absolute, workspace).some(
    (f) => baseline[f.key] === undefined || baseline[f.key] !== statSync(f.path).mtimeMs,
  );
}

/** Why the artifact fails, or null: missing, stale, empty, then its content. */
function problemOf(a: PlannedArtifact, fresh: boolean, workspace: string): string | null {
  if (!existsSync(a.absolute)) return "missing";
  if (!fresh) return "stale: not written during this run (left by an earlier one)";
  const folder = statSync(a.absolute).isDirectory();
  const empty = folder ? filesAt(a.absolute, workspace).length === 0 : statSync(a.absolute).size === 0;
  if (a.declared.non_empty !== false && empty) return "empty";
  if (folder || (a.declared.contains === undefined && a.schemaFile === null)) return null;
  return contentProblem(a, readFileSync(a.absolute, "utf8"));
}

/** Copy a workspace artifact (file or folder) into the bundle's artifacts/; its bundle-relative path. */
function keep(a: PlannedArtifact, bundle: string, workspace: string): string {
  for (const f of filesAt(a.absolute, workspace)) {
    const target = join(bundle, "artifacts", f.key);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(f.path, target);
  }
  return join("artifacts", relative(workspace, a.absolute));
}

/**
 * The artifact checked; a workspace artifact this run wrote is kept in the bundle even when its content
 * fails (the evidence of what went wrong), a stale one is not (it is not this run's).
 */
export function checkArtifact(
  a: PlannedArtifact,
  baseline: Baseline,
  bundle: string,
  workspace: string,
): ArtifactCheck {
  const exists = existsSync(a.absolute);
  const fresh = a.inBundle || a.declared.fresh === false || (exists && written(a, baseline, workspace));
  const problem = problemOf(a, fresh, workspace);
  const kept = !a.inBundle && exists && fresh ? keep(a, bundle, workspace) : null;
  return { path: a.shown, ok: problem === null, problem, kept };
}
