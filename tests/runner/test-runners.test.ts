/**
 * Mapped tests through each project's own runner (pytest, vitest, node --test, a command): for each, a
 * passing selector, a failing one, a skipped one, one that matches nothing and a runner that is not
 * installed, with the message the user sees; the counts come from the runner's own report.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type Workspace } from "../support/workspace.js";

const NODE = process.execPath;
/** A PATH with nothing on it: no runner can be found there. */
const EMPTY_PATH = mkdtempSync(join(tmpdir(), "nb-empty-path-"));

function loop(tests: Record<string, string[]>, extra = ""): string {
  const phases = Object.entries(tests).map(
    ([phase, selectors]) =>
      `  ${phase}:\n    summary: ${phase}\n    mapped_tests: ${JSON.stringify(selectors)}\n    do_now:\n      - { id: step, run: [${JSON.stringify(NODE)}, -e, "0"] }\n`,
  );
  return `item: RUN-001\ntitle: Runners\nbundle: reports/{phase}/{stamp}/\n${extra}phases:\n${phases.join("")}`;
}

function counts(ws: Workspace, phase: string) {
  const [bundle] = ws.bundles(`reports/${phase}`).slice(-1);
  return JSON.parse(readFileSync(join(bundle, "result.json"), "utf8")).tests.counts;
}

afterAll(() => rmSync(EMPTY_PATH, { recursive: true, force: true }));

describe("pytest", () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = makeWorkspace({
      files: {
        "pytest.ini": "[pytest]\ntestpaths = tests\n",
        "tests/test_a.py": [
          "import pytest",
          "def test_passes(): assert 1 + 1 == 2",
          "def test_fails(): assert 1 + 1 == 3",
          '@pytest.mark.skip(reason="not on this machine")',
          "def test_skipped(): pass",
          '@pytest.mark.parametrize("dtype", ["float32", "float64"])',
          "def test_param(dtype): assert dtype.startswith('float')",
          "",
        ].join("\n"),
        "loop.yaml": loop({
          pass: ["tests/test_a.py::test_passes", "tests/test_a.py::test_param[float64]"],
          fail: ["tests/test_a.py::test_fails"],
          skip: ["tests/test_a.py::test_skipped"],
          nothing: ["tests/test_a.py::test_nope"],
        }),
        ".gitignore": "__pycache__/\n",
      },
    });
    ws.commit();
  });
  afterAll(() => rmSync(ws.dir, { recursive: true, force: true }));

  it("a passing selector (a node ID, a parametrised one): success, counts from the JUnit report", () => {
    const r = ws.nbloop(["run", "loop.yaml", "pass"]);
    expect(r.code, r.stderr).toBe(0);
    expect(counts(ws, "pass")).toEqual({ passed: 2, failed: 0, skipped: 0, errors: 0 });
    const [bundle] = ws.bundles("reports/pass");
    expect(readFileSync(join(bundle, "tests/pytest-junit.xml"), "utf8")).toContain("test_param[float64]");
  });

  it("a failing selector fails the phase (exit 1)", () => {
    const r = ws.nbloop(["run", "loop.yaml", "fail"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "failed — mapped tests failed: pytest: 0 passed, 1 failed, 0 skipped, 0 errors",
    );
  });

  it("a skipped selector counts as skipped, and the phase succeeds", () => {
    const r = ws.nbloop(["run", "loop.yaml", "skip"]);
    expect(r.code, r.stdout).toBe(0);
    expect(counts(ws, "skip")).toEqual({ passed: 0, failed: 0, skipped: 1, errors: 0 });
  });

  it("a selector that matches nothing stops the run before any step, quoting pytest", () => {
    const r = ws.nbloop(["run", "loop.yaml", "nothing"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^nbloop: error: mapped tests cannot run:\n {2}tests\/test_a\.py::test_nope: pytest collects no test \(pytest --collect-only, exit 4: ERROR: not found: .*test_a\.py::test_nope/,
    );
    expect(ws.bundles("reports/nothing")).toEqual([]);
  });

  it("pytest not installed", () => {
    const r = ws.nbloop(["run", "loop.yaml", "pass"], { PATH: EMPTY_PATH });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "nbloop: error: mapped tests cannot run:\n  tests/test_a.py::test_passes: pytest is not installed: neither pytest nor python3 is on PATH\n  tests/test_a.py::test_param[float64]: pytest is not installed: neither pytest nor python3 is on PATH\n",
    );
  });
});

const VITEST_FILE = `import { describe, expect, test } from "vitest";
describe("sums", () => { test("adds", () => expect(1 + 1).toBe(2)); });
test("fails", () => expect(1 + 1).toBe(3));
test("skips at run time", (ctx) => ctx.skip());
`;

describe("vitest", () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = makeWorkspace({
      nearVitest: true,
      files: {
        "vitest.config.mjs": "export default {};\n",
        "tests/a.test.mjs": VITEST_FILE,
        "loop.yaml": loop({
          pass: ["tests/a.test.mjs::sums > adds"],
          fail: ["tests/a.test.mjs::fails"],
          skip: ["tests/a.test.mjs::skips at run time"],
          nothing: ["tests/a.test.mjs::nope"],
          whole: ["tests/a.test.mjs"],
        }),
      },
    });
    ws.commit();
  });
  afterAll(() => rmSync(ws.dir, { recursive: true, force: true }));

  it("a passing selector: only the named test counts", () => {
    const r = ws.nbloop(["run", "loop.yaml", "pass"]);
    expect(r.code, r.stderr).toBe(0);
    expect(counts(ws, "pass")).toEqual({ passed: 1, failed: 0, skipped: 0, errors: 0 });
  });

  it("a failing selector fails the phase; a whole file counts every test", () => {
    expect(ws.nbloop(["run", "loop.yaml", "fail"]).stdout).toContain(
      "failed — mapped tests failed: vitest: 0 passed, 1 failed, 0 skipped, 0 errors",
    );
    expect(ws.nbloop(["run", "loop.yaml", "whole"]).code).toBe(1);
    expect(counts(ws, "whole")).toEqual({ passed: 1, failed: 1, skipped: 1, errors: 0 });
  });

  it("a skipped selector", () => {
    expect(ws.nbloop(["run", "loop.yaml", "skip"]).code).toBe(0);
    expect(counts(ws, "skip")).toEqual({ passed: 0, failed: 0, skipped: 1, errors: 0 });
  });

  it("a selector that matches nothing", () => {
    const r = ws.nbloop(["run", "loop.yaml", "nothing"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'nbloop: error: mapped tests cannot run:\n  tests/a.test.mjs::nope: vitest lists no test named "nope" in tests/a.test.mjs (it lists 3: "sums > adds", "fails", "skips at run time"; tests skipped when collected are not listed)\n',
    );
  });

  it("vitest not installed", () => {
    const bare = makeWorkspace({
      files: {
        "tests/a.test.mjs": VITEST_FILE,
        "loop.yaml": loop({ pass: ["tests/a.test.mjs"] }, "runner: vitest\n"),
      },
    });
    const r = bare.nbloop(["run", "loop.yaml", "pass"]);
    rmSync(bare.dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `nbloop: error: mapped tests cannot run:\n  tests/a.test.mjs: vitest is not installed: no node_modules/.bin/vitest in ${bare.dir} or above (npm install --save-dev vitest)\n`,
    );
  });
});

describe("node --test", () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = makeWorkspace({
      files: {
        "tests/b.test.mjs": [
          'import assert from "node:assert";',
          'import { describe, test } from "node:test";',
          'describe("sums", () => { test("adds", () => assert.equal(1 + 1, 2)); });',
          'test("fails", () => assert.equal(1 + 1, 3));',
          'test("skipped", { skip: "not on this machine" }, () => {});',
          "",
        ].join("\n"),
        "loop.yaml": loop({
          pass: ["tests/b.test.mjs::adds"],
          fail: ["tests/b.test.mjs::fails"],
          skip: ["tests/b.test.mjs::skipped"],
          nothing: ["tests/b.test.mjs::nope"],
        }),
      },
    });
    ws.commit();
  });
  afterAll(() => rmSync(ws.dir, { recursive: true, force: true }));

  it("a passing selector (picked for a .mjs test file in a project without vitest)", () => {
    const r = ws.nbloop(["run", "loop.yaml", "pass"]);
    expect(r.code, r.stderr).toBe(0);
    expect(counts(ws, "pass")).toEqual({ passed: 1, failed: 0, skipped: 0, errors: 0 });
  });

  it("a failing selector", () => {
    expect(ws.nbloop(["run", "loop.yaml", "fail"]).stdout).toContain(
      "failed — mapped tests failed: node: 0 passed, 1 failed, 0 skipped, 0 errors",
    );
  });

  it("a skipped selector", () => {
    expect(ws.nbloop(["run", "loop.yaml", "skip"]).code).toBe(0);
    expect(counts(ws, "skip")).toEqual({ passed: 0, failed: 0, skipped: 1, errors: 0 });
  });

  it("a selector that matches nothing", () => {
    const r = ws.nbloop(["run", "loop.yaml", "nothing"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'nbloop: error: mapped tests cannot run:\n  tests/b.test.mjs::nope: node --test finds no test named "nope" in tests/b.test.mjs (it finds 4: "adds", "fails", "skipped", "sums")\n',
    );
  });

  it("node not installed", () => {
    const r = ws.nbloop(["run", "loop.yaml", "pass"], { PATH: EMPTY_PATH });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "nbloop: error: mapped tests cannot run:\n  tests/b.test.mjs::adds: node is not installed: no node on PATH\n",
    );
  });
});

describe("command", () => {
  const node = (code: string) => `${NODE} -e ${JSON.stringify(code)}`;
  const junit = (cases: string) =>
    node(
      `require('fs').writeFileSync(process.argv[1], '<testsuites><testsuite>${cases}</testsuite></testsuites>')`,
    );
  let ws: Workspace;
  beforeAll(() => {
    ws = makeWorkspace({
      files: {
        "loop.yaml": loop(
          {
            pass: [node("process.exit(0)")],
            fail: [node("process.exit(1)")],
            skip: [node("process.exit(77)")],
            reported: [`${junit('<testcase name="a"/><testcase name="b"><skipped/></testcase>')} {junit}`],
            nothing: [`${junit("")} {junit}`],
            missing: ["no-such-test-tool --check"],
          },
          "runner: command\n",
        ),
      },
    });
    ws.commit();
  });
  afterAll(() => rmSync(ws.dir, { recursive: true, force: true }));

  it("exit 0 is one test passed; a JUnit report written to {junit} gives the counts", () => {
    expect(ws.nbloop(["run", "loop.yaml", "pass"]).code).toBe(0);
    expect(counts(ws, "pass")).toEqual({ passed: 1, failed: 0, skipped: 0, errors: 0 });
    expect(ws.nbloop(["run", "loop.yaml", "reported"]).code).toBe(0);
    expect(counts(ws, "reported")).toEqual({ passed: 1, failed: 0, skipped: 1, errors: 0 });
  });

  it("a failing command fails the phase", () => {
    const r = ws.nbloop(["run", "loop.yaml", "fail"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "failed — mapped tests failed: command: 0 passed, 1 failed, 0 skipped, 0 errors",
    );
  });

  it("exit 77 is skipped", () => {
    expect(ws.nbloop(["run", "loop.yaml", "skip"]).code).toBe(0);
    expect(counts(ws, "skip")).toEqual({ passed: 0, failed: 0, skipped: 1, errors: 0 });
  });

  it("a command whose report lists no test matched nothing: the phase fails saying so", () => {
    const r = ws.nbloop(["run", "loop.yaml", "nothing"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ran no test (its JUnit report lists none)");
  });

  it("a command that is not installed", () => {
    const r = ws.nbloop(["run", "loop.yaml", "missing"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "nbloop: error: mapped tests cannot run:\n  no-such-test-tool --check: no-such-test-tool is not installed (not on PATH, not a file of the workspace)\n",
    );
  });
});
