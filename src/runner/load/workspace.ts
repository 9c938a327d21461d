/**
 * Paths in a loop are relative to the workspace (the repository the loop works on) and must stay in
 * it: a bundle, an artifact or a working folder that resolves outside is refused, symbolic links
 * included.
 */

import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { InputError } from "../../util/input-error.js";

/** The real path of the longest existing prefix, with the rest appended. */
function realish(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(existing.slice(parent.length + 1));
    existing = parent;
  }
  return resolve(realpathSync(existing), ...rest);
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(realish(root), realish(path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** `path` (relative to `base`, default the workspace) as an absolute path inside the workspace. */
export function insideWorkspace(workspace: string, path: string, what: string, base = workspace): string {
  const absolute = resolve(base, path);
  if (!isInside(workspace, absolute)) {
    throw new InputError(`${what} ${path} resolves outside the workspace ${workspace}: refused`);
  }
  return absolute;
}

/**
 * Replace {name} placeholders that have a value, then {env:NAME} / {env:NAME:-default} with the
 * environment's value (an unset variable without a default is an error; a default may hold {name}
 * placeholders, such as {workspace}); other braces stay.
 */
export function fillTemplate(
  text: string,
  values: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return text
    .replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole)
    .replace(/\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_whole, name: string, fallback?: string) => {
      // as the shell's ${NAME:-default}: the default also stands in for an empty value
      const value = fallback !== undefined && !env[name] ? fallback : env[name];
      if (value === undefined)
        throw new InputError(`{env:${name}}: the environment variable ${name} is not set`);
      return value;
    });
}
