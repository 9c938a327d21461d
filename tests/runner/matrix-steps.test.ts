/**
 * Matrix steps on the local pool, end to end in a temporary git repository: one task per
 * combination in its own folder, a gather step over {tasks:STEP}, --jobs bounding the tasks at once,
 * --resume taking every unchanged task from the earlier bundle and running again only the tasks whose
 * input changed, a failing task blocking the phase by name and `nbloop rerun` running it alone,
 * SIGTERM cancelling the pool, and the pool's overhead against bare process starts.
 */

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/paths.js";
import { makeWorkspace, NBLOOP, type Workspace } from "../support/workspace.js";

const LEDGER = `# Fix Plan Ledger

## Index
| ID | Title | Priority | Status |
| --- | --- | --- | --- |
| [MATRIX-001](#matrix-001-tasks) | Tasks | High | in_progress |

## [MATRIX-001] Tasks
- Priority: High
- Status: in_progress
- Attempts History:
- Exit Criteria: every task green
`;

const node = (code: string, ...args: string[]) => JSON.stringify(["node", "-e", code, ...args]);

/** Writes its start and end times (ms) into its folder, after a pause. */
const TIMED = node(
  "const t0 = Date.now(); setTimeout(() => require('fs').writeFileSync(process.env.NBLOOP_TASK + '/times', t0 + ' ' + Date.now()), 400)",
);

/** Upper-cases an input file into the task's folder. */
const UPPER = node(
  "const fs = require('fs'); fs.writeFileSync(process.argv[2], fs.readFileSync(process.argv[1], 'utf8').toUpperCase())",
  "inputs/{matrix.part}.txt",
  "{task}/out.txt",
);

/** Joins the task folders' outputs, in folder order. */
const GATHER = node(
  "const fs = require('fs'), p = require('path'); const d = process.argv[1]; fs.writeFileSync(process.argv[2], fs.readdirSync(d).sort().map((t) => fs.readFileSync(p.join(d, t, 'out.txt'), 'utf8')).join(''))",
  "{tasks:upper}",
  "{bundle}/all.txt",
);

/** Reads its part from the folder it is given. */
const FROM_FOLDER = node(
  "const fs = require('fs'); fs.writeFileSync(process.argv[3] + '/out.txt', fs.readFileSync(process.argv[1] + '/' + process.argv[2] + '.txt'))",
  "inputs",
  "{matrix.part}",
  "{task}",
);

const FLAKY = node(
  "if (process.argv[1] === '2' && !require('fs').existsSync('fixed.flag')) { console.error('task 2 needs fixed.flag'); process.exit(3) } console.log('task ' + process.argv[1])",
  "{matrix.n}",
);

const LOOP = `item: MATRIX-001
title: Tasks
bundle: reports/{phase}/{stamp}/
phases:
  timed:
    summary: Six timed tasks
    do_now:
      - id: timed
        matrix: { k: { from: 1, to: 6 } }
        run: ${TIMED}
  upper:
    summary: Upper-case three parts, then join them
    do_now:
      - id: upper
        matrix: { part: [a, b, c] }
        run: ${UPPER}
      - id: join
        run: ${GATHER}
    artifacts:
      - { path: "{bundle}/all.txt" }
  whole:
    summary: Each part read from the folder the argv names
    do_now:
      - id: part
        matrix: { part: [a, b, c] }
        run: ${FROM_FOLDER}
  narrow:
    summary: The same, with the file each part reads declared as all it reads
    do_now:
      - id: part
        matrix: { part: [a, b, c] }
        run: ${FROM_FOLDER}
        inputs: ["inputs/{matrix.part}.txt"]
        inputs_only: true
  flaky:
    summary: Three tasks, one needs a flag file
    do_now:
      - id: flaky
        matrix: { n: [1, 2, 3] }
        run: ${FLAKY}
      - id: after
        run: ["true"]
  asleep:
    summary: Four tasks that would sleep long
    do_now:
      - id: asleep
        matrix: { k: [1, 2, 3, 4] }
        run: ${node("require('fs').writeFileSync(process.env.NBLOOP_TASK + '/started', ''); setTimeout(() => {}, 60000)", "matrix-sleeper-{matrix.k}")}
  many:
    summary: A hundred trivial tasks
    do_now:
      - id: many
        matrix: { i: { from: 1, to: 100 } }
        run: ["true"]
`;

let ws: Workspace;

beforeEach(() => {
  ws = makeWorkspace({
    files: {
      "docs/fix_plan.md": LEDGER,
      "loops/tasks.yaml": LOOP,
      "inputs/a.txt": "alpha\n",
      "inputs/b.txt": "beta\n",
      "inputs/c.txt": "gamma\n",
      ".gitignore": "reports/\n",
    },
  });
  ws.commit();
});

const result = (bundle: string) => JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));
const index = (bundle: string, step: string) =>
  JSON.parse(readFileSync(join(bundle, "tasks", `${step}.json`), "utf8"));

/** The most tasks whose [start, end] intervals overlap at one moment. */
function mostAtOnce(bundle: string, step: string): number {
  const spans = index(bundle, step).tasks.map((t: { dir: string }) =>
    readFileSync(join(bundle, t.dir, "times"), "utf8")
      .split(" ")
      .map(Number),
  );
  return Math.max(
    ...spans.map(([s]: number[]) => spans.filter(([a, b]: number[]) => a <= s && s < b).length),
  );
}

describe("matrix steps on the local pool", () => {
  it("run one task per value in its own folder, and --jobs bounds how many run at once", () => {
    for (const jobs of ["1", "3"]) {
      const r = ws.nbloop(["run", "loops/tasks.yaml", "timed", "--jobs", jobs]);
      expect(r.code, r.stderr).toBe(0);
    }
    const [one, three] = ws.bundles("reports/timed");
    expect(index(one, "timed").tasks.map((t: { dir: string }) => t.dir)).toEqual(
      [1, 2, 3, 4, 5, 6].map((k) => `tasks/timed/k-${k}`),
    );
    expect(mostAtOnce(one, "timed")).toBe(1);
    expect(mostAtOnce(three, "timed")).toBe(3);
    const summary = readFileSync(join(three, "summary.md"), "utf8");
    expect(summary).toContain("| timed | 6 done |");
    expect(summary).toContain("## Tasks of timed (local)");
    expect(summary).toMatch(/\| k-4 \| 4 \| done \| \d+\.\d\d \| 0 \| \S+ \| tasks\/timed\/k-4 \|/);
  });

  it("gathers its tasks' outputs in a following step through {tasks:STEP}", () => {
    const r = ws.nbloop(["run", "loops/tasks.yaml", "upper"]);
    expect(r.code, r.stderr).toBe(0);
    const [bundle] = ws.bundles("reports/upper");
    expect(readFileSync(join(bundle, "all.txt"), "utf8")).toBe("ALPHA\nBETA\nGAMMA\n");
    expect(readFileSync(join(bundle, "tasks/upper/part-b/out.txt"), "utf8")).toBe("BETA\n");
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(REPO_ROOT, "schemas/result.schema.json"), "utf8")),
    );
    expect(validate(result(bundle)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("--resume takes every unchanged task from the earlier bundle; a changed input runs its task alone", () => {
    expect(ws.nbloop(["run", "loops/tasks.yaml", "upper"]).code).toBe(0);
    const again = ws.nbloop(["run", "loops/tasks.yaml", "upper", "--resume"]);
    expect(again.code, again.stderr).toBe(0);
    const [first, second] = ws.bundles("reports/upper");
    const states = (b: string, step: string) => index(b, step).tasks.map((t: { state: string }) => t.state);
    expect(states(second, "upper")).toEqual(["cached", "cached", "cached"]);
    expect(states(second, "join")).toEqual(["cached"]);
    expect(readFileSync(join(second, "all.txt"), "utf8")).toBe("ALPHA\nBETA\nGAMMA\n");
    expect(index(second, "upper").tasks[0].cached_from).toBe(
      join(first.slice(ws.dir.length + 1), "tasks/upper/part-a"),
    );
    expect(readFileSync(join(second, "summary.md"), "utf8")).toContain("| upper | 3 cached |");

    ws.write("inputs/b.txt", "bravo\n");
    const third = ws.nbloop(["run", "loops/tasks.yaml", "upper", "--resume"]);
    expect(third.code, third.stderr).toBe(0);
    const latest = ws.bundles("reports/upper")[2];
    expect(states(latest, "upper")).toEqual(["cached", "done", "cached"]);
    expect(states(latest, "join")).toEqual(["done"]);
    expect(readFileSync(join(latest, "all.txt"), "utf8")).toBe("ALPHA\nBRAVO\nGAMMA\n");
  });

  it("inputs_only: a task that names a whole folder but reads one file of it runs again only when that file changes", () => {
    for (const phase of ["whole", "narrow"])
      expect(ws.nbloop(["run", "loops/tasks.yaml", phase]).code).toBe(0);
    ws.write("inputs/b.txt", "bravo\n");
    const states = (phase: string) => {
      expect(ws.nbloop(["run", "loops/tasks.yaml", phase, "--resume"]).code).toBe(0);
      const bundle = ws.bundles(`reports/${phase}`)[1];
      return index(bundle, "part").tasks.map((t: { state: string }) => t.state);
    };
    expect(states("whole")).toEqual(["done", "done", "done"]);
    expect(states("narrow")).toEqual(["cached", "done", "cached"]);
  });

  it("a failing task blocks the phase by name; nbloop rerun runs that task alone, then the steps after", () => {
    const r = ws.nbloop(["run", "loops/tasks.yaml", "flaky"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("blocked — step flaky task n-2 exit 3: task 2 needs fixed.flag");
    const [bundle] = ws.bundles("reports/flaky");
    expect(index(bundle, "flaky").tasks.map((t: { state: string }) => t.state)).toEqual([
      "done",
      "failed",
      "done",
    ]);
    expect(result(bundle).blocked_step).toBe("flaky");
    expect(readFileSync(join(bundle, "summary.md"), "utf8")).toContain("| flaky | 2 done, 1 failed |");

    ws.write("fixed.flag", "");
    const again = ws.nbloop(["rerun", bundle]);
    expect(again.code, again.stderr).toBe(0);
    const rerun = ws.bundles("reports/flaky")[1];
    expect(index(rerun, "flaky").tasks.map((t: { state: string }) => t.state)).toEqual([
      "reused",
      "done",
      "reused",
    ]);
    expect(readFileSync(join(rerun, "tasks/flaky/n-2/stdout"), "utf8")).toBe("task 2\n");
    expect(result(rerun).steps.map((s: { id: string; exitCode: number }) => [s.id, s.exitCode])).toEqual([
      ["flaky", 0],
      ["after", 0],
    ]);
  });

  it("SIGTERM cancels the running and waiting tasks: interrupted, nothing left running", async () => {
    const child = spawn(
      process.execPath,
      [NBLOOP, "run", "loops/tasks.yaml", "asleep", "--jobs", "2", "--workspace", ws.dir],
      { cwd: ws.dir },
    );
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const started = () =>
      ws.bundles("reports/asleep").length === 1 &&
      [1, 2].every((k) => existsSync(join(ws.bundles("reports/asleep")[0], `tasks/asleep/k-${k}/started`)));
    for (let i = 0; i < 100 && !started(); i++) await new Promise((done) => setTimeout(done, 100));
    expect(started()).toBe(true);
    const sent = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise((done) => child.on("exit", done));
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(code).toBe(143);
    expect(stdout).toContain("interrupted — SIGTERM during step asleep");
    const [bundle] = ws.bundles("reports/asleep");
    expect(result(bundle)).toMatchObject({ status: "interrupted", complete: true });
    expect(index(bundle, "asleep").tasks.map((t: { state: string }) => t.state)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
    expect(spawnSync("pgrep", ["-f", "matrix-sleeper-"]).status).toBe(1);
  });

  it("costs under 2 s more than bare process starts: 100 trivial tasks", () => {
    const bare = performance.now();
    for (let i = 0; i < 100; i++) spawnSync("true");
    const bareSeconds = (performance.now() - bare) / 1000;
    const start = performance.now();
    const r = ws.nbloop(["run", "loops/tasks.yaml", "many", "--jobs", "1"]);
    const seconds = (performance.now() - start) / 1000;
    expect(r.code, r.stderr).toBe(0);
    console.log(
      `100 trivial tasks: ${seconds.toFixed(2)} s through nbloop, ${bareSeconds.toFixed(2)} s as bare process starts`,
    );
    expect(seconds - bareSeconds).toBeLessThan(2);
  });
});
