/**
 * A phase's mapped tests, planned before anything runs: each selector's runner (named by the test,
 * the phase or the loop, else picked from the selector), the command that starts it, and the
 * runner's own word that each selector matches a test. What cannot run is a problem named here.
 */

import { InputError } from "../../util/input-error.js";
import { pickRunner, RUNNERS } from "../execute/test-runners/pick.js";
import type { RunContext, TestRunner } from "../execute/test-runners/runner.js";
import type { LoopFile, MappedTest, Phase, RunnerName, RunnerSpec } from "../load/loop.js";

export interface TestGroup {
  runner: TestRunner;
  launcher: string[];
  selectors: string[];
}

export interface PlannedTests {
  groups: TestGroup[];
  /** One line per selector that cannot run: its runner is missing, or it matches no test. */
  problems: string[];
}

const specName = (spec: RunnerSpec): RunnerName => (typeof spec === "string" ? spec : spec.name);
const specCommand = (spec: RunnerSpec): string[] | undefined =>
  typeof spec === "string" ? undefined : spec.command;

interface Resolved {
  selector: string;
  spec: RunnerSpec | null;
}

function resolveSpecs(
  loop: LoopFile,
  phase: Phase,
  workspace: string,
): { resolved: Resolved[]; problems: string[] } {
  const problems: string[] = [];
  const resolved = (phase.mapped_tests ?? []).map((test: MappedTest) => {
    const selector = typeof test === "string" ? test : test.select;
    const named = (typeof test === "string" ? undefined : test.runner) ?? phase.runner ?? loop.runner;
    const picked = named ?? pickRunner(selector, workspace);
    if (picked === null)
      problems.push(
        `${selector}: cannot tell which runner runs it; name one (runner: pytest, vitest, node or command)`,
      );
    return { selector, spec: picked };
  });
  return { resolved, problems };
}

/** Group by runner and launcher, locate each runner, ask it about its selectors. */
export async function planTests(loop: LoopFile, phase: Phase, ctx: RunContext): Promise<PlannedTests> {
  const { resolved, problems } = resolveSpecs(loop, phase, ctx.workspace);
  const groups = new Map<string, { spec: RunnerSpec; selectors: string[] }>();
  for (const r of resolved) {
    if (r.spec === null) continue;
    const key = JSON.stringify(r.spec);
    groups.set(key, { spec: r.spec, selectors: [...(groups.get(key)?.selectors ?? []), r.selector] });
  }
  const planned: TestGroup[] = [];
  for (const { spec, selectors } of groups.values()) {
    const runner = RUNNERS[specName(spec)];
    let launcher: string[];
    try {
      launcher = specCommand(spec) ?? (await runner.locate(ctx.workspace, ctx.env));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...selectors.map((s) => `${s}: ${error.message}`));
      continue;
    }
    problems.push(...(await runner.validate(launcher, selectors, ctx)));
    planned.push({ runner, launcher, selectors });
  }
  return { groups: planned, problems };
}
