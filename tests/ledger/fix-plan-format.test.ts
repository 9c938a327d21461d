/** Attempt lines as written, and appends to small ledgers: line endings, a missing final newline, missing parts. */

import { describe, expect, it } from "vitest";
import {
  type AttemptEntry,
  appendAttempt,
  formatAttempt,
  nextAttemptNumber,
  parseLedger,
} from "../../src/ledger/fix-plan.js";
import { insertedRuns } from "./line-diff.js";

const BLOCKED: AttemptEntry = { date: "2026-11-28", result: "blocked", summary: "trace step failed" };

const LEDGER = [
  "# Fix Plan Ledger",
  "",
  "## Index",
  "| ID | Title | Priority | Status |",
  "| --- | --- | --- | --- |",
  "| [A-001](#a-001-first) | First | High | in_progress |",
  "",
  "## [A-001] First",
  "- Priority: High",
  "- Status: in_progress",
  "- Attempts History:",
  "  * [2026-11-01] Attempt #2 — Result: success — earlier",
  "    Metrics: steps=1",
  "",
  "- Next Actions:",
  "  1. more",
  "",
].join("\n");

describe("formatAttempt", () => {
  it("writes the bullet and the optional lines in order", () => {
    const entry: AttemptEntry = {
      date: "2026-11-28",
      result: "partial",
      summary: "trace refreshed for the supervisor pixel",
      metrics: "steps=10 polar=0.91",
      artifacts: ["reports/a/trace.log", "reports/a/env.json"],
      firstDivergence: "rot_a_angstroms",
    };
    expect(formatAttempt(7, entry)).toEqual([
      "  * [2026-11-28] Attempt #7 — Result: partial — trace refreshed for the supervisor pixel",
      "    Metrics: steps=10 polar=0.91",
      "    Artifacts: reports/a/trace.log, reports/a/env.json",
      "    First Divergence: rot_a_angstroms",
    ]);
  });

  it("leaves out absent or empty optional lines", () => {
    expect(formatAttempt(1, { ...BLOCKED, artifacts: [], metrics: " " })).toEqual([
      "  * [2026-11-28] Attempt #1 — Result: blocked — trace step failed",
    ]);
    expect(formatAttempt(3, { ...BLOCKED, firstDivergence: "F_latt" })).toEqual([
      "  * [2026-11-28] Attempt #3 — Result: blocked — trace step failed",
      "    First Divergence: F_latt",
    ]);
  });

  it("keeps each value on one line", () => {
    expect(formatAttempt(1, { ...BLOCKED, summary: "two\nlines", metrics: "a=1\r\nb=2" })).toEqual([
      "  * [2026-11-28] Attempt #1 — Result: blocked — two lines",
      "    Metrics: a=1 b=2",
    ]);
  });

  it("refuses a date that is not YYYY-MM-DD and a result outside the four", () => {
    expect(() => formatAttempt(1, { ...BLOCKED, date: "2026-11-28T07:00:00Z" })).toThrow(/YYYY-MM-DD/);
    expect(() => formatAttempt(1, { ...BLOCKED, result: "done" as AttemptEntry["result"] })).toThrow(
      /one of/,
    );
  });
});

describe("appendAttempt on small ledgers", () => {
  it("inserts after the list's last continuation line, before the blank line that ends it", () => {
    const { text, number, createdItem } = appendAttempt(LEDGER, "A-001", "First", BLOCKED);
    expect({ number, createdItem }).toEqual({ number: 3, createdItem: false });
    expect(text.split("\n").slice(11, 16)).toEqual([
      "  * [2026-11-01] Attempt #2 — Result: success — earlier",
      "    Metrics: steps=1",
      "  * [2026-11-28] Attempt #3 — Result: blocked — trace step failed",
      "",
      "- Next Actions:",
    ]);
    expect(parseLedger(text).items[0].attempts.map((a) => [a.number, a.result, a.line])).toEqual([
      [2, "success", 12],
      [3, "blocked", 14],
    ]);
  });

  it("writes CRLF into a CRLF file and leaves its other bytes alone", () => {
    const crlf = LEDGER.replace(/\n/g, "\r\n");
    const { text } = appendAttempt(crlf, "A-001", "First", { ...BLOCKED, metrics: "steps=10" });
    expect(insertedRuns(crlf, text)).toEqual([
      {
        at: 13,
        lines: [
          "  * [2026-11-28] Attempt #3 — Result: blocked — trace step failed\r\n",
          "    Metrics: steps=10\r\n",
        ],
      },
    ]);
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("appends after a last line that has no newline, and adds none at the end", () => {
    const bare =
      "## [B-002] Second\n- Status: pending\n- Attempts History:\n  * [2026-01-01] Attempt #4 — Result: failed";
    const { text, number } = appendAttempt(bare, "B-002", "Second", BLOCKED);
    expect(number).toBe(5);
    expect(text).toBe(`${bare}\n  * [2026-11-28] Attempt #5 — Result: blocked — trace step failed`);
  });

  it("starts a history list after the fields when an item has none", () => {
    const text =
      "## [C-003] Third\n- Priority: Low\n- Status: pending\n  still the status\n\n### Notes\n- not a field\n";
    const result = appendAttempt(text, "C-003", "Third", BLOCKED).text;
    expect(insertedRuns(text, result)).toEqual([
      {
        at: 4,
        lines: [
          "- Attempts History:\n",
          "  * [2026-11-28] Attempt #1 — Result: blocked — trace step failed\n",
        ],
      },
    ]);
  });

  it("creates an item with an index row, one blank line before the section", () => {
    const { text, number, createdItem } = appendAttempt(LEDGER, "NEW-9", "Brand | new", BLOCKED);
    expect({ number, createdItem }).toEqual({ number: 1, createdItem: true });
    expect(insertedRuns(LEDGER, text)).toEqual([
      { at: 6, lines: ["| [NEW-9](#new-9-brand--new) | Brand \\| new | Medium | in_progress |\n"] },
      {
        at: 17,
        lines: [
          "\n",
          "## [NEW-9] Brand | new\n",
          "- Priority: Medium\n",
          "- Status: in_progress\n",
          "- Attempts History:\n",
          "  * [2026-11-28] Attempt #1 — Result: blocked — trace step failed\n",
        ],
      },
    ]);
    expect(parseLedger(text).indexIds).toEqual(["A-001", "NEW-9"]);
  });

  it("adds no second index row for an ID the index already lists", () => {
    const orphan = LEDGER.replace(
      "| [A-001](#a-001-first) | First | High | in_progress |",
      "$&\n| [H-8](#h-8-gone) | Gone | Low | done |",
    );
    const { text, createdItem } = appendAttempt(orphan, "H-8", "Gone", BLOCKED);
    expect(createdItem).toBe(true);
    expect(insertedRuns(orphan, text)?.map((run) => run.at)).toEqual([17]);
  });

  it("creates an item in an empty file and in a file without an index", () => {
    expect(appendAttempt("", "D-4", "Fourth", BLOCKED).text).toBe(
      "## [D-4] Fourth\n- Priority: Medium\n- Status: in_progress\n- Attempts History:\n" +
        "  * [2026-11-28] Attempt #1 — Result: blocked — trace step failed\n",
    );
    const text = "# Ledger\nintro";
    expect(appendAttempt(text, "D-4", "Fourth", BLOCKED).text).toBe(
      "# Ledger\nintro\n\n## [D-4] Fourth\n- Priority: Medium\n- Status: in_progress\n- Attempts History:\n" +
        "  * [2026-11-28] Attempt #1 — Result: blocked — trace step failed",
    );
  });

  it("does not take headings inside a code fence for sections", () => {
    const text =
      "## [E-5] Fifth\n- Attempts History:\n  * [2026-01-01] Attempt #1 — Result: success\n```\n## [E-5] Fifth\n```\n";
    expect(parseLedger(text).items).toHaveLength(1);
    expect(nextAttemptNumber(text, "E-5")).toBe(2);
  });

  it("counts every section of an ID and refuses an ID that a heading cannot hold", () => {
    const twice =
      "## [F-6] Six\n- Attempts History:\n  * [2026-01-01] Attempt #9 — Result: success\n\n## [F-6] Six\n";
    expect(nextAttemptNumber(twice, "F-6")).toBe(10);
    expect(nextAttemptNumber(twice, "G-7")).toBe(1);
    expect(() => appendAttempt(twice, "bad id]", "x", BLOCKED)).toThrow(/ledger item ID/);
  });
});
