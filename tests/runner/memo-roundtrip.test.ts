/**
 * The memo format's round trip: every real memo, and a loop using every field, through import and
 * brief and back unchanged.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { LoopFile } from "../../src/runner/load/loop.js";
import { renderBrief } from "../../src/runner/memo/brief.js";
import { importMemo } from "../../src/runner/memo/import.js";
import { FIXTURES_DIR, REPO_ROOT } from "../support/paths.js";

const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
  JSON.parse(readFileSync(join(REPO_ROOT, "schemas/loop.schema.json"), "utf8")),
);

function expectValid(loop: LoopFile) {
  validate(loop);
  expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
}

/** memo (or brief) → loop (and its YAML) → brief → loop: the second loop and brief are the first ones. */
function roundTrip(memo: string) {
  const first = importMemo(memo, "memo");
  const brief = renderBrief(first.loop, first.phase);
  const second = importMemo(brief, "brief");
  expectValid(first.loop);
  expect(parse(first.yaml)).toEqual(first.loop);
  expect(second.phase).toBe(first.phase);
  expect(second.loop).toEqual(first.loop);
  expect(renderBrief(second.loop, second.phase)).toBe(brief);
  return { first, brief, second };
}

// every real memo, listed: a missing one fails rather than skips
const MEMOS = [
  join(FIXTURES_DIR, "input_seed.md"),
  join(FIXTURES_DIR, "input_tip.md"),
  join(REPO_ROOT, "tests/fixtures/python-port/input.md"),
];

describe("memo → loop → brief → loop gives the same loop", () => {
  for (const file of MEMOS) {
    test(file.slice(file.lastIndexOf("/", file.lastIndexOf("/") - 1) + 1), () => {
      expect(existsSync(file), `${file} is missing`).toBe(true);
      const { brief, second } = roundTrip(readFileSync(file, "utf8"));
      // every section of the memo is in the brief, none left to the review list but prose
      const phase = second.loop.phases[second.phase];
      expect(phase.priorities?.length).toBeGreaterThan(0);
      expect(phase.how_to?.length).toBeGreaterThan(0);
      expect(brief).not.toMatch(/`false`(?! in its place)/);
    });
  }
});

const ENV_SCHEMA = "nbloop:trace-env.schema.json";
const HAND: LoopFile = {
  item: "DEMO-PORT-004",
  title: "Port the scaling trace",
  ledger: "docs/ledger.md",
  plan: "plans/active/port.md",
  branch: "feature/port",
  bundle: "reports/port/{stamp}/",
  phases: {
    P1: {
      summary: "Trace the scaling chain of one pixel",
      mode: "Parity",
      mapped_tests: [
        "tests/test_trace.py::TestScaling::test_chain[float32-cpu]",
        { select: "tests/sim/physics.test.ts", runner: "vitest" },
        "tests/test_trace.py::test_pair[(0, 1)-a,b]",
      ],
      do_now: [
        {
          id: "trace",
          run: ["python3", "scripts/trace.py", "--out", "{bundle}/trace.log"],
          stdout: "trace.out",
          timeout: 120,
          env: { PYTHONPATH: "src" },
        },
        { id: "compare", script: "scripts/compare.mjs", args: ["{bundle}/trace.log", "--tolerance", "1e-6"] },
        { id: "summary", script: "scripts/summary.mjs" },
        { id: "build", run: ["make"] },
        {
          id: "count",
          run: "grep -c TRACE {bundle}/trace.log | tee count.txt",
          shell: true,
          cwd: "reports",
          if_env: "NB_COUNT",
        },
      ],
      artifacts: [
        { path: "{bundle}/trace.log" },
        { path: "{bundle}/trace_env.json", schema: ENV_SCHEMA },
        { path: "reports/port/notes.md" },
        { path: "docs/port_status.md" },
        { path: "top.txt" },
      ],
      if_blocked: {
        note: "Keep the trace; stop and tell galph.",
        capture: [
          "stderr",
          "git_status",
          { file: "reports/port/trace_stdout.txt", streams: ["stdout"], step: "trace" },
          { file: "{bundle}/blocked.log" },
        ],
        notify: "tell galph in the Attempts History",
      },
      priorities: ["docs/ledger.md:1-9 — why the trace comes first"],
      how_to: ["Rerun: `python3 scripts/trace.py --out x.log`", "Inline: `python - <<'PY'\nprint(1)\n  PY`"],
      pitfalls: ["Do not edit src/ — evidence only"],
      pointers: ["plans/active/port.md:3-8"],
      next_up: ["Phase P2"],
    },
  },
};

describe("a hand-built loop → brief → loop", () => {
  test("keeps every field a memo carries (a test's runner aside)", () => {
    const { first, brief } = roundTrip(renderBrief(HAND, "P1"));
    const expected = structuredClone(HAND);
    expected.phases.P1.mapped_tests = HAND.phases.P1.mapped_tests?.map((t) =>
      typeof t === "string" ? t : t.select,
    );
    expect(first.loop).toEqual(expected);
    expect(first.unmapped).toEqual([
      "Do Now step count needs a shell (a pipe); kept as a shell string, review it: grep -c TRACE {bundle}/trace.log | tee count.txt",
      "How-To Map command not mapped, not a Do Now command: python3 scripts/trace.py --out x.log",
      "How-To Map command not mapped, needs a shell (a heredoc): python - <<'PY'\nprint(1)\n  PY",
    ]);
    expect(brief).toContain(
      "Focus: docs/ledger.md#DEMO-PORT-004 — Port the scaling trace / plans/active/port.md › Phase P1\n",
    );
    expect(brief).toContain(
      "Mapped tests: tests/test_trace.py::TestScaling::test_chain[float32-cpu], tests/sim/physics.test.ts, tests/test_trace.py::test_pair[(0, 1)-a,b]\n",
    );
    expect(brief).toContain(
      "Artifacts: reports/port/<stamp>/{trace.log,trace_env.json}, reports/port/notes.md, docs/port_status.md, ./top.txt\n",
    );
  });

  test("writes script steps as zx commands and names steps the command does not", () => {
    const brief = renderBrief(HAND, "P1");
    expect(brief).toContain(
      "Do Now: DEMO-PORT-004 Phase P1 — " +
        "`env PYTHONPATH=src python3 scripts/trace.py --out '{bundle}/trace.log'` (stdout: trace.out, timeout: 120 s)" +
        " then `zx scripts/compare.mjs '{bundle}/trace.log' --tolerance 1e-6`" +
        " then `zx scripts/summary.mjs`" +
        " then `make` (id: build)" +
        " then `grep -c TRACE {bundle}/trace.log | tee count.txt` (id: count, cwd: reports, if_env: NB_COUNT)\n",
    );
  });

  test("writes If Blocked as the note and a parenthesis the importer reads back", () => {
    expect(renderBrief(HAND, "P1")).toContain(
      "If Blocked: Keep the trace; stop and tell galph. (captures: stderr, git_status, " +
        "stdout of trace into reports/port/trace_stdout.txt, output into {bundle}/blocked.log; " +
        "notify: tell galph in the Attempts History)\n",
    );
  });

  test("finds the bundle from its folder where no artifact lies in it", () => {
    const loop: LoopFile = {
      ...HAND,
      bundle: "out/runs/{stamp}/",
      phases: { P1: { ...HAND.phases.P1, artifacts: [{ path: "docs/a.md" }, { path: "docs/b.md" }] } },
    };
    const { first, brief } = roundTrip(renderBrief(loop, "P1"));
    expect(brief).toContain("Artifacts: out/runs/<stamp>/, docs/{a.md,b.md}\n");
    expect(first.loop.bundle).toBe("out/runs/{stamp}/");
    expect(first.loop.phases.P1.artifacts).toEqual(loop.phases.P1.artifacts);
  });

  test("writes the importer's placeholder step as prose that imports back to it", () => {
    const loop: LoopFile = {
      ...HAND,
      phases: { P1: { ...HAND.phases.P1, do_now: [{ id: "todo", run: ["false"] }] } },
    };
    const { first, brief } = roundTrip(renderBrief(loop, "P1"));
    expect(brief).toContain(
      "Do Now: DEMO-PORT-004 Phase P1 — no command yet: step todo runs `false` in its place\n",
    );
    expect(first.loop.phases.P1.do_now).toEqual([{ id: "todo", run: ["false"] }]);
  });
});
