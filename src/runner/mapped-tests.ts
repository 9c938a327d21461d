/**
 * A phase's mapped tests ("tests/x.test.ts" or "tests/x.test.ts::name"): found with `vitest list`
 * before anything runs, so that a loop cannot point at tests that do not exist, and run after the
 * steps with their output kept in the bundle.
 */

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { schemaPath } from "./load-loop.js";
import { insideWorkspace } from "./workspace.js";

export interface MappedTest {
  spec: string;
  file: string;
  name: string | null;
  found: boolean;
  problem: string | null;
}

export interface MappedTests {
  entries: MappedTest[];
  vitest: string | null;
}

/** The workspace's vitest, else this package's. */
function vitestBinary(workspace: string): string | null {
  const own = join(dirname(dirname(schemaPath("loop.schema.json"))), "node_modules", ".bin", "vitest");
  return [join(workspace, "node_modules", ".bin", "vitest"), own].find((p) => existsSync(p)) ?? null;
}

export function findMappedTests(specs: string[], workspace: string): MappedTests {
  if (specs.length === 0) return { entries: [], vitest: null };
  const vitest = vitestBinary(workspace);
  const entries: MappedTest[] = specs.map((spec) => {
    const [file, name] = spec.split("::");
    insideWorkspace(workspace, file, "mapped test");
    const exists = existsSync(join(workspace, file));
    return { spec, file, name: name ?? null, found: exists, problem: exists ? null : "no such file" };
  });
  const files = entries.filter((e) => e.found).map((e) => e.file);
  if (files.length === 0) return { entries, vitest };
  if (vitest === null) {
    for (const e of entries) Object.assign(e, { found: false, problem: "vitest is not installed" });
    return { entries, vitest };
  }
  // plain output, one "file > suite > test" line per test (`--json FILE` would write to FILE)
  let listed: Array<{ name: string; file: string }> = [];
  try {
    const out = execFileSync(vitest, ["list", ...files], {
      cwd: workspace,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    listed = out
      .split("\n")
      .filter((line) => line.includes(" > "))
      .map((line) => ({
        file: line.slice(0, line.indexOf(" > ")),
        name: line.slice(line.indexOf(" > ") + 3),
      }));
  } catch (error) {
    const why = String((error as { stderr?: string }).stderr ?? (error as Error).message)
      .trim()
      .split("\n")[0];
    for (const e of entries)
      if (e.found) Object.assign(e, { found: false, problem: `vitest list failed: ${why}` });
    return { entries, vitest };
  }
  for (const e of entries.filter((x) => x.found)) {
    const inFile = listed.filter((t) => t.file.endsWith(e.file.replace(/^\.\//, "")));
    if (inFile.length === 0) Object.assign(e, { found: false, problem: "vitest lists no test in it" });
    else if (e.name !== null && !inFile.some((t) => t.name.includes(e.name as string))) {
      Object.assign(e, { found: false, problem: `no test named "${e.name}"` });
    }
  }
  return { entries, vitest };
}

export async function runMappedTests(
  tests: MappedTests,
  workspace: string,
  bundle: string,
): Promise<{ files: string[]; exitCode: number | null }> {
  const files = [...new Set(tests.entries.map((e) => e.file))];
  const names = tests.entries.map((e) => e.name).filter((n): n is string => n !== null);
  const filter =
    names.length > 0 ? ["-t", names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")] : [];
  const result = await execa(tests.vitest as string, ["run", ...files, ...filter], {
    cwd: workspace,
    reject: false,
    stdin: "ignore",
    stdout: { file: join(bundle, "tests.stdout") },
    stderr: { file: join(bundle, "tests.stderr") },
  });
  return { files, exitCode: result.exitCode ?? null };
}
