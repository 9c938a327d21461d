/** Loop files: every problem named with file:line:column, the JSON pointer and what was expected. */

import { describe, expect, it } from "vitest";
import { parseLoop } from "../../src/runner/load/load-loop.js";
import { insideWorkspace } from "../../src/runner/load/workspace.js";

const GOOD = `item: DEMO-001
title: A demo
bundle: reports/demo/{phase}/{stamp}/
phases:
  A:
    summary: one step
    do_now:
      - id: hello
        run: [echo, hello]
        stdout: hello.txt
    artifacts:
      - { path: hello.txt, contains: hello }
`;

function errorOf(text: string): string {
  try {
    parseLoop(text, "loop.yaml");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("no error");
}

describe("loop files", () => {
  it("a valid loop loads", () => {
    const loop = parseLoop(GOOD, "loop.yaml");
    expect(loop.phases.A.do_now[0].run).toEqual(["echo", "hello"]);
  });

  it("a step with both run and script, and one with neither", () => {
    const both = GOOD.replace(
      "        run: [echo, hello]\n",
      "        run: [echo, hello]\n        script: glue.mjs\n",
    );
    expect(errorOf(both)).toBe('loop.yaml:8:9: /phases/A/do_now/0: a step has "run" or "script", not both');
    const neither = GOOD.replace("        run: [echo, hello]\n", "");
    expect(errorOf(neither)).toBe(
      'loop.yaml:8:9: /phases/A/do_now/0: a step needs "run" (a command) or "script" (a zx script)',
    );
  });

  it("bad YAML", () => {
    expect(errorOf(GOOD.replace("bundle: reports/demo/{phase}/{stamp}/", "bundle: [unclosed"))).toBe(
      "loop.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
  });

  it("an unknown key, at the key", () => {
    expect(errorOf(GOOD.replace("    summary: one step", "    summary: one step\n    sumary: typo"))).toBe(
      'loop.yaml:7:5: /phases/A: unknown key "sumary"',
    );
  });

  it("a wrong type", () => {
    expect(errorOf(GOOD.replace("run: [echo, hello]", "run: 42"))).toContain(
      "loop.yaml:9:14: /phases/A/do_now/0/run: must be",
    );
    expect(errorOf(GOOD.replace("item: DEMO-001", "item: [DEMO]"))).toBe(
      "loop.yaml:1:7: /item: must be string",
    );
  });

  it("a string command without shell: true", () => {
    expect(errorOf(GOOD.replace("run: [echo, hello]", 'run: "echo hello | cat"'))).toContain(
      'loop.yaml:8:9: /phases/A/do_now/0: missing required key "shell"',
    );
  });

  it("a missing key and a phase without steps", () => {
    expect(errorOf(GOOD.replace("title: A demo\n", ""))).toBe(
      'loop.yaml:1:1: /: missing required key "title"',
    );
    expect(errorOf(GOOD.replace(/ {4}do_now:[\s\S]*?stdout: hello.txt\n/, ""))).toBe(
      'loop.yaml:6:5: /phases/A: missing required key "do_now"',
    );
  });

  it("a bundle template without {stamp}", () => {
    expect(errorOf(GOOD.replace("{stamp}/", "latest/"))).toContain(
      "loop.yaml:3:9: /bundle: must match pattern",
    );
  });

  it("a path escaping the workspace is refused", () => {
    expect(() => insideWorkspace("/tmp/ws", "../elsewhere/x", "bundle")).toThrow(
      "bundle ../elsewhere/x resolves outside the workspace /tmp/ws: refused",
    );
    expect(insideWorkspace("/tmp/ws", "reports/x", "bundle")).toBe("/tmp/ws/reports/x");
  });
});
