/** Finding a program the way a shell would: a path with a slash as given, else the first on PATH. */

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The program's absolute path, or null. A name with a slash is relative to `cwd`. */
export function findProgram(
  name: string,
  cwd: string,
  env: Record<string, string | undefined>,
): string | null {
  if (name.includes("/")) {
    const path = isAbsolute(name) ? name : resolve(cwd, name);
    return executable(path) ? path : null;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}
