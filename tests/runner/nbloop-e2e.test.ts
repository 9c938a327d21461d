/**
 * nbloop end to end, in a temporary git repository: a succeeding phase and a blocked one, the bundle
 * (every file, checksums), notes, the ledger Attempts, the plan states, rerun after the cause is
 * fixed, two concurrent runs on one ledger, a run killed with SIGKILL, and the runner's overhead.
 */

import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseLedger } from "../../src/ledger/fix-plan.js";
import { parsePlanTasks } from "../../src/ledger/plan-table.js";
import { verifyManifest } from "../../src/runner/collect/bundle.js";
import { FIXTURES_DIR, REPO_ROOT } from "../support/paths.js";

const NBLOOP = join(REPO_ROOT, "dist/src/cli/nbloop.js");
const SEED = join(FIXTURES_DIR, "input_seed.md");

const LEDGER = `# Fix Plan Ledger

## Index
| ID | Title | Priority | Status |
| --- | --- | --- | --- |
| [DEMO-001](#demo-001-a-demo) | A demo | High | in_progress |

## [DEMO-001] A demo
- Priority: High
- Status: in_progress
- Attempts History:
  * [2026-01-01] Attempt #1 — Result: partial — set up by hand
- Exit Criteria: both phases green
`;

const PLAN = `# Demo plan

### Phase ok
| ID | Task Description | State | How/Why & Guidance |
| --- | --- | --- | --- |
| ok | produce a trace | [ ] | nbloop run loops/demo.yaml ok |
| fail | needs fixed.flag | [ ] | nbloop run loops/demo.yaml fail |
| slow | takes a while | [ ] | for the kill test |
`;

const node = (code: string) => ["node", "-e", code];

const LOOP = `item: DEMO-001
title: A demo
plan: plans/demo.md
bundle: reports/demo/{phase}/{stamp}/
env: { DEMO_LEVEL: "3" }
phases:
  ok:
    summary: Trace and summarise
    mode: Parity
    do_now:
      - id: trace
        run: ${JSON.stringify(node("console.log('TRACE_TS: steps ' + (7 + Number(process.env.DEMO_LEVEL))); console.log('TRACE_TS: polar 0.5 0.25')"))}
        stdout: trace.log
      - id: json
        run: ${JSON.stringify(node("require('fs').writeFileSync(process.env.NBLOOP_BUNDLE + '/out.json', JSON.stringify({ ok: true }))"))}
    artifacts:
      - { path: "{bundle}/trace.log", contains: "TRACE_TS: steps" }
      - { path: "{bundle}/out.json", schema: schemas/out.schema.json }
    metrics: { from: "{bundle}/trace.log", keys: [steps, polar] }
    guards: [no_stray_files, protected_assets]
    next_up: [fail]
  fail:
    summary: Needs a flag file
    do_now:
      - id: first
        run: [node, -e, "console.log('fine')"]
      - id: check
        run: ${JSON.stringify(node("if (!require('fs').existsSync('fixed.flag')) { console.error('boom: fixed.flag missing'); process.exit(1) } console.log('fixed')"))}
    if_blocked: { capture: [stdout, stderr], note: "Create fixed.flag, then rerun." }
  slow:
    summary: Sleeps
    do_now:
      - id: sleep
        run: ${JSON.stringify(node("setTimeout(() => {}, 20000)"))}
  quick:
    summary: Three trivial steps
    do_now:
      - { id: one, run: ["true"] }
      - { id: two, run: ["true"] }
      - { id: three, run: ["true"] }
  tested:
    summary: A step and its mapped test
    mapped_tests: [tests/demo.test.mjs]
    do_now:
      - { id: one, run: ["true"] }
  untested:
    summary: A mapped test that fails
    mapped_tests: ["tests/failing.test.mjs::fails when asked"]
    do_now:
      - { id: one, run: ["true"] }
  missing:
    summary: A mapped test that does not exist
    mapped_tests: [tests/nothing.test.mjs]
    do_now:
      - { id: one, run: ["true"] }
`;

const PASSING_TEST = `import { expect, test } from "vitest";
test("adds", () => expect(1 + 1).toBe(2));
test("multiplies", () => expect(2 * 3).toBe(6));
`;

const FAILING_TEST = `import { expect, test } from "vitest";
test("passes", () => expect(1 + 1).toBe(2));
test("fails when asked", () => expect(1 + 1).toBe(3));
`;

let ws: string;

function write(path: string, text: string): void {
  mkdirSync(join(ws, path, ".."), { recursive: true });
  writeFileSync(join(ws, path), text);
}

function nbloop(...args: string[]) {
  const r = spawnSync(process.execPath, [NBLOOP, ...args, "--workspace", ws], { cwd: ws, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function bundles(phase: string): string[] {
  const dir = join(ws, "reports/demo", phase);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n !== "notes.md")
        .map((n) => join(dir, n))
        .sort()
    : [];
}

function attempts(): Array<{ number: number; result: string }> {
  const items = parseLedger(readFileSync(join(ws, "docs/fix_plan.md"), "utf8")).items.filter(
    (i) => i.id === "DEMO-001",
  );
  return items.flatMap((i) => i.attempts).map((a) => ({ number: a.number, result: a.result }));
}

function planState(task: string): string | undefined {
  return parsePlanTasks(readFileSync(join(ws, "plans/demo.md"), "utf8")).find((t) => t.id === task)?.state;
}

afterEach(() => {
  rmSync(ws, { recursive: true, force: true });
});

beforeEach(() => {
  // inside the repository (its tmp/ is ignored), so that the workspace's tests import this vitest
  mkdirSync(join(REPO_ROOT, "tmp"), { recursive: true });
  ws = mkdtempSync(join(REPO_ROOT, "tmp", "nb-loop-"));
  write("tests/demo.test.mjs", PASSING_TEST);
  write("tests/failing.test.mjs", FAILING_TEST);
  write("vitest.config.mjs", "export default {};\n");
  write("docs/fix_plan.md", LEDGER);
  write("plans/demo.md", PLAN);
  write("docs/index.md", "# Index\n\n- [The ledger](fix_plan.md)\n- Plans: `plans/demo.md`\n");
  write("loops/demo.yaml", LOOP);
  write(
    "schemas/out.schema.json",
    JSON.stringify({ type: "object", required: ["ok"], properties: { ok: { const: true } } }),
  );
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ws, stdio: "ignore" });
  git("init", "-q");
  git("-c", "user.email=t@example.org", "-c", "user.name=t", "add", ".");
  git("-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "start");
});

describe("nbloop run", () => {
  it("a succeeding phase leaves a complete bundle, a notes entry, a ledger Attempt and the plan state", () => {
    const r = nbloop("run", "loops/demo.yaml", "ok");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [bundle] = bundles("ok");
    const files = readdirSync(bundle).sort();
    expect(files).toEqual(
      [
        "commands.txt",
        "env.json",
        "json.stderr",
        "json.stdout",
        "metrics.json",
        "out.json",
        "result.json",
        "sha256.txt",
        "summary.md",
        "tasks",
        "trace.log",
        "trace.stderr",
      ].sort(),
    );
    expect(verifyManifest(bundle)).toEqual([]);
    expect(readdirSync(join(bundle, "tasks")).sort()).toEqual(["json.json", "trace.json"]);
    // every file but the manifest itself, the two step records in tasks/ included
    expect(readFileSync(join(bundle, "sha256.txt"), "utf8").trim().split("\n")).toHaveLength(
      files.length - 1 - 1 + 2,
    );
    const result = JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));
    expect(result).toMatchObject({
      status: "success",
      complete: true,
      attempt: 2,
      item: "DEMO-001",
      phase: "ok",
    });
    expect(JSON.parse(readFileSync(join(bundle, "metrics.json"), "utf8")).values).toEqual({
      steps: 10,
      polar: [0.5, 0.25],
    });
    const ajv = new Ajv2020({ allowUnionTypes: true });
    addFormats.default(ajv);
    const validEnv = ajv.compile(
      JSON.parse(readFileSync(join(REPO_ROOT, "schemas/env.schema.json"), "utf8")),
    );
    expect(
      validEnv(JSON.parse(readFileSync(join(bundle, "env.json"), "utf8"))),
      JSON.stringify(validEnv.errors),
    ).toBe(true);
    for (const [file, schema] of [
      ["result.json", "result.schema.json"],
      ["metrics.json", "metrics.schema.json"],
    ]) {
      const valid = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, "schemas", schema), "utf8")));
      expect(
        valid(JSON.parse(readFileSync(join(bundle, file), "utf8"))),
        `${file}: ${JSON.stringify(valid.errors)}`,
      ).toBe(true);
    }
    expect(readFileSync(join(bundle, "commands.txt"), "utf8")).toContain("DEMO_LEVEL=3");
    const notes = readFileSync(join(ws, "reports/demo/ok/notes.md"), "utf8");
    expect(notes).toMatch(/### \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ — ok — success/);
    const ledger = readFileSync(join(ws, "docs/fix_plan.md"), "utf8");
    expect(ledger).toMatch(
      / {2}\* \[\d{4}-\d\d-\d\d\] Attempt #2 — Result: success — Phase ok: Trace and summarise/,
    );
    expect(ledger).toContain("    Metrics: steps=10 polar=0.5,0.25");
    expect(ledger).toMatch(
      / {4}Artifacts: reports\/demo\/ok\/\d{8}T\d{6}Z\/trace\.log, reports\/demo\/ok\/\d{8}T\d{6}Z\/out\.json/,
    );
    // the ledger only gained lines
    expect(ledger.split("\n").filter((l) => !LEDGER.split("\n").includes(l))).toHaveLength(3);
    expect(planState("ok")).toBe("[D]");
  });

  it("a failing step blocks the phase with its stderr captured; rerun after the fix is the next attempt", () => {
    const r = nbloop("run", "loops/demo.yaml", "fail");
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      "nbloop: DEMO-001 phase fail: blocked — step check exit 1: boom: fixed.flag missing",
    );
    expect(r.stdout).toMatch(/rerun: {2}nbloop rerun reports\/demo\/fail\/\d{8}T\d{6}Z\/ --step check/);
    const [old] = bundles("fail");
    expect(readFileSync(join(old, "check.stderr"), "utf8")).toContain("boom: fixed.flag missing");
    expect(readFileSync(join(old, "blocked.md"), "utf8")).toContain("boom: fixed.flag missing");
    expect(JSON.parse(readFileSync(join(old, "result.json"), "utf8"))).toMatchObject({
      status: "blocked",
      blocked_step: "check",
    });
    expect(attempts().at(-1)).toEqual({ number: 2, result: "blocked" });
    expect(planState("fail")).toBe("[B]");
    const notes = readFileSync(join(ws, "reports/demo/fail/notes.md"), "utf8");
    expect(notes).toMatch(/### \S+Z — fail — blocked/);
    expect(notes).toContain("boom: fixed.flag missing");

    write("fixed.flag", "");
    const again = spawnSync(process.execPath, [NBLOOP, "rerun", old], { cwd: ws, encoding: "utf8" });
    expect(again.status, again.stderr).toBe(0);
    const newer = bundles("fail").find((b) => b !== old) as string;
    const result = JSON.parse(readFileSync(join(newer, "result.json"), "utf8"));
    expect(result).toMatchObject({ status: "success", attempt: 3 });
    expect(result.rerun_of).toBe(old.slice(ws.length + 1));
    expect(result.steps.map((s: { id: string; reused?: boolean }) => [s.id, s.reused === true])).toEqual([
      ["first", true],
      ["check", false],
    ]);
    expect(readFileSync(join(newer, "first.stdout"), "utf8")).toBe("fine\n");
    expect(attempts().at(-1)).toEqual({ number: 3, result: "success" });
    expect(planState("fail")).toBe("[D]");
  });

  it("two concurrent runs on one ledger both record their attempt", async () => {
    const run = () =>
      new Promise<number>((resolveExit) => {
        const child = spawn(
          process.execPath,
          [NBLOOP, "run", "loops/demo.yaml", "quick", "--workspace", ws],
          { cwd: ws },
        );
        child.on("exit", (code) => resolveExit(code ?? -1));
      });
    const codes = await Promise.all([run(), run(), run()]);
    expect(codes).toEqual([0, 0, 0]);
    expect(
      attempts()
        .map((a) => a.number)
        .sort(),
    ).toEqual([1, 2, 3, 4]);
    expect(bundles("quick")).toHaveLength(3);
  });

  it("a run killed with SIGKILL leaves the ledger intact and the bundle not marked success", {
    timeout: 30_000,
  }, async () => {
    const child = spawn(process.execPath, [NBLOOP, "run", "loops/demo.yaml", "slow", "--workspace", ws], {
      cwd: ws,
    });
    const sleeping = () => bundles("slow").some((b) => existsSync(join(b, "sleep.stdout")));
    for (let i = 0; i < 800 && !sleeping(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(sleeping()).toBe(true);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const [bundle] = bundles("slow");
    const result = JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));
    expect(result.status).toBe("running");
    expect(result.complete).toBe(false);
    expect(readFileSync(join(ws, "docs/fix_plan.md"), "utf8")).toBe(LEDGER);
    expect(existsSync(join(ws, "docs/fix_plan.md.lock"))).toBe(false);
  });

  it("SIGTERM stops the running step: the bundle says interrupted, the ledger is untouched, no lock is left", {
    timeout: 30_000,
  }, async () => {
    const child = spawn(process.execPath, [NBLOOP, "run", "loops/demo.yaml", "slow", "--workspace", ws], {
      cwd: ws,
    });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const sleeping = () => bundles("slow").some((b) => existsSync(join(b, "sleep.stdout")));
    for (let i = 0; i < 800 && !sleeping(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(sleeping()).toBe(true);
    const start = performance.now();
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.on("exit", r));
    expect(performance.now() - start).toBeLessThan(5000);
    expect(code).toBe(143);
    expect(stdout).toContain("nbloop: DEMO-001 phase slow: interrupted — SIGTERM during step sleep");
    const [bundle] = bundles("slow");
    const result = JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));
    expect(result).toMatchObject({ status: "interrupted", complete: true, attempt: null });
    expect(verifyManifest(bundle)).toEqual([]);
    expect(readFileSync(join(ws, "docs/fix_plan.md"), "utf8")).toBe(LEDGER);
    expect(existsSync(join(ws, "docs/fix_plan.md.lock"))).toBe(false);
  });

  it("runs a phase of three trivial steps in under a second", () => {
    const start = performance.now();
    const r = nbloop("run", "loops/demo.yaml", "quick");
    const seconds = (performance.now() - start) / 1000;
    expect(r.code).toBe(0);
    console.log(`nbloop run, 3 trivial steps: ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(1);
  });
});

describe("mapped tests", () => {
  it("are found before anything runs and run after the steps, their output in the bundle", () => {
    const r = nbloop("run", "loops/demo.yaml", "tested");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [bundle] = bundles("tested");
    expect(readFileSync(join(bundle, "tests/vitest-1.log"), "utf8")).toContain("2 passed");
    const result = JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));
    expect(result.tests.counts).toEqual({ passed: 2, failed: 0, skipped: 0, errors: 0 });
    expect(result.tests.runs).toMatchObject([
      { runner: "vitest", selectors: ["tests/demo.test.mjs"], exitCode: 0 },
    ]);
    expect(readFileSync(join(bundle, "summary.md"), "utf8")).toContain(
      "| vitest | `tests/demo.test.mjs` | 2 | 0 | 0 | 0 | 0 | tests/vitest-1.log | tests/vitest-1-report.json |",
    );
    expect(JSON.parse(readFileSync(join(bundle, "metrics.json"), "utf8")).values).toEqual({
      tests_passed: 2,
      tests_failed: 0,
      tests_skipped: 0,
      tests_errors: 0,
    });
    expect(readFileSync(join(ws, "docs/fix_plan.md"), "utf8")).toContain(
      "    Tests: 2 passed, 0 failed, 0 skipped, 0 errors (vitest)",
    );
  });

  it("a failing mapped test fails the phase", () => {
    const r = nbloop("run", "loops/demo.yaml", "untested");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "nbloop: DEMO-001 phase untested: failed — mapped tests failed: vitest: 0 passed, 1 failed, 0 skipped, 0 errors",
    );
    expect(attempts().at(-1)).toEqual({ number: 2, result: "failed" });
  });

  it("a mapped test that cannot be found stops the run before it starts", () => {
    const r = nbloop("run", "loops/demo.yaml", "missing");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "nbloop: error: mapped tests cannot run:\n  tests/nothing.test.mjs: vitest lists no such test file (vitest list --filesOnly, exit 0: it lists 0 file(s))",
    );
    expect(bundles("missing")).toEqual([]);
  });
});

describe("nbloop run --dry-run, status, env", () => {
  it("--dry-run says what would run and writes nothing", () => {
    const r = nbloop("run", "loops/demo.yaml", "ok", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("dry run: DEMO-001 phase ok — Trace and summarise");
    expect(r.stdout).toMatch(
      /bundle: reports\/demo\/ok\/\d{8}T\d{6}Z\/ \(from reports\/demo\/\{phase\}\/\{stamp\}\/\)/,
    );
    expect(r.stdout).toContain("  trace: DEMO_LEVEL=3 node -e ");
    expect(r.stdout).toContain('  {bundle}/trace.log: not empty, contains "TRACE_TS: steps"');
    expect(r.stdout).toContain("  {bundle}/out.json: not empty, valid against schemas/out.schema.json");
    expect(bundles("ok")).toEqual([]);
    expect(readFileSync(join(ws, "docs/fix_plan.md"), "utf8")).toBe(LEDGER);
  });

  it("status lists items, last attempts, blocked phases and what comes next", () => {
    nbloop("run", "loops/demo.yaml", "fail");
    const r = nbloop("status");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("DEMO-001 — in_progress — last Attempt #2 ");
    expect(r.stdout).toMatch(
      / {2}blocked: phase fail \(reports\/demo\/fail\/\d{8}T\d{6}Z\) step check exit 1/,
    );
  });

  it("a path escaping the workspace is refused before anything runs", () => {
    write(
      "loops/escape.yaml",
      LOOP.replace("bundle: reports/demo/{phase}/{stamp}/", "bundle: ../outside/{stamp}/"),
    );
    const r = nbloop("run", "loops/escape.yaml", "ok");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "nbloop: error: loops/escape.yaml:4:9: bundle ../outside/{stamp}/ resolves outside the workspace",
    );
    expect(existsSync(join(ws, "../outside"))).toBe(false);
  });

  it("an unknown phase is an error naming the phases", () => {
    const r = nbloop("run", "loops/demo.yaml", "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'loops/demo.yaml: no phase "nope" (phases: ok, fail, slow, quick, tested, untested, missing)',
    );
  });
});

describe("memos", () => {
  it("import-memo drafts a loop from the seed memo; --dry-run lists its two commands and three artifacts; brief renders it", () => {
    const imported = spawnSync(
      process.execPath,
      [NBLOOP, "import-memo", SEED, "--out", join(ws, "loops/seed.yaml")],
      { encoding: "utf8" },
    );
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stderr).toContain("nbloop: not mapped: ");
    const dry = nbloop("run", "loops/seed.yaml", "L2b", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      "PYTHONPATH=src KMP_DUPLICATE_LIB_OK=TRUE python reports/2025-10-cli-flags/phase_l/scaling_audit/trace_harness.py --config supervisor --pixel 685 1039 --out trace_py_scaling.log --device cpu --dtype float32",
    );
    expect(dry.stdout).toContain(
      "KMP_DUPLICATE_LIB_OK=TRUE pytest tests/test_trace_pixel.py::TestScalingTrace::test_scaling_trace_matches_physics -v",
    );
    const audit = "reports/2025-10-cli-flags/phase_l/scaling_audit";
    expect(dry.stdout).toContain(
      `  ${audit}/trace_py_scaling.log: not empty, written by this run, kept in the bundle\n` +
        `  ${audit}/trace_py_env.json: not empty, written by this run, valid against nbloop:trace-env.schema.json, kept in the bundle\n` +
        `  ${audit}/notes.md: not empty, written by this run, kept in the bundle\n`,
    );
    expect(dry.stdout).toContain(`if blocked, captured into: ${audit}/trace_py_stdout_cli.txt`);
    const brief = nbloop("brief", "loops/seed.yaml", "L2b");
    expect(brief.code).toBe(0);
    const keys = brief.stdout
      .split("\n")
      .map((l) => /^([A-Z][A-Za-z &-]+):/.exec(l)?.[1])
      .filter(Boolean);
    expect(keys).toEqual([
      "Summary",
      "Mode",
      "Focus",
      "Branch",
      "Mapped tests",
      "Artifacts",
      "Do Now",
      "If Blocked",
      "Priorities & Rationale",
      "How-To Map",
      "Pitfalls To Avoid",
      "Pointers",
      "Next Up",
    ]);
  });

  it("env --json is the snapshot bundles record, valid against its schema", () => {
    const r = nbloop("env", "--json");
    expect(r.code).toBe(0);
    const ajv = new Ajv2020({ allowUnionTypes: true });
    const valid = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, "schemas/env.schema.json"), "utf8")));
    const snapshot = JSON.parse(r.stdout);
    expect(valid(snapshot), JSON.stringify(valid.errors)).toBe(true);
    expect(snapshot.git.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(
      Object.keys(snapshot.env).every((k) => /^(NB_|OMP_NUM_THREADS$|CI$|NODE_ENV$|TZ$|LANG$)/.test(k)),
    ).toBe(true);
  });
});
