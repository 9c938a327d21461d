/**
 * A matrix's values and tasks (lists, ranges written as a person writes numbers, JSON and text
 * files), the folder names of its tasks, its placeholders, and every mistake in a matrix or in the
 * executor options refused before a bundle is made, with the message a user sees.
 */

import { describe, expect, it } from "vitest";
import { axisValues, fillTask, matrixTasks, refuseTaskPlaceholders } from "../../src/runner/plan/matrix.js";
import { InputError } from "../../src/util/input-error.js";
import { makeWorkspace } from "../support/workspace.js";

const noFile = () => {
  throw new Error("no file expected");
};

describe("matrix values", () => {
  it("lists, and inclusive ranges in a person's numbers", () => {
    expect(axisValues("x", ["a", 2, 0.5], noFile)).toEqual(["a", "2", "0.5"]);
    expect(axisValues("phi", { from: 0, to: 350, by: 10 }, noFile)).toHaveLength(36);
    expect(axisValues("t", { from: 0, to: 0.3, by: 0.1 }, noFile)).toEqual(["0", "0.1", "0.2", "0.3"]);
    expect(axisValues("n", { from: 1, to: 3 }, noFile)).toEqual(["1", "2", "3"]);
  });

  it("from a JSON file (an array's field, an object's keys) or a text file's lines", () => {
    const ws = makeWorkspace({
      files: {
        "m.json": JSON.stringify({ cases: [{ id: "one" }, { id: "two" }], by: { x: 1, y: 2 } }),
        "list.txt": "# frames\nf1\n\n  f2  \n",
      },
    });
    const file = (name: string) => () => ({ path: `${ws.dir}/${name}`, shown: name });
    expect(axisValues("c", { file: "m.json", path: "cases", field: "id" }, file("m.json"))).toEqual([
      "one",
      "two",
    ]);
    expect(axisValues("k", { file: "m.json", path: "by" }, file("m.json"))).toEqual(["x", "y"]);
    expect(axisValues("f", { file: "list.txt" }, file("list.txt"))).toEqual(["f1", "f2"]);
    expect(() => axisValues("c", { file: "m.json", path: "nope" }, file("m.json"))).toThrow(
      'matrix file m.json: no "nope" at nope',
    );
    expect(() => axisValues("c", { file: "m.json", path: "cases" }, file("m.json"))).toThrow(
      "matrix file m.json: cases is not a list of names or numbers, nor an object",
    );
    expect(() => axisValues("c", { file: "gone.json" }, file("gone.json"))).toThrow(
      "matrix file gone.json: cannot be read",
    );
  });

  it("refuses an empty range and a matrix beyond 100000 tasks", () => {
    expect(() => axisValues("n", { from: 3, to: 1 }, noFile)).toThrow("matrix n: from 3 to 1 by 1 is empty");
    const big = axisValues("n", { from: 1, to: 1000 }, noFile);
    expect(() =>
      matrixTasks([
        ["a", big],
        ["b", big],
      ]),
    ).toThrow("matrix: 1000000 combinations (at most 100000)");
  });
});

describe("matrix tasks", () => {
  it("every combination, the first name slowest, in folders named by their values", () => {
    const tasks = matrixTasks([
      ["case", ["at 001", "b/2"]],
      ["n", ["1", "2"]],
    ]);
    expect(tasks.map((t) => t.id)).toEqual([
      "case-at-001_n-1",
      "case-at-001_n-2",
      "case-b-2_n-1",
      "case-b-2_n-2",
    ]);
    expect(tasks[3].values).toEqual({ case: "b/2", n: "2" });
    expect(matrixTasks([["x", ["a b", "a-b"]]]).map((t) => t.id)).toEqual(["x-a-b", "x-a-b.2"]);
  });

  it("fills {matrix.NAME} and {task}; a name the matrix lacks, or a plain step that uses them, is an error", () => {
    const task = { id: "phi-10", values: { phi: "10" } };
    expect(fillTask("-phi {matrix.phi} -floatfile {task}/f.bin", task, "/b/tasks/s/phi-10")).toBe(
      "-phi 10 -floatfile /b/tasks/s/phi-10/f.bin",
    );
    expect(() => fillTask("{matrix.theta}", task, "/t")).toThrow(
      new InputError("{matrix.theta}: the matrix has no theta"),
    );
    expect(() => refuseTaskPlaceholders("out {task}/x")).toThrow("{task}: the step has no matrix");
  });
});

describe("mistakes refused before a bundle is made", () => {
  const ws = makeWorkspace({
    files: {
      "docs/fix_plan.md": "# Ledger\n",
      "loop.yaml": `item: M-1
title: M
bundle: reports/{phase}/{stamp}/
phases:
  plain:
    summary: a plain step that speaks of a matrix
    do_now:
      - { id: p, run: [echo, "{matrix.x}"] }
  gather:
    summary: gathers a step that is not a matrix step
    do_now:
      - { id: p, run: ["true"] }
      - { id: g, run: [echo, "{tasks:p}"] }
  missing:
    summary: values from a file that is not there
    do_now:
      - { id: m, matrix: { x: { file: gone.txt } }, run: [echo, "{matrix.x}"] }
  fine:
    summary: two tasks
    do_now:
      - { id: m, matrix: { x: [1, 2] }, run: [echo, "{matrix.x}"] }
`,
    },
  });
  const refused = (args: string[], message: string, env: Record<string, string | undefined> = {}) => {
    const r = ws.nbloop(args, env);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toBe(`nbloop: error: ${message}\n`);
  };

  it("names the loop file's position and the placeholder", () => {
    refused(["run", "loop.yaml", "plain"], "loop.yaml:8:9: {matrix.x}: the step has no matrix");
    refused(["run", "loop.yaml", "gather"], 'loop.yaml:13:9: {tasks:p}: phase gather has no matrix step "p"');
    refused(["run", "loop.yaml", "missing"], "loop.yaml:17:9: matrix file gone.txt: cannot be read");
  });

  it("names the executor option", () => {
    refused(
      ["run", "loop.yaml", "fine", "--executor", "pbs"],
      "--executor: expected local or slurm (got pbs)",
    );
    refused(["run", "loop.yaml", "fine", "--jobs", "0"], "--jobs: a whole number of 1 or more (got 0)");
    refused(["run", "loop.yaml", "fine", "--jobs", "two"], '--jobs: "two" is not a number');
    refused(["run", "loop.yaml", "fine", "--resum"], "unknown option --resum");
    refused(["report", "--opne"], "unknown option --opne");
    refused(
      ["run", "loop.yaml", "fine", "--executor", "slurm"],
      "the slurm executor needs Slurm's sbatch, squeue, scancel, scontrol on PATH (is Slurm installed here?)",
      { PATH: "/nonexistent" },
    );
    expect(ws.bundles("reports/fine")).toEqual([]);
  });
});
