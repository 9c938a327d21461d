/**
 * Artifacts where the project writes them (fresh, kept in the bundle with their checksums, a stale
 * one refused, one outside the workspace refused), env snapshots held to nbloop's trace-env schema,
 * If Blocked done as written (the output captured into the named file, the cause in notes.md, the
 * notify line in the Attempt), a rerun that reuses the step which wrote an artifact, and zx script
 * steps.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeWorkspace, type Workspace } from "../support/workspace.js";

const NODE = JSON.stringify(process.execPath);
const write = (file: string, text: string) =>
  `[${NODE}, -e, ${JSON.stringify(`require('fs').mkdirSync(require('path').dirname('${file}'), {recursive: true}); require('fs').writeFileSync('${file}', ${JSON.stringify(text)})`)}]`;
const ENV_OK = JSON.stringify({
  python_version: "3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]",
  torch_version: "2.8.0+cu128",
  platform: "Linux-6.1.0-13-amd64-x86_64-with-glibc2.36",
  cuda_available: false,
  device: "cpu",
  dtype: "float32",
  git_sha: "5c2957379eeaecfc955243a1df167b720846ad70",
  timestamp_iso: "2025-10-09T01:05:43.042389Z",
});

const LOOP = `item: ART-001
title: Artifacts in place
bundle: out/{phase}/{stamp}/
phases:
  fresh:
    summary: The harness writes its trace and env snapshot in place
    do_now:
      - { id: harness, run: ${write("out/trace.log", "TRACE_PY: I_pixel_final 1.5\n")} }
      - { id: env, run: ${write("out/trace_env.json", ENV_OK)} }
      - { id: own, run: ${write("own.txt", "x")}, cwd: "{bundle}" }
    artifacts:
      - { path: out/trace.log, contains: "TRACE_PY: I_pixel_final" }
      - { path: out/trace_env.json, schema: "nbloop:trace-env.schema.json" }
      - { path: "{bundle}/own.txt" }
  stale:
    summary: Nothing rewrites the trace
    do_now:
      - { id: harness, run: [${NODE}, -e, "0"] }
    artifacts:
      - { path: out/trace.log }
  badenv:
    summary: An env snapshot of the wrong shape
    do_now:
      - { id: env, run: ${write("out/trace_env.json", ENV_OK.replace('"float32"', '"torch.float32"'))} }
    artifacts:
      - { path: out/trace_env.json, schema: "nbloop:trace-env.schema.json" }
  broken:
    summary: The harness fails
    do_now:
      - { id: harness, run: [${NODE}, -e, "console.log('partial trace'); console.error('Traceback: ValueError: no beam_vector'); process.exit(1)"] }
      - { id: after, run: [${NODE}, -e, "0"] }
    artifacts:
      - { path: out/trace.log }
    if_blocked:
      note: Capture stdout/stderr from the harness run into trace_stdout_cli.txt; pause and notify galph in Attempts History.
      capture: [stdout, stderr, { file: out/trace_stdout_cli.txt, streams: [stdout, stderr], step: harness }]
      notify: pause and notify galph in Attempts History
  twostep:
    summary: The trace is written, then a check needs a flag file
    do_now:
      - { id: harness, run: ${write("out/trace.log", "TRACE_PY: ok\n")} }
      - { id: check, run: [${NODE}, -e, "process.exit(require('fs').existsSync('flag') ? 0 : 1)"] }
    artifacts:
      - { path: out/trace.log }
`;

let ws: Workspace;

beforeEach(() => {
  ws = makeWorkspace({
    files: { "loop.yaml": LOOP, "out/trace.log": "TRACE_PY: I_before_scaling NOT_EXTRACTED\n" },
  });
  ws.commit();
});

afterEach(() => rmSync(ws.dir, { recursive: true, force: true }));

const result = (bundle: string) => JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));

describe("artifacts in place", () => {
  it("are checked where the harness writes them and kept in the bundle with their sha256", () => {
    const r = ws.nbloop(["run", "loop.yaml", "fresh"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [bundle] = ws.bundles("out/fresh");
    const kept = readFileSync(join(bundle, "artifacts/out/trace.log"));
    expect(kept.toString()).toBe("TRACE_PY: I_pixel_final 1.5\n");
    const digest = createHash("sha256").update(kept).digest("hex");
    expect(readFileSync(join(bundle, "sha256.txt"), "utf8")).toContain(
      `${digest}  artifacts/out/trace.log\n`,
    );
    expect(result(bundle).artifacts).toEqual([
      { path: "out/trace.log", ok: true, problem: null, kept: "artifacts/out/trace.log" },
      { path: "out/trace_env.json", ok: true, problem: null, kept: "artifacts/out/trace_env.json" },
      { path: "{bundle}/own.txt", ok: true, problem: null, kept: null },
    ]);
    const ledger = ws.read("docs/fix_plan.md");
    expect(ledger).toContain(
      `    Artifacts: out/trace.log, out/trace_env.json (kept in ${bundle.slice(ws.dir.length + 1)}/artifacts/), ${bundle.slice(ws.dir.length + 1)}/own.txt`,
    );
  });

  it("a file left by an earlier run is stale: the phase is blocked and the file is not kept", () => {
    const r = ws.nbloop(["run", "loop.yaml", "stale"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      "blocked — artifact out/trace.log stale: not written during this run (left by an earlier one)",
    );
    const [bundle] = ws.bundles("out/stale");
    expect(existsSync(join(bundle, "artifacts"))).toBe(false);
  });

  it("an env snapshot is held to nbloop's trace-env schema", () => {
    const r = ws.nbloop(["run", "loop.yaml", "badenv"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      "artifact out/trace_env.json violates nbloop:trace-env.schema.json: /dtype must be equal to one of the allowed values",
    );
    // written by this run, so kept as the evidence of what went wrong
    expect(existsSync(join(ws.bundles("out/badenv")[0], "artifacts/out/trace_env.json"))).toBe(true);
  });

  it("an artifact outside the workspace, or an unknown nbloop schema, is refused before anything runs", () => {
    ws.write(
      "outside.yaml",
      LOOP.replace("- { path: out/trace.log }\n  badenv", "- { path: ../trace.log }\n  badenv"),
    );
    const outside = ws.nbloop(["run", "outside.yaml", "stale"]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toBe(
      `nbloop: error: outside.yaml:20:9: artifact ../trace.log resolves outside the workspace ${ws.dir}: refused\n`,
    );
    ws.write("schema.yaml", LOOP.replaceAll("nbloop:trace-env.schema.json", "nbloop:nope.schema.json"));
    const schema = ws.nbloop(["run", "schema.yaml", "badenv"]);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(
      /^nbloop: error: schema\.yaml:\d+:\d+: schema nbloop:nope\.schema\.json: nbloop has no such schema \(it has .*trace-env\.schema\.json/,
    );
    expect(ws.bundles("out/stale")).toEqual([]);
  });
});

describe("If Blocked, as written", () => {
  it("captures the step's stdout and stderr into the named file, the cause into notes.md, the notify line into the Attempt", () => {
    const r = ws.nbloop(["run", "loop.yaml", "broken"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("blocked — step harness exit 1: Traceback: ValueError: no beam_vector");
    expect(r.stdout).toContain("  captured: out/trace_stdout_cli.txt");
    expect(ws.read("out/trace_stdout_cli.txt")).toBe(
      "partial trace\nTraceback: ValueError: no beam_vector\n",
    );
    const [bundle] = ws.bundles("out/broken");
    expect(readFileSync(join(bundle, "harness.stderr"), "utf8")).toBe(
      "Traceback: ValueError: no beam_vector\n",
    );
    expect(result(bundle).captures).toEqual(["out/trace_stdout_cli.txt"]);
    const notes = ws.read("out/broken/notes.md");
    expect(notes).toMatch(/### \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ — broken — blocked\n/);
    expect(notes).toContain("- Cause: step harness exit 1: Traceback: ValueError: no beam_vector");
    expect(notes).toContain("- Captured stdout, stderr of harness → out/trace_stdout_cli.txt");
    const ledger = ws.read("docs/fix_plan.md");
    expect(ledger).toContain("Result: blocked — Phase broken: The harness fails — step harness exit 1");
    expect(ledger).toContain(
      "    Artifacts: out/trace_stdout_cli.txt\n    Notify: pause and notify galph in Attempts History\n",
    );
  });

  it("a rerun from the failed step keeps the artifact the reused step wrote as this run's", () => {
    expect(ws.nbloop(["run", "loop.yaml", "twostep"]).code).toBe(3);
    const [first] = ws.bundles("out/twostep");
    ws.write("flag", "");
    const again = ws.nbloop(["rerun", first]);
    expect(again.code, again.stdout).toBe(0);
    const second = ws.bundles("out/twostep").find((b) => b !== first) as string;
    expect(
      result(second).steps.map((s: { id: string; reused?: boolean }) => [s.id, s.reused === true]),
    ).toEqual([
      ["harness", true],
      ["check", false],
    ]);
    expect(result(second).artifacts[0]).toMatchObject({ path: "out/trace.log", ok: true });
  });
});

const SCRIPT = `// harness glue: a condition and a loop, with zx's $ in the workspace
const out = argv.out;
const names = [];
for (const name of argv._) names.push(String(name));
if (process.env.GLUE_MODE === "upper") {
  const r = await $\`echo \${names.join(" ").toUpperCase()}\`;
  await fs.outputFile(out, r.stdout);
} else {
  await fs.outputFile(out, names.join(" ") + "\\n");
}
await $\`pwd\`;
`;

describe("zx script steps", () => {
  it("run with $ in the workspace, the step's variables and arguments; the output is captured like a step's", () => {
    ws.write("scripts/glue.mjs", SCRIPT);
    ws.write(
      "zx.yaml",
      `item: ZX-001\ntitle: zx\nbundle: out/{phase}/{stamp}/\nphases:\n  glue:\n    summary: glue\n    do_now:\n      - { id: glue, script: scripts/glue.mjs, args: [--out, out/names.txt, "{phase}", b], env: { GLUE_MODE: upper } }\n    artifacts:\n      - { path: out/names.txt, contains: "GLUE B" }\n`,
    );
    ws.commit();
    const r = ws.nbloop(["run", "zx.yaml", "glue"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [bundle] = ws.bundles("out/glue");
    const stdout = readFileSync(join(bundle, "glue.stdout"), "utf8");
    expect(stdout).toContain("GLUE B\n");
    expect(stdout).toContain(`${ws.dir}\n`);
    expect(readFileSync(join(bundle, "glue.stderr"), "utf8")).toBe("$ echo $'GLUE B'\n$ pwd\n");
  });

  it("a failing command ends the script with its exit status; the step's timeout takes the script's commands with it", () => {
    ws.write("scripts/fail.mjs", "await $`exit 7`;\n");
    ws.write("scripts/slow.mjs", "await $`sleep 37.25`;\n");
    ws.write(
      "zx.yaml",
      `item: ZX-001\ntitle: zx\nbundle: out/{phase}/{stamp}/\nphases:\n  fail:\n    summary: fail\n    do_now: [{ id: fail, script: scripts/fail.mjs }]\n  slow:\n    summary: slow\n    do_now: [{ id: slow, script: scripts/slow.mjs, timeout: 1 }]\n`,
    );
    ws.commit();
    const fail = ws.nbloop(["run", "zx.yaml", "fail"]);
    expect(fail.code).toBe(3);
    expect(fail.stdout).toContain("blocked — step fail exit 7");
    const start = performance.now();
    const slow = ws.nbloop(["run", "zx.yaml", "slow"]);
    expect(slow.code).toBe(3);
    expect(slow.stdout).toContain("blocked — step slow timed out after 1 s");
    expect(performance.now() - start).toBeLessThan(10_000);
    const running = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(running).not.toContain("sleep 37.25");
  });

  it("a script that does not exist is refused before anything runs", () => {
    ws.write(
      "zx.yaml",
      `item: ZX-001\ntitle: zx\nbundle: out/{phase}/{stamp}/\nphases:\n  none:\n    summary: none\n    do_now: [{ id: none, script: scripts/none.mjs }]\n`,
    );
    const r = ws.nbloop(["run", "zx.yaml", "none"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("nbloop: error: zx.yaml:7:14: step none: script scripts/none.mjs does not exist\n");
    expect(ws.bundles("out/none")).toEqual([]);
  });
});
