/**
 * Which runner runs a selector when the loop names none: pytest for Python files and node IDs,
 * vitest for JavaScript and TypeScript test files in a project that uses vitest (a config, a
 * dependency, an install), node --test for those of a project that does not.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RunnerName } from "../../load/loop.js";
import { commandRunner } from "./command.js";
import { nodeTestRunner } from "./node-test.js";
import { pytestRunner } from "./pytest.js";
import type { TestRunner } from "./runner.js";
import { splitSelector } from "./runner.js";
import { vitestRunner } from "./vitest.js";

export const RUNNERS: Record<RunnerName, TestRunner> = {
  pytest: pytestRunner,
  vitest: vitestRunner,
  node: nodeTestRunner,
  command: commandRunner,
};

const PYTEST_CONFIGS = ["pytest.ini", "conftest.py", "tox.ini", "setup.cfg"];
const JS_FILE = /\.[cm]?[jt]sx?$/;

function usesPytest(workspace: string): boolean {
  if (PYTEST_CONFIGS.some((f) => existsSync(join(workspace, f)))) return true;
  const pyproject = join(workspace, "pyproject.toml");
  return existsSync(pyproject) && readFileSync(pyproject, "utf8").includes("[tool.pytest");
}

function usesVitest(workspace: string): boolean {
  const configs = ["vitest.config", "vitest.workspace", "vite.config"].flatMap((base) =>
    ["ts", "mts", "cts", "js", "mjs", "cjs"].map((ext) => `${base}.${ext}`),
  );
  if (configs.some((f) => existsSync(join(workspace, f)))) return true;
  if (existsSync(join(workspace, "node_modules", "vitest", "package.json"))) return true;
  try {
    const pkg = JSON.parse(readFileSync(join(workspace, "package.json"), "utf8"));
    return Boolean(pkg.devDependencies?.vitest ?? pkg.dependencies?.vitest);
  } catch {
    return false;
  }
}

/** The runner a selector's file implies, or null when nothing says. */
export function pickRunner(selector: string, workspace: string): RunnerName | null {
  const file = splitSelector(selector).file.replace(/\[.*$/, "");
  if (/\.py$/.test(file)) return "pytest";
  if (JS_FILE.test(file)) return usesVitest(workspace) ? "vitest" : "node";
  const path = resolve(workspace, file);
  if (existsSync(path) && statSync(path).isDirectory() && usesPytest(workspace)) return "pytest";
  return null;
}
