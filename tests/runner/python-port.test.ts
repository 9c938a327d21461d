/**
 * What a user of a Python parity port does, on tests/fixtures/python-port (the public PyTorch port's
 * shapes, without torch): import the loop memo, run the phase green (the harness writes its trace and
 * env snapshot in place, pytest runs the mapped test), break the harness (blocked, its stderr in the
 * bundle and in the capture file the memo names), fix it and rerun (green); and a harness that
 * leaves the old placeholder trace in place is caught as stale.
 */

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLedger } from "../../src/ledger/fix-plan.js";
import { verifyManifest } from "../../src/runner/collect/bundle.js";
import { insertedRuns } from "../ledger/line-diff.js";
import { REPO_ROOT } from "../support/paths.js";
import { makeWorkspace, type Workspace } from "../support/workspace.js";

const FIXTURE = join(REPO_ROOT, "tests/fixtures/python-port");
const AUDIT = "reports/2025-10-cli-flags/phase_l/scaling_audit";
const HARNESS = `${AUDIT}/trace_harness.py`;

let ws: Workspace;

beforeAll(() => {
  ws = makeWorkspace({ from: FIXTURE });
  ws.commit("the port");
});

afterAll(() => rmSync(ws.dir, { recursive: true, force: true }));

const attempts = () =>
  parseLedger(ws.read("docs/fix_plan.md"))
    .items.filter((i) => i.id === "CLI-FLAGS-003")
    .flatMap((i) => i.attempts);
const newest = () => ws.bundles(AUDIT).at(-1) as string;
const result = (bundle: string) => JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));

describe("a Python port's loop, as its user runs it", () => {
  it("imports the memo and runs the phase green, its artifacts in place and in the bundle", () => {
    const imported = ws.nbloopHere(["import-memo", "input.md", "-o", "loop.yaml"]);
    expect(imported.code, imported.stderr).toBe(0);
    const ledger = ws.read("docs/fix_plan.md");
    const before = attempts().length;
    const r = ws.nbloop(["run", "loop.yaml", "L2b"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const bundle = newest();
    expect(result(bundle)).toMatchObject({
      status: "success",
      tests: { counts: { passed: 2, failed: 0, skipped: 2, errors: 0 } },
    });
    const manifest = readFileSync(join(bundle, "sha256.txt"), "utf8");
    for (const file of ["trace_py_scaling.log", "trace_py_env.json"])
      expect(manifest).toContain(`  artifacts/${AUDIT}/${file}\n`);
    expect(verifyManifest(bundle)).toEqual([]);
    expect(readFileSync(join(bundle, `artifacts/${AUDIT}/trace_py_scaling.log`), "utf8")).toContain(
      "TRACE_PY: I_pixel_final",
    );
    // one success Attempt under CLI-FLAGS-003, and nothing else in the ledger changed
    expect(
      attempts()
        .slice(before)
        .map((a) => a.result),
    ).toEqual(["success"]);
    const runs = insertedRuns(ledger, ws.read("docs/fix_plan.md"));
    expect(runs).toHaveLength(1);
    expect(runs?.[0].lines[0]).toMatch(
      /^ {2}\* \[\d{4}-\d\d-\d\d\] Attempt #\d+ — Result: success — Phase L2b/,
    );
    expect(ws.read(`${AUDIT}/notes.md`)).toMatch(/### \S+Z — L2b — success\n/);
  });

  it("a broken harness blocks the phase, its stderr in the bundle and the capture file; rerun after the fix is green", () => {
    const good = ws.read(HARNESS);
    ws.write(HARNESS, "raise AttributeError(\"'DetectorConfig' object has no attribute 'beam_vector'\")\n");
    const r = ws.nbloop(["run", "loop.yaml", "L2b"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      "blocked — step trace_harness exit 1: AttributeError: 'DetectorConfig' object has no attribute 'beam_vector'",
    );
    const blocked = newest();
    expect(readFileSync(join(blocked, "trace_harness.stderr"), "utf8")).toContain(
      "Traceback (most recent call last)",
    );
    expect(ws.read(`${AUDIT}/trace_py_stdout_cli.txt`)).toContain(
      "AttributeError: 'DetectorConfig' object has no attribute 'beam_vector'",
    );
    expect(attempts().at(-1)?.result).toBe("blocked");
    expect(ws.read("docs/fix_plan.md")).toContain("    Notify: pause and notify galph in Attempts History\n");

    ws.write(HARNESS, good);
    const again = ws.nbloopHere(["rerun", blocked]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(result(newest())).toMatchObject({ status: "success", rerun_of: blocked.slice(ws.dir.length + 1) });
    expect(attempts().at(-1)?.result).toBe("success");
  });

  it("a harness that leaves the placeholder trace in place is caught: stale", () => {
    execFileSync("git", ["checkout", "--", AUDIT], { cwd: ws.dir });
    const good = ws.read(HARNESS);
    // it writes the env snapshot, and nothing else
    ws.write(HARNESS, good.replace(/ {4}with open\(trace_path, "w"\) as f:\n.*\n/, ""));
    expect(ws.read(HARNESS)).not.toBe(good);
    const r = ws.nbloop(["run", "loop.yaml", "L2b"]);
    ws.write(HARNESS, good);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      `artifact ${AUDIT}/trace_py_scaling.log stale: not written during this run (left by an earlier one)`,
    );
    expect(existsSync(join(newest(), `artifacts/${AUDIT}/trace_py_scaling.log`))).toBe(false);
  });
});
