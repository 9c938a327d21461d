/**
 * Where gpu.js and its native headless-gl come from: the package's own node_modules when someone
 * installed them there, else the separate runtime folder gpu/ (`npm ci --prefix gpu`), kept apart so
 * that the main install stays fast (gl compiles ANGLE from source where it cannot download a build).
 */

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The gpu/ runtime folder: found upwards from this module (src/backends/ or the bundle in dist/src/cli/). */
function runtimeFolder(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    if (existsSync(join(dir, "gpu", "package.json"))) return join(dir, "gpu");
    dir = dirname(dir);
  }
  return null;
}

/** The module `name` (gpu.js or gl), or null where neither place has it. */
export async function loadGpuModule(name: "gpu.js" | "gl"): Promise<unknown | null> {
  try {
    return await import(name);
  } catch {
    const folder = runtimeFolder();
    if (!folder) return null;
    try {
      return createRequire(join(folder, "package.json"))(name);
    } catch {
      return null;
    }
  }
}
