/**
 * Appending attempts to scratch copies of the real ledgers (a 396 KB file with drift and its earlier
 * state). The expected numbers and places were read off the files by hand (grep, awk), not produced
 * by the code under test.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type AttemptEntry, appendAttempt, headingSlug, parseLedger } from "../../src/ledger/fix-plan.js";
import { updateFile } from "../../src/ledger/safe-file.js";
import { insertedRuns, linesWithEndings } from "./line-diff.js";
import { fixtureText, scratchCopy } from "./realworld.js";

const ENTRY: AttemptEntry = {
  date: "2026-11-28",
  result: "blocked",
  summary: "trace step failed; simulator left untouched",
  metrics: "steps=10 polar=0.91",
  artifacts: [
    "reports/cli-flags/L2b/20261128T073733Z/trace.stdout",
    "reports/cli-flags/L2b/20261128T073733Z/env.json",
  ],
  firstDivergence: "rot_a_angstroms",
};

function attemptBlock(n: number): string[] {
  return [
    `  * [2026-11-28] Attempt #${n} — Result: blocked — trace step failed; simulator left untouched\n`,
    "    Metrics: steps=10 polar=0.91\n",
    "    Artifacts: reports/cli-flags/L2b/20261128T073733Z/trace.stdout, reports/cli-flags/L2b/20261128T073733Z/env.json\n",
    "    First Divergence: rot_a_angstroms\n",
  ];
}

/** Appends ENTRY through updateFile to a scratch copy of `name` and returns what changed. */
async function appendToCopy(name: string, id: string, title: string) {
  const path = scratchCopy(name);
  let outcome: ReturnType<typeof appendAttempt> | undefined;
  await updateFile(path, (old) => {
    outcome = appendAttempt(old ?? "", id, title, ENTRY);
    return outcome.text;
  });
  const before = fixtureText(name);
  const after = readFileSync(path, "utf8");
  return {
    before,
    after,
    runs: insertedRuns(before, after),
    number: outcome!.number,
    created: outcome!.createdItem,
  };
}

/** The checks shared by appends to an existing item: one block, right number, right place, parsed back. */
async function expectAppendAfterLine(name: string, id: string, number: number, afterLine: number) {
  const { before, after, runs, created } = await appendToCopy(name, id, "unused for an existing item");
  expect(created).toBe(false);
  expect(runs).toEqual([{ at: afterLine, lines: attemptBlock(number) }]);
  const oldLines = linesWithEndings(before);
  const newLines = linesWithEndings(after);
  expect(newLines[afterLine - 1]).toBe(oldLines[afterLine - 1]);
  expect(newLines[afterLine + 4]).toBe(oldLines[afterLine]);
  const sections = parseLedger(after).items.filter((item) => item.id === id);
  const last = sections[sections.length - 1];
  expect(last.attempts.at(-1)).toEqual({
    number,
    date: "2026-11-28",
    result: "blocked",
    line: afterLine + 1,
  });
  return { oldLines, newLines };
}

describe(`real-world ledgers`, () => {
  it("parses every item section, the index with its duplicated row, and the attempt bullets", () => {
    const ledger = parseLedger(fixtureText("fix_plan.md"));
    expect(ledger.items).toHaveLength(29);
    expect(ledger.indexIds).toHaveLength(29);
    expect(ledger.indexIds.filter((id) => id === "STAGEA-PARAM-001")).toHaveLength(2);
    expect(ledger.items.filter((item) => item.id === "STAGEA-PARAM-001").map((item) => item.line)).toEqual([
      952, 980,
    ]);
    // 174 bullets `[date] Attempt #N` lie in item sections (awk); the others sit under "Completed / Archived Items".
    expect(ledger.items.reduce((sum, item) => sum + item.attempts.length, 0)).toBe(174);
    const cli = ledger.items.find((item) => item.id === "CLI-FLAGS-003")!;
    expect(cli).toMatchObject({
      title: "Handle -nonoise and -pix0_vector_mm",
      status: "in_progress",
      priority: "High",
    });
    expect(cli.attempts.map((a) => a.number)).toEqual([34, 35, 36]);
    expect(cli.attempts[2]).toMatchObject({ date: "2025-10-15", result: "✅ success", line: 537 });
    const gaps = ledger.items.find((item) => item.id === "VECTOR-GAPS-002")!;
    expect(gaps.status).toBe("blocked (profiling halted by parity regression)");

    const seed = parseLedger(fixtureText("fix_plan_at_seed.md"));
    expect(seed.items).toHaveLength(15);
    expect(seed.indexIds).toHaveLength(9);
    expect(seed.items.reduce((sum, item) => sum + item.attempts.length, 0)).toBe(124);
  });

  it("finds the items whose attempt numbers repeat", () => {
    const repeated = parseLedger(fixtureText("fix_plan.md"))
      .items.filter((item) => new Set(item.attempts.map((a) => a.number)).size < item.attempts.length)
      .map((item) => item.id);
    expect(repeated).toEqual([
      "TEST-SUITE-TRIAGE-001",
      "DETERMINISM-001",
      "DETECTOR-CONFIG-001",
      "VECTOR-PARITY-001",
      "DTYPE-NEUTRAL-001",
    ]);
  });

  it("appends to CLI-FLAGS-003 after its last attempt, numbered one past the largest", async () => {
    const { newLines } = await expectAppendAfterLine("fix_plan.md", "CLI-FLAGS-003", 37, 537);
    expect(newLines[536]).toMatch(/^ {2}\* \[2025-10-15\] Attempt #36 — Result:/);
    expect(newLines[541]).toBe("- Observations/Hypotheses:\n");
  });

  it.each([
    // id, 1 + the largest number in the item, the 1-based line of its list's last line
    ["TEST-SUITE-TRIAGE-001", 78, 171],
    ["DETECTOR-CONFIG-001", 69, 357],
    ["DETERMINISM-001", 11, 230],
    ["VECTOR-PARITY-001", 38, 406],
    ["DTYPE-NEUTRAL-001", 5, 731],
  ])(
    "appends to %s (repeated attempt numbers) as Attempt #%i after line %i",
    async (id, number, afterLine) => {
      await expectAppendAfterLine("fix_plan.md", id, number, afterLine);
    },
  );

  it("leaves the blank line that ends a history list after the new attempt", async () => {
    const { newLines } = await expectAppendAfterLine("fix_plan.md", "TEST-SUITE-TRIAGE-001", 78, 171);
    expect(newLines.slice(175, 177)).toEqual(["\n", "- Exit Criteria:\n"]);
  });

  it("appends to the last of the two STAGEA-PARAM-001 sections, numbered past both", async () => {
    const { newLines } = await expectAppendAfterLine("fix_plan.md", "STAGEA-PARAM-001", 1, 989);
    expect(newLines.slice(993)).toEqual(["\n", "---\n"]);
    const [first] = parseLedger(newLines.join("")).items.filter((item) => item.id === "STAGEA-PARAM-001");
    expect(first.attempts.map((a) => a.number)).toEqual([0]);
  });

  it("appends to the earlier ledger's CLI-FLAGS-003 after the last attempt's continuation lines", async () => {
    const { newLines } = await expectAppendAfterLine("fix_plan_at_seed.md", "CLI-FLAGS-003", 69, 1444);
    expect(newLines[1443]).toMatch(/^ {6}- \*\*Phase L3 \(pending L2c\)\*\*/);
    expect(newLines[1448]).toMatch(/^- Risks\/Assumptions:/);
  });

  it("appends under a history field that holds inline text", async () => {
    const { newLines } = await expectAppendAfterLine("fix_plan_at_seed.md", "CLI-DTYPE-002", 1, 444);
    expect(newLines[443]).toBe("- Attempts History: None — new item.\n");
  });

  it("creates a new item: a section at the end and an index row after the last row", async () => {
    const title = "Keep the ledger with nbloop & friends";
    const { after, runs, number, created } = await appendToCopy("fix_plan.md", "NBLOOP-LEDGER-001", title);
    expect(created).toBe(true);
    expect(number).toBe(1);
    expect(runs).toEqual([
      {
        at: 40,
        lines: [
          "| [NBLOOP-LEDGER-001](#nbloop-ledger-001-keep-the-ledger-with-nbloop--friends) | Keep the ledger with nbloop & friends | Medium | in_progress |\n",
        ],
      },
      {
        at: 992,
        lines: [
          "\n",
          "## [NBLOOP-LEDGER-001] Keep the ledger with nbloop & friends\n",
          "- Priority: Medium\n",
          "- Status: in_progress\n",
          "- Attempts History:\n",
          ...attemptBlock(1),
        ],
      },
    ]);
    const ledger = parseLedger(after);
    expect(ledger.indexIds.at(-1)).toBe("NBLOOP-LEDGER-001");
    expect(ledger.items.at(-1)).toMatchObject({
      id: "NBLOOP-LEDGER-001",
      title,
      status: "in_progress",
      priority: "Medium",
      line: 994,
      attempts: [{ number: 1, date: "2026-11-28", result: "blocked", line: 998 }],
    });
  });

  it("creates STAGEA-PARAM-001 in the earlier ledger, which lacks it", async () => {
    const title = "Generalized learnable geometry & beam parameterization";
    const { runs, created } = await appendToCopy("fix_plan_at_seed.md", "STAGEA-PARAM-001", title);
    expect(created).toBe(true);
    // The file has 1,678 lines; the new row follows line 23, the last of the index.
    expect(runs?.map((run) => run.at)).toEqual([23, 1679]);
    expect(runs?.[0].lines).toEqual([
      "| [STAGEA-PARAM-001](#stagea-param-001-generalized-learnable-geometry--beam-parameterization) | Generalized learnable geometry & beam parameterization | Medium | in_progress |\n",
    ]);
    expect(runs?.[1].lines.slice(0, 2)).toEqual(["\n", `## [STAGEA-PARAM-001] ${title}\n`]);
  });

  it("slugs headings as GitHub anchors them (anchors copied from the ledgers' index rows)", () => {
    expect(headingSlug("[CLI-FLAGS-003] Handle -nonoise and -pix0_vector_mm")).toBe(
      "cli-flags-003-handle--nonoise-and--pix0_vector_mm",
    );
    expect(headingSlug("[PROTECTED-ASSETS-001] docs/index.md safeguard")).toBe(
      "protected-assets-001-docsindexmd-safeguard",
    );
    expect(headingSlug("[ROUTING-LOOP-001] loop.sh routing guard")).toBe(
      "routing-loop-001-loopsh-routing-guard",
    );
  });
});
