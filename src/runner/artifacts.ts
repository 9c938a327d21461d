/**
 * Checking what a phase must produce: each artifact exists in the bundle, is not empty (unless the
 * loop allows it), contains the text it must, and, for JSON artifacts with a schema, satisfies it.
 */

import { readFileSync, statSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Artifact } from "./loop.js";
import { insideWorkspace } from "./workspace.js";

export interface ArtifactCheck {
  path: string;
  ok: boolean;
  problem: string | null;
}

function schemaValidator(schemaFile: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
}

export function checkArtifact(artifact: Artifact, bundle: string, workspace: string): ArtifactCheck {
  const file = insideWorkspace(workspace, artifact.path, "artifact", bundle);
  const fail = (problem: string): ArtifactCheck => ({ path: artifact.path, ok: false, problem });
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return fail("missing");
  }
  if (artifact.non_empty !== false && size === 0) return fail("empty");
  const text =
    artifact.contains !== undefined || artifact.schema !== undefined ? readFileSync(file, "utf8") : "";
  if (artifact.contains !== undefined && !text.includes(artifact.contains)) {
    return fail(`does not contain "${artifact.contains}"`);
  }
  if (artifact.schema !== undefined) {
    const validate = schemaValidator(insideWorkspace(workspace, artifact.schema, "schema"));
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return fail(`is not JSON (${(error as Error).message})`);
    }
    if (!validate(data)) {
      const why = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
      return fail(`violates ${artifact.schema}: ${why}`);
    }
  }
  return { path: artifact.path, ok: true, problem: null };
}
