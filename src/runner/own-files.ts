/**
 * nbloop's own files, wherever the package is installed: its root (found from this module, which
 * runs from dist/ in a build and from src/ in development), its JSON Schemas and its built programs.
 */

import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../util/input-error.js";

let root: string | null = null;

/** The package's root: the nearest folder above this module that holds schemas/loop.schema.json. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "schemas", "loop.schema.json"))) {
      root = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error("nbloop's schemas/ folder is not next to the package");
}

/** A schema shipped with nbloop (schemas/NAME). */
export function schemaPath(name: string): string {
  return join(packageRoot(), "schemas", name);
}

/** The prefix that names one of nbloop's schemas in a loop file: nbloop:trace-env.schema.json. */
export const OWN_SCHEMA = "nbloop:";

/** The file an artifact's `schema` names: nbloop:NAME is nbloop's own; anything else is left to the caller. */
export function ownSchema(reference: string): string | null {
  if (!reference.startsWith(OWN_SCHEMA)) return null;
  const name = reference.slice(OWN_SCHEMA.length);
  const shipped = readdirSync(join(packageRoot(), "schemas")).filter((f) => f.endsWith(".schema.json"));
  if (!shipped.includes(name))
    throw new InputError(`schema ${reference}: nbloop has no such schema (it has ${shipped.join(", ")})`);
  return schemaPath(name);
}

/** A file of the build (dist/...), or an error saying that nbloop must be built first. */
export function builtFile(relative: string): string {
  const path = join(packageRoot(), "dist", relative);
  if (!existsSync(path)) throw new InputError(`${path} is missing: build nbloop first (npm run build)`);
  return path;
}
