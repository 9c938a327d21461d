/** Plan task tables, read from and written to the real plan (states read off the file by hand). */

import { describe, expect, it } from "vitest";
import { parsePlanTasks, setTaskState } from "../../src/ledger/plan-table.js";
import { insertedRuns } from "./line-diff.js";
import { fixtureText } from "./realworld.js";

describe(`the real plan's task tables`, () => {
  const plan = fixtureText("plan_cli-noise-pix0.md");

  it("finds the tasks of every phase table", () => {
    const tasks = parsePlanTasks(plan);
    // 31 rows below the 7 headers `| ID | Task Description | State | How/Why & Guidance |`.
    expect(tasks).toHaveLength(31);
    expect(tasks[0]).toEqual({ id: "L1", state: "[D]", line: 48 });
    expect(tasks.find((t) => t.id === "M4")).toEqual({ id: "M4", state: "[P]", line: 65 });
    expect(tasks.find((t) => t.id === "M5")).toEqual({ id: "M5", state: "[ ]", line: 66 });
    expect(tasks.find((t) => t.id === "M4d")).toEqual({ id: "M4d", state: "[D]", line: 76 });
    expect(tasks.at(-1)).toEqual({ id: "M5g", state: "[D]", line: 121 });
  });

  it("changes exactly the one State token", () => {
    const { text, found, previous } = setTaskState(plan, "M5", "[B]");
    expect({ found, previous }).toEqual({ found: true, previous: "[ ]" });
    expect(text.length).toBe(plan.length);
    const at = plan.indexOf("| M5 | Gradient + CUDA validation | [ ] |");
    expect(at).toBeGreaterThan(0);
    const token = at + "| M5 | Gradient + CUDA validation | ".length;
    expect(text.slice(0, token)).toBe(plan.slice(0, token));
    expect(text.slice(token, token + 3)).toBe("[B]");
    expect(text.slice(token + 3)).toBe(plan.slice(token + 3));
    expect(parsePlanTasks(text).find((t) => t.id === "M5")?.state).toBe("[B]");
  });

  it("reports an unknown task and leaves the text alone", () => {
    expect(setTaskState(plan, "Z9", "[D]")).toEqual({ text: plan, found: false, previous: null });
  });
});

describe("plan task tables", () => {
  const table = [
    "| ID | Task Description | State | How/Why & Guidance |",
    "| --- | --- | --- | --- |",
    "| `A1` | pipes \\| escaped |  [P]  | x |",
    "| A2 | second | [ ] | y |",
    "",
    "| ID | Title | Priority | Status |",
    "| --- | --- | --- | --- |",
    "| A3 | not a task | High | done |",
  ].join("\r\n");

  it("reads IDs in backticks and escaped pipes, and skips tables without a State column", () => {
    expect(parsePlanTasks(table)).toEqual([
      { id: "A1", state: "[P]", line: 3 },
      { id: "A2", state: "[ ]", line: 4 },
    ]);
  });

  it("keeps the spaces around the state and the CRLF endings", () => {
    const { text, previous } = setTaskState(table, "A1", "[D]");
    expect(previous).toBe("[P]");
    expect(text).toBe(table.replace("|  [P]  |", "|  [D]  |"));
    expect(insertedRuns(table, setTaskState(table, "A3", "[D]").text)).toEqual([]);
  });
});
