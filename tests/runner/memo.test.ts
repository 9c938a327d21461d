import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { LoopFile } from "../../src/runner/load/loop.js";
import { renderBrief } from "../../src/runner/memo/brief.js";
import { importMemo } from "../../src/runner/memo/import.js";
import { FIXTURES_DIR, REPO_ROOT } from "../support/paths.js";

const FIXTURES = FIXTURES_DIR;
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
formats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, "schemas/loop.schema.json"), "utf8")));

function expectValid(loop: unknown) {
  const ok = validate(loop);
  expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
  expect(ok).toBe(true);
}

const HEADERS = [
  "Summary:",
  "Mode:",
  "Focus:",
  "Branch:",
  "Mapped tests:",
  "Artifacts:",
  "Do Now:",
  "If Blocked:",
  "Priorities & Rationale:",
  "How-To Map:",
  "Pitfalls To Avoid:",
  "Pointers:",
  "Next Up:",
];

/** Where each header starts a line in the text (-1 when absent). */
const headerLines = (text: string) => {
  const lines = text.split("\n");
  return HEADERS.map((h) => lines.findIndex((line) => line.startsWith(h)));
};

// ------------------------------------------------------------ hand-written memos

const SEED_NODE = "tests/test_trace_pixel.py::TestScalingTrace::test_scaling_trace_matches_physics";
const SEED_DIR = "reports/2025-10-cli-flags/phase_l/scaling_audit";
const SEED_HARNESS = `${SEED_DIR}/trace_harness.py`;
const ENV_SCHEMA = "nbloop:trace-env.schema.json";

describe(`importMemo on the real memos`, () => {
  test("the seed memo gives a valid loop with its two Do Now commands as steps", () => {
    const { loop, phase, unmapped, yaml } = importMemo(fixture("input_seed.md"), "input_seed.md");
    expectValid(loop);
    expect(loop.item).toBe("CLI-FLAGS-003");
    expect(loop.title).toBe("Handle -nonoise and -pix0_vector_mm");
    expect(loop.branch).toBe("feature/spec-based-2");
    expect(phase).toBe("L2b");
    const l2b = loop.phases.L2b;
    expect(l2b.mode).toBe("Parity");
    expect(l2b.do_now).toEqual([
      {
        id: "trace_harness",
        run: [
          "python",
          SEED_HARNESS,
          "--config",
          "supervisor",
          "--pixel",
          "685",
          "1039",
          "--out",
          "trace_py_scaling.log",
          "--device",
          "cpu",
          "--dtype",
          "float32",
        ],
        env: { PYTHONPATH: "src", KMP_DUPLICATE_LIB_OK: "TRUE" },
      },
      { id: "pytest", run: ["pytest", SEED_NODE, "-v"], env: { KMP_DUPLICATE_LIB_OK: "TRUE" } },
    ]);
    expect(loop.bundle).toBe("reports/2025-10-cli-flags/phase_l/scaling_audit/{stamp}/");
    expect(loop.bundle.endsWith("/{stamp}/")).toBe(true);
    // no placeholder: the artifacts stay where the memo says, the runner's notes.md is the memo's
    expect(l2b.artifacts).toEqual([
      { path: `${SEED_DIR}/trace_py_scaling.log` },
      { path: `${SEED_DIR}/trace_py_env.json`, schema: ENV_SCHEMA },
      { path: `${SEED_DIR}/notes.md` },
    ]);
    expect(l2b.mapped_tests).toEqual([SEED_NODE]);
    const note = fixture("input_seed.md")
      .split("\n")
      .find((line) => line.startsWith("If Blocked: "))
      ?.slice("If Blocked: ".length);
    expect(l2b.if_blocked).toEqual({
      note,
      capture: [
        "stdout",
        "stderr",
        {
          file: `${SEED_DIR}/trace_py_stdout_cli.txt`,
          streams: ["stdout", "stderr"],
          step: "trace_harness",
        },
      ],
      notify: "pause and notify galph in Attempts History",
    });
    expect(l2b.priorities).toHaveLength(5);
    expect(l2b.priorities?.[0]).toBe(
      "docs/fix_plan.md:448-474 — current CLI-FLAGS-003 next actions demand a live TRACE_PY harness before normalization fixes.",
    );
    expect(l2b.how_to).toHaveLength(4);
    expect(l2b.how_to?.[0]).toMatch(/^Fix harness: modify `trace_harness.py`/);
    expect(l2b.pitfalls).toHaveLength(10);
    expect(l2b.pointers).toHaveLength(5);
    expect(l2b.next_up).toHaveLength(2);

    expect(unmapped.some((u) => u.startsWith("Priorities & Rationale"))).toBe(false);
    expect(unmapped.some((u) => u.includes("--collect-only"))).toBe(true);
    // the How-To Map repeats both Do Now commands: nothing of them is left to review
    expect(unmapped.filter((u) => u.startsWith("How-To Map command"))).toEqual([]);

    expect(yaml.split("\n")[0]).toBe(
      "# draft imported from input_seed.md: review the items listed at the end",
    );
    expect(parse(yaml)).toEqual(loop);
    expect(Object.keys(parse(yaml))).toEqual(["item", "title", "branch", "bundle", "phases"]);
    for (const entry of unmapped) expect(yaml).toContain(`# - ${entry.split("\n")[0]}`);
  });

  test("the tip memo gives a valid loop and flags its shell commands", () => {
    const { loop, phase, unmapped, yaml } = importMemo(fixture("input_tip.md"), "input_tip.md");
    expectValid(loop);
    expect(loop.item).toBe("TEST-SUITE-TRIAGE-002");
    expect(phase).toBe("M");
    expect(loop.bundle).toBe("reports/2026-01-test-suite-refresh/phase_m/{stamp}/");
    const m = loop.phases.M;
    expect(m.mapped_tests).toEqual([]);
    expect(m.artifacts).toEqual([{ path: "{bundle}/analysis" }, { path: "{bundle}/notes" }]);
    // its Do Now names no command: a failing placeholder, and the text is kept for review
    expect(m.do_now).toEqual([{ id: "todo", run: ["false"] }]);
    expect(unmapped.some((u) => u.startsWith("Do Now: no command") && u.includes("Execute Phase M"))).toBe(
      true,
    );
    expect(m.next_up).toEqual([
      "Parse tricubic + gradient remediation options for Phase N sequencing if time allows.",
    ]);
    expect(m.if_blocked?.capture).toEqual(["stderr", { file: "{bundle}/analysis/blockers.md" }]);
    expect(m.if_blocked?.notify).toBe("notify galph via fix_plan Attempts History");
    expect(m.if_blocked?.note).toMatch(/^Document the blocker .* Attempts History\.$/);
    expect(m.priorities).toHaveLength(5);
    // the heredoc bullet is kept verbatim, line breaks and indentation included
    expect(m.how_to).toHaveLength(9);
    expect(m.how_to?.[4]).toMatch(/^Parse failures: `python - <<'PY2'\nimport json, sys\n/);
    expect(m.how_to?.[4]).toContain("\n    if line.startswith('FAILED '):\n");

    const howTo = unmapped.filter((u) => u.startsWith("How-To Map command not mapped"));
    expect(howTo).toHaveLength(5);
    expect(howTo.every((u) => u.includes("needs a shell"))).toBe(true);
    expect(howTo.some((u) => u.includes("a heredoc") && u.includes("PY2"))).toBe(true);
    expect(howTo.some((u) => u.includes("command substitution") && u.includes("STAMP=$(date"))).toBe(true);
    expect(unmapped.some((u) => u.startsWith("Priorities & Rationale"))).toBe(false);
    expect(parse(yaml)).toEqual(loop);
  });

  test("a brief of the imported seed imports back to the same steps and artifacts", () => {
    const seed = importMemo(fixture("input_seed.md"), "input_seed.md");
    const brief = renderBrief(seed.loop, "L2b");
    const at = headerLines(brief);
    expect(at.every((line) => line >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(brief).toContain(
      `\`env PYTHONPATH=src KMP_DUPLICATE_LIB_OK=TRUE python ${SEED_HARNESS} --config supervisor --pixel 685 1039 --out trace_py_scaling.log --device cpu --dtype float32\``,
    );
    expect(brief).toContain(`\`env KMP_DUPLICATE_LIB_OK=TRUE pytest ${SEED_NODE} -v\``);
    expect(brief).toContain(`Artifacts: ${SEED_DIR}/{trace_py_scaling.log,trace_py_env.json,notes.md}\n`);
    expect(brief).toContain(
      `(captures: stdout, stderr, stdout+stderr of trace_harness into ${SEED_DIR}/trace_py_stdout_cli.txt; notify: pause and notify galph in Attempts History)\n`,
    );

    const again = importMemo(brief, "brief");
    expectValid(again.loop);
    expect(again.loop.item).toBe("CLI-FLAGS-003");
    expect(again.phase).toBe("L2b");
    expect(again.loop.bundle).toBe(seed.loop.bundle);
    const [before, after] = [seed.loop.phases.L2b, again.loop.phases.L2b];
    expect(after.do_now).toEqual(before.do_now);
    expect(after.artifacts).toEqual(before.artifacts);
    expect(after.mapped_tests).toEqual(before.mapped_tests);
    expect(after.if_blocked).toEqual(before.if_blocked);
    expect(after.priorities).toEqual(before.priorities);
    expect(after.how_to).toEqual(before.how_to);
    expect(after.pitfalls).toEqual(before.pitfalls);
    expect(after.next_up).toEqual(before.next_up);
    expect(again.unmapped.some((u) => u.startsWith("Do Now"))).toBe(false);
  });
});

// ------------------------------------------------------------ rendering

const DEMO: LoopFile = {
  item: "DEMO-TRACE-001",
  title: "Trace the central pixel",
  plan: "plans/active/demo.md",
  branch: "feature/demo",
  bundle: "reports/{item}/{phase}/{stamp}/",
  env: { NB_TRACE_DTYPE: "float64" },
  presets: { small: ["-cell", 100, 100, 100, 90, 90, 90, "-N", 5] },
  phases: {
    T1: {
      summary: "Trace one pixel of a small cubic crystal",
      mode: "Parity",
      mapped_tests: ["tests/sim/physics.test.ts", "tests/cli/printout.test.ts"],
      do_now: [
        {
          id: "trace",
          run: ["nanoBragg", "@small", "-trace_pixel", 32, 32, "-floatfile", "{bundle}/float.bin"],
          stdout: "trace.log",
        },
        { id: "note", run: ["echo", "it's done"], env: { LANG: "C" } },
        { id: "count", run: "grep -c TRACE_TS trace.log | tee count.txt", shell: true, timeout: 30 },
      ],
      artifacts: [{ path: "{bundle}/trace.log", contains: "TRACE_TS:" }, { path: "{bundle}/float.bin" }],
      if_blocked: { capture: ["stdout", "stderr"], note: "keep the trace and stop" },
      priorities: ["the trace first"],
      how_to: ["Read it: `less trace.log`"],
      pointers: ["docs/profiles.md — the profile table"],
    },
  },
};

describe("renderBrief", () => {
  test("writes the phase as a memo, section by section", () => {
    expect(renderBrief(DEMO, "T1")).toBe(
      [
        "Summary: Trace one pixel of a small cubic crystal",
        "Mode: Parity",
        "Focus: DEMO-TRACE-001 — Trace the central pixel / plans/active/demo.md › Phase T1",
        "Branch: feature/demo",
        "Mapped tests: tests/sim/physics.test.ts, tests/cli/printout.test.ts",
        "Artifacts: reports/DEMO-TRACE-001/T1/<stamp>/{trace.log,float.bin}",
        "Do Now: DEMO-TRACE-001 Phase T1 — " +
          "`env NB_TRACE_DTYPE=float64 nanoBragg -cell 100 100 100 90 90 90 -N 5 -trace_pixel 32 32 -floatfile '{bundle}/float.bin'` (id: trace, stdout: trace.log)" +
          " then `env NB_TRACE_DTYPE=float64 LANG=C echo 'it'\\''s done'` (id: note)" +
          " then `env NB_TRACE_DTYPE=float64 sh -c 'grep -c TRACE_TS trace.log | tee count.txt'` (id: count, timeout: 30 s)",
        "If Blocked: keep the trace and stop (captures: stdout, stderr)",
        "Priorities & Rationale:",
        "- the trace first",
        "How-To Map:",
        "- Read it: `less trace.log`",
        "Pointers:",
        "- docs/profiles.md — the profile table",
        "Next Up:",
        "- none",
        "",
      ].join("\n"),
    );
  });

  test("says none where the phase leaves a line out", () => {
    const loop: LoopFile = {
      item: "DEMO-MIN-002",
      title: "Minimal",
      bundle: "out/{stamp}",
      phases: {
        A: {
          summary: "List the folder",
          focus: "DEMO-MIN-002, first look",
          do_now: [{ id: "ls", run: "ls -l", shell: true }],
          pitfalls: ["Do not write outside out/"],
          next_up: ["B"],
        },
      },
    };
    expect(renderBrief(loop, "A")).toBe(
      [
        "Summary: List the folder",
        "Mode: none",
        "Focus: DEMO-MIN-002, first look",
        "Branch: current branch",
        "Mapped tests: none — evidence-only",
        "Artifacts: out/<stamp>/",
        "Do Now: DEMO-MIN-002 Phase A — `ls -l`",
        "If Blocked: none",
        "Pitfalls To Avoid:",
        "- Do not write outside out/",
        "Next Up:",
        "- B",
        "",
      ].join("\n"),
    );
    expect(() => renderBrief(loop, "Z")).toThrow(/no phase "Z" \(phases: A\)/);
  });

  test("a brief imports back to the commands it shows", () => {
    const { loop, phase, unmapped } = importMemo(renderBrief(DEMO, "T1"), "demo brief");
    expectValid(loop);
    expect(loop.item).toBe("DEMO-TRACE-001");
    expect(loop.plan).toBe("plans/active/demo.md");
    expect(loop.branch).toBe("feature/demo");
    expect(phase).toBe("T1");
    // item and phase are filled in and presets and loop variables spelled out, as the brief shows them
    expect(loop.bundle).toBe("reports/DEMO-TRACE-001/T1/{stamp}/");
    expect(loop.phases.T1.do_now).toEqual([
      {
        id: "trace",
        run: [
          "nanoBragg",
          "-cell",
          "100",
          "100",
          "100",
          "90",
          "90",
          "90",
          "-N",
          "5",
          "-trace_pixel",
          "32",
          "32",
        ].concat(["-floatfile", "{bundle}/float.bin"]),
        stdout: "trace.log",
        env: { NB_TRACE_DTYPE: "float64" },
      },
      { id: "note", run: ["echo", "it's done"], env: { NB_TRACE_DTYPE: "float64", LANG: "C" } },
      {
        id: "count",
        run: ["sh", "-c", "grep -c TRACE_TS trace.log | tee count.txt"],
        timeout: 30,
        env: { NB_TRACE_DTYPE: "float64" },
      },
    ]);
    // the brief does not carry an artifact's checks
    expect(loop.phases.T1.artifacts).toEqual([
      { path: "{bundle}/trace.log" },
      { path: "{bundle}/float.bin" },
    ]);
    expect(loop.phases.T1.if_blocked).toEqual(DEMO.phases.T1.if_blocked);
    expect(loop.phases.T1.mapped_tests).toEqual(DEMO.phases.T1.mapped_tests);
    expect(loop.phases.T1.priorities).toEqual(DEMO.phases.T1.priorities);
    expect(loop.phases.T1.how_to).toEqual(DEMO.phases.T1.how_to);
    expect(loop.phases.T1.next_up).toBeUndefined();
    expect(loop.title).toBe(DEMO.title);
    expect(unmapped.some((u) => u.startsWith("Focus"))).toBe(false);
  });
});

// ------------------------------------------------------------ the importer's rules, one by one

/** A memo with the usual lines; `lines` replace or add keys. */
function memo(lines: Record<string, string>): string {
  const base: Record<string, string> = {
    Summary: "Check the widget",
    Mode: "TDD",
    Focus: "WIDGET-OPS-007 — Widget operations (Phase B3)",
    Branch: "main",
    "Mapped tests": "tests/widget.test.ts",
    Artifacts: "reports/widget/$STAMP/{out.log,sums.json}",
    "Do Now": "WIDGET-OPS-007 Phase B3 — run `widget --check`",
    ...lines,
  };
  return `${Object.entries(base)
    .filter(([, value]) => value !== "")
    .map(([key, value]) => `${key}: ${value}`)
    .join("\n")}\n`;
}

describe("importMemo", () => {
  test("splits commands like a shell and takes leading variables as the step's env", () => {
    const { loop, unmapped } = importMemo(
      memo({
        "Do Now":
          "run `A=1 B='two words' tool --name \"x \\\"y\\\"\" 'single $HOME' back\\ slash` then `env C=3 python -m pytest -q` then `tool --name other`",
      }),
      "m",
    );
    expectValid(loop);
    expect(loop.phases.B3.do_now).toEqual([
      {
        id: "tool",
        run: ["tool", "--name", 'x "y"', "single $HOME", "back slash"],
        env: { A: "1", B: "two words" },
      },
      { id: "pytest", run: ["python", "-m", "pytest", "-q"], env: { C: "3" } },
      { id: "tool-2", run: ["tool", "--name", "other"] },
    ]);
    expect(unmapped).toEqual([]);
  });

  test("keeps a command that needs a shell as a shell string and says why", () => {
    const cases: Array<[string, string]> = [
      ["grep -c x out.log | sort", "a pipe"],
      ["make > build.log", "a redirection"],
      ["cd sub && make", "a command list"],
      ["echo $HOME", "$ expansion"],
      ['echo "$(date -u)"', "command substitution"],
      ["cat <<EOF\nhi\nEOF", "a heredoc"],
      ["ls tests/*.ts", "a glob"],
      ["echo 'open", "an unbalanced quote"],
    ];
    for (const [command, why] of cases) {
      const { loop, unmapped } = importMemo(memo({ "Do Now": `\`${command}\`` }), "m");
      expectValid(loop);
      expect(loop.phases.B3.do_now[0]).toMatchObject({ run: command, shell: true });
      expect(unmapped.find((u) => u.startsWith("Do Now step"))).toContain(why);
    }
  });

  test("keeps the How-To Map as written but takes no step from it: other commands are listed", () => {
    const bullets = [
      "Check: `widget --check` (same as Do Now)",
      "Then `widget --report out.log`",
      "Read `notes.md` first",
    ];
    const { loop, unmapped } = importMemo(
      `${memo({})}How-To Map:\n${bullets.map((b) => `- ${b}\n`).join("")}Priorities & Rationale:\n- speed\n`,
      "m",
    );
    expect(loop.phases.B3.do_now).toEqual([{ id: "widget", run: ["widget", "--check"] }]);
    expect(loop.phases.B3.how_to).toEqual(bullets);
    expect(loop.phases.B3.priorities).toEqual(["speed"]);
    expect(unmapped).toEqual([
      "How-To Map command not mapped, not a Do Now command: widget --report out.log",
    ]);
  });

  test("reads item, plan and phase from the Focus in each of its shapes", () => {
    const focus = (text: string) => importMemo(memo({ Focus: text }), "m");
    const plan = focus("WIDGET-OPS-007 / plans/active/widget.md › Phase M2g.2b");
    expect([plan.loop.item, plan.loop.plan, plan.phase, plan.loop.title]).toEqual([
      "WIDGET-OPS-007",
      "plans/active/widget.md",
      "M2g.2b",
      "WIDGET-OPS-007",
    ]);
    const anchor = focus("docs/fix_plan.md#widget-ops-007-widget-operations (Phase C)");
    expect([anchor.loop.item, anchor.loop.ledger, anchor.phase]).toEqual(["WIDGET-OPS-007", undefined, "C"]);
    const otherLedger = focus("docs/ledger.md#widget-ops-007-x — Phase C.");
    expect([otherLedger.phase, otherLedger.loop.title]).toEqual(["C", "WIDGET-OPS-007"]);
    expect(otherLedger.loop.ledger).toBe("docs/ledger.md");
    const noId = focus("docs/fix_plan.md#widget-operations (Phase C)");
    expectValid(noId.loop);
    expect(noId.loop.item).toBe("TODO");
    expect(noId.unmapped).toContain('Focus: no ledger ID in the anchor "#widget-operations"');
    const noPhase = importMemo(
      memo({ Focus: "WIDGET-OPS-007 — Widget operations", "Do Now": "`widget --check`" }),
      "m",
    );
    expect(noPhase.phase).toBe("main");
    expect(noPhase.unmapped).toContain('Focus: no "Phase X"; phase named main');
  });

  test("puts the bundle at the timestamp placeholder and the files below it", () => {
    const artifacts = (line: string) => importMemo(memo({ Artifacts: line }), "m");
    const middle = artifacts(
      "reports/widget/<timestamp>/carry/{a.log,b.json}, reports/widget/<timestamp>/c.md",
    );
    expect(middle.loop.bundle).toBe("reports/widget/{stamp}/");
    expect(middle.loop.phases.B3.artifacts).toEqual([
      { path: "{bundle}/carry/a.log" },
      { path: "{bundle}/carry/b.json" },
      { path: "{bundle}/c.md" },
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the memo spells the shell variable this way
    const joined = artifacts("`reports/widget/${STAMP}_carry/` (trace.log and summary.md)");
    expect(joined.loop.bundle).toBe("reports/widget/{stamp}_carry/");
    expect(joined.loop.phases.B3.artifacts).toEqual([
      { path: "{bundle}/trace.log" },
      { path: "{bundle}/summary.md" },
    ]);
    expect(joined.unmapped).toContain("Artifacts: text not mapped: and");
    const none = importMemo(memo({ Artifacts: "" }), "m");
    expectValid(none.loop);
    expect(none.loop.bundle).toBe("reports/{item}/{phase}/{stamp}/");
  });

  test("keeps artifacts without a placeholder in place, bare names in their folder", () => {
    const { loop, unmapped } = importMemo(
      memo({ Artifacts: "reports/widget/run/{out.log,widget_env.json}, notes.md, ./top.txt" }),
      "m",
    );
    expectValid(loop);
    expect(loop.bundle).toBe("reports/widget/run/{stamp}/");
    expect(loop.phases.B3.artifacts).toEqual([
      { path: "reports/widget/run/out.log" },
      { path: "reports/widget/run/widget_env.json", schema: ENV_SCHEMA },
      { path: "reports/widget/run/notes.md" },
      { path: "top.txt" },
    ]);
    expect(unmapped.some((u) => u.startsWith("Artifacts: no timestamp placeholder"))).toBe(true);
  });

  test("keeps parametrised pytest IDs whole and drops annotations", () => {
    const { loop, unmapped } = importMemo(
      memo({
        "Mapped tests":
          "tests/test_a.py::test_grid[1,2-cpu], tests/test_a.py::test_pair[(0, 1)] (both collected); tests/b.test.ts",
      }),
      "m",
    );
    expect(loop.phases.B3.mapped_tests).toEqual([
      "tests/test_a.py::test_grid[1,2-cpu]",
      "tests/test_a.py::test_pair[(0, 1)]",
      "tests/b.test.ts",
    ]);
    expect(unmapped).toContain("Mapped tests: annotation dropped: (both collected)");
  });

  test("takes `zx script.mjs` for a script step and a step option after a one-word command", () => {
    const { loop } = importMemo(
      memo({ "Do Now": "`env A=1 zx scripts/sum.mjs out.log 3` then `make` (id: build, timeout: 5 s)" }),
      "m",
    );
    expectValid(loop);
    expect(loop.phases.B3.do_now).toEqual([
      { id: "sum", script: "scripts/sum.mjs", args: ["out.log", "3"], env: { A: "1" } },
      { id: "build", run: ["make"], timeout: 5 },
    ]);
  });

  test("maps If Blocked prose onto captures, the named step and who to notify", () => {
    const blocked = (text: string) => importMemo(memo({ "If Blocked": text }), "m").loop.phases.B3.if_blocked;
    expect(
      blocked("Save stderr of the widget run into `fail.txt`, note it in `notes.md`; then ping ops on chat."),
    ).toEqual({
      note: "Save stderr of the widget run into `fail.txt`, note it in `notes.md`; then ping ops on chat.",
      capture: ["stderr", { file: "{bundle}/fail.txt", streams: ["stderr"], step: "widget" }],
      notify: "then ping ops on chat",
    });
    // no step matches "gizmo": the file gets the output of the step that blocked
    expect(blocked("Copy the gizmo run output to `reports/widget/$STAMP/x.log` and stop")?.capture).toEqual([
      "stderr",
      { file: "{bundle}/x.log" },
    ]);
    expect(blocked("none")).toBeUndefined();
  });

  test("reads a brief's If Blocked parenthesis exactly, in place of the prose", () => {
    const text =
      "Capture stdout into `a.txt` and notify nobody (captures: git_status, stderr of widget into out/b.txt, output into {bundle}/c.txt; notify: tell ops (twice))";
    const { loop, unmapped } = importMemo(memo({ "If Blocked": text }), "m");
    expectValid(loop);
    expect(loop.phases.B3.if_blocked).toEqual({
      note: "Capture stdout into `a.txt` and notify nobody",
      capture: [
        "git_status",
        { file: "out/b.txt", streams: ["stderr"], step: "widget" },
        { file: "{bundle}/c.txt" },
      ],
      notify: "tell ops (twice)",
    });
    expect(unmapped).toEqual([]);
    const none = importMemo(memo({ "If Blocked": "just stop (captures: none)" }), "m");
    expect(none.loop.phases.B3.if_blocked).toEqual({ note: "just stop" });
  });

  test("lists off-format and repeated keys and text before the first key", () => {
    const { loop, unmapped } = importMemo(
      `Loop memo\n${memo({ SupervisorMode: "Parity" })}Note: also this\nSummary: again\nVerification Checklist:\n- one\n- two\n`,
      "m",
    );
    expectValid(loop);
    expect(loop.phases.B3.mode).toBe("TDD");
    expect(unmapped).toEqual(
      expect.arrayContaining([
        "text before the first key not mapped: Loop memo",
        "SupervisorMode (line 9): repeated; only line 3 is mapped",
        "Note (line 10): no such field in a loop file; not mapped (also this)",
        "Summary (line 11): repeated; only line 2 is mapped",
        "Verification Checklist (line 12): no such field in a loop file; not mapped (2 bullets)",
      ]),
    );
  });

  test("keeps a multi-line bullet whole and its open backtick span verbatim", () => {
    const text = `${memo({})}Pitfalls To Avoid:\n- Keep the\n  widget dry.\n- Last one\nHow-To Map:\n- \`cat <<'X'\nSummary: not a key here\nX\`\n`;
    const { loop, unmapped } = importMemo(text, "m");
    expect(loop.phases.B3.pitfalls).toEqual(["Keep the widget dry.", "Last one"]);
    expect(loop.phases.B3.summary).toBe("Check the widget");
    expect(unmapped.find((u) => u.includes("a heredoc"))).toContain("cat <<'X'\nSummary: not a key here\nX");
  });

  test("ends a stray open backtick at the next section", () => {
    const { loop } = importMemo(
      memo({ "Do Now": "run `widget --check" }).concat("Pointers:\n- docs/widget.md\n"),
      "m",
    );
    expectValid(loop);
    expect(loop.phases.B3.pointers).toEqual(["docs/widget.md"]);
  });
});
