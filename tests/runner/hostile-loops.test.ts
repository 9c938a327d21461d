/**
 * Loop files and memos a user should never have to debug: an alias bomb, nesting too deep to read,
 * binary junk, paths and templates that leave the workspace, a step program that does not exist.
 * Each is exit 2 with one `nbloop: error:` message and the file position where there is one, before
 * any bundle is made; never a stack trace.
 */

import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type Workspace } from "../support/workspace.js";

const HEAD = "item: A-1\ntitle: t\nbundle: r/{phase}/{stamp}/\nphases:\n  p:\n    summary: s\n";
const STEP = '    do_now: [{ id: x, run: ["true"] }]\n';

function aliasBomb(): string {
  const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return `${lines.join("\n")}\n${HEAD.replace("summary: s", "summary: *a9")}${STEP}`;
}

let ws: Workspace;

beforeAll(() => {
  ws = makeWorkspace({
    files: {
      "bomb.yaml": aliasBomb(),
      "deep.yaml": `item: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
      "cwd.yaml": `${HEAD}    do_now: [{ id: x, run: ["true"], cwd: "{workspace}/../.." }]\n`,
      "metrics.yaml": `${HEAD}${STEP}    metrics: { from: ../../etc/passwd, keys: [root] }\n`,
      "report.yaml": `${HEAD}${STEP}    report: "{bundle}/../../../../outside.md"\n`,
      "program.yaml": `${HEAD}    do_now: [{ id: x, run: [no-such-program-here, arg] }]\n`,
      "env.yaml": HEAD.replace("bundle: r/{phase}/{stamp}/", 'bundle: "{env:HOME}/r/{stamp}/"') + STEP,
    },
  });
  ws.write("junk.yaml", randomBytes(2000).toString("latin1"));
  ws.commit();
});

afterAll(() => rmSync(ws.dir, { recursive: true, force: true }));

const CASES: Array<[string, string[], RegExp]> = [
  [
    "an alias bomb",
    ["run", "bomb.yaml", "p"],
    /^nbloop: error: bomb\.yaml:1:1: invalid YAML: its aliases expand without bound/,
  ],
  [
    "nesting too deep to read",
    ["run", "deep.yaml", "p"],
    /^nbloop: error: deep\.yaml:1:\d+: invalid YAML: nested too deeply to read\n$/,
  ],
  [
    "binary junk",
    ["run", "junk.yaml", "p"],
    /^nbloop: error: junk\.yaml: a binary file, not a YAML loop file\n$/,
  ],
  [
    "binary junk as a memo",
    ["import-memo", "junk.yaml"],
    /^nbloop: error: junk\.yaml: a binary file, not a memo\n$/,
  ],
  [
    "a template leaving the workspace",
    ["run", "cwd.yaml", "p"],
    /^nbloop: error: cwd\.yaml:7:14: cwd .*\/\.\.\/\.\. resolves outside the workspace .*: refused\n$/,
  ],
  [
    "metrics.from leaving the workspace",
    ["run", "metrics.yaml", "p"],
    /^nbloop: error: metrics\.yaml:8:22: metrics source \.\.\/\.\.\/etc\/passwd resolves outside the workspace .*: refused\n$/,
  ],
  [
    "a report leaving the workspace",
    ["run", "report.yaml", "p"],
    /^nbloop: error: report\.yaml:8:13: report .* resolves outside the workspace .*: refused\n$/,
  ],
  [
    "an environment variable leaving the workspace",
    ["run", "env.yaml", "p"],
    /^nbloop: error: env\.yaml:3:9: bundle .* resolves outside the workspace .*: refused\n$/,
  ],
  [
    "a step program that does not exist",
    ["run", "program.yaml", "p"],
    /^nbloop: error: program\.yaml:7:14: no-such-program-here is not a program on PATH\n$/,
  ],
];

describe("hostile loop files", () => {
  it.each(CASES)("%s", (_name, args, message) => {
    const r = args[0] === "import-memo" ? ws.nbloopHere(args) : ws.nbloop(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(ws.bundles("r/p")).toEqual([]);
  });
});
