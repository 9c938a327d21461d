/**
 * The Slurm executor against a real one-node cluster (scripts/slurm-local.sh: munge, slurmctld and
 * slurmd from Debian's packages): a matrix step as one job array that Slurm's own scontrol lists, a
 * plain step as one job, a failing task blocking the phase and `nbloop rerun` submitting it alone,
 * SIGTERM emptying the queue, and a task that dies without its status line named as lost. Skipped,
 * with a message, only where Slurm's packages are not installed.
 */

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/paths.js";
import { makeWorkspace, NBLOOP, type Workspace } from "../support/workspace.js";

const SCRIPT = join(REPO_ROOT, "scripts/slurm-local.sh");
const start = spawnSync("bash", [SCRIPT, "start"], { encoding: "utf8", timeout: 180_000 });
const installed = start.status !== 3;
if (!installed) console.warn(`Slurm tests skipped: ${start.stderr.trim()}`);

const LEDGER = `# Fix Plan Ledger

## [SLURM-001] On the cluster
- Priority: High
- Status: in_progress
- Attempts History:
- Exit Criteria: every task green
`;

const node = (code: string, ...args: string[]) => JSON.stringify(["node", "-e", code, ...args]);

const LOOP = `item: SLURM-001
title: On the cluster
bundle: reports/{phase}/{stamp}/
executor: slurm
phases:
  squares:
    summary: Four squares, then their sum
    do_now:
      - id: square
        matrix: { n: [1, 2, 3, 4] }
        run: ${node("require('fs').writeFileSync(process.argv[2], String(process.argv[1] ** 2))", "{matrix.n}", "{task}/square")}
      - id: sum
        run: ${node("const fs = require('fs'), d = process.argv[1]; console.log(fs.readdirSync(d).reduce((s, t) => s + Number(fs.readFileSync(d + '/' + t + '/square', 'utf8')), 0))", "{tasks:square}")}
        stdout: sum.txt
  flaky:
    summary: Three tasks, one needs a flag file
    do_now:
      - id: flaky
        matrix: { n: [1, 2, 3] }
        run: ${node("if (process.argv[1] === '2' && !require('fs').existsSync('fixed.flag')) { console.error('task 2 needs fixed.flag'); process.exit(3) }", "{matrix.n}")}
  asleep:
    summary: Four tasks that would sleep long
    do_now:
      - id: asleep
        matrix: { k: [1, 2, 3, 4] }
        run: ${node("require('fs').writeFileSync(process.env.NBLOOP_TASK + '/started', ''); setTimeout(() => {}, 120000)")}
  unseen:
    summary: A task whose node cannot see the bundle
    slurm: { extra: [--begin=now+3] }
    do_now:
      - id: unseen
        run: ["true"]
  lost:
    summary: A task whose script dies before it can say how it ended
    do_now:
      - id: lost
        run: ${node("process.kill(process.ppid, 'SIGKILL')")}
`;

let env: Record<string, string> = {};
let ws: Workspace;

beforeAll(() => {
  if (!installed) return;
  expect(start.status, start.stderr).toBe(0);
  const exports = execFileSync("bash", [SCRIPT, "env"], { encoding: "utf8" });
  env = Object.fromEntries(
    [...exports.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1], m[2].replace(/^'|'$/g, "")]),
  );
});

beforeEach(() => {
  ws = makeWorkspace({
    files: { "docs/fix_plan.md": LEDGER, "loops/slurm.yaml": LOOP, ".gitignore": "reports/\n" },
  });
  ws.commit();
});

const result = (bundle: string) => JSON.parse(readFileSync(join(bundle, "result.json"), "utf8"));
const index = (bundle: string, step: string) =>
  JSON.parse(readFileSync(join(bundle, "tasks", `${step}.json`), "utf8"));
const squeue = (jobs: string[]) =>
  execFileSync("squeue", ["--noheader", "--array", `--jobs=${jobs.join(",")}`], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  }).trim();

describe.skipIf(!installed)("the Slurm executor on a one-node cluster", () => {
  it("submits a matrix step as one job array and a plain step as one job; scontrol lists them", () => {
    const r = ws.nbloop(["run", "loops/slurm.yaml", "squares", "--jobs", "2"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [bundle] = ws.bundles("reports/squares");
    expect(readFileSync(join(bundle, "sum.txt"), "utf8")).toBe("30\n");
    const { executor, jobs } = result(bundle);
    expect(executor).toBe("slurm");
    expect(jobs).toHaveLength(2);
    const tasks = index(bundle, "square").tasks;
    expect(tasks.map((t: { job: string }) => t.job)).toEqual([0, 1, 2, 3].map((i) => `${jobs[0]}_${i}`));
    const shown = execFileSync("scontrol", ["--oneliner", "show", "job", jobs[0]], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    const elements = [...shown.matchAll(/ArrayTaskId=(\d+) .*?JobState=(\w+)/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(elements.sort()).toEqual(["0 COMPLETED", "1 COMPLETED", "2 COMPLETED", "3 COMPLETED"]);
    expect(index(bundle, "sum").tasks[0].job).toBe(jobs[1]);
    expect(existsSync(join(bundle, `slurm/square/slurm-${jobs[0]}_3.out`))).toBe(true);
    const summary = readFileSync(join(bundle, "summary.md"), "utf8");
    expect(summary).toContain(`## Tasks of square (slurm, Slurm job ${jobs[0]})`);
    expect(summary).toMatch(
      new RegExp(`\\| n-2 \\| 2 \\| done \\| \\d+\\.\\d\\d \\| 0 \\| \\S+, job ${jobs[0]}_1 \\|`),
    );
  });

  it("a failing task blocks the phase by name; nbloop rerun submits that task alone", () => {
    const r = ws.nbloop(["run", "loops/slurm.yaml", "flaky"], env);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("blocked — step flaky task n-2 exit 3: task 2 needs fixed.flag");
    const [bundle] = ws.bundles("reports/flaky");
    ws.write("fixed.flag", "");
    const again = ws.nbloop(["rerun", bundle], env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const rerun = ws.bundles("reports/flaky")[1];
    const tasks = index(rerun, "flaky").tasks;
    expect(tasks.map((t: { state: string }) => t.state)).toEqual(["reused", "done", "reused"]);
    const [job] = result(rerun).jobs;
    expect(tasks[1].job).toBe(`${job}_0`);
  });

  it("SIGTERM cancels the jobs: the queue is empty within 10 s and the run says interrupted", async () => {
    const child = spawn(
      process.execPath,
      [NBLOOP, "run", "loops/slurm.yaml", "asleep", "--jobs", "2", "--workspace", ws.dir],
      { cwd: ws.dir, env: { ...process.env, ...env } },
    );
    const started = () => {
      const [bundle] = ws.bundles("reports/asleep");
      return (
        bundle !== undefined && [1, 2].some((k) => existsSync(join(bundle, `tasks/asleep/k-${k}/started`)))
      );
    };
    for (let i = 0; i < 300 && !started(); i++) await new Promise((done) => setTimeout(done, 100));
    expect(started()).toBe(true);
    const [bundle] = ws.bundles("reports/asleep");
    expect(result(bundle).status).toBe("running");
    const sent = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise((done) => child.on("exit", done));
    expect(code).toBe(143);
    const done = result(bundle);
    expect(done).toMatchObject({ status: "interrupted", complete: true });
    expect(done.jobs).toHaveLength(1);
    expect(squeue(done.jobs)).toBe("");
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(index(bundle, "asleep").tasks.map((t: { state: string }) => t.state)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
  });

  it("a task that ends without its status line is lost, and the phase says what Slurm knows", () => {
    const r = ws.nbloop(["run", "loops/slurm.yaml", "lost"], env);
    expect(r.code).toBe(3);
    const [bundle] = ws.bundles("reports/lost");
    const [job] = result(bundle).jobs;
    expect(r.stdout).toContain(`blocked — step lost job ${job} left the queue on `);
    expect(r.stdout).toContain("without writing its status into the bundle (Slurm says FAILED");
    expect(r.stdout).toContain(
      `the workspace must be on a filesystem the Slurm nodes share (see slurm/lost/slurm-${job}.out)`,
    );
  });

  it("a node that cannot see the bundle: the task is lost and the shared filesystem named", async () => {
    const child = spawn(
      process.execPath,
      [NBLOOP, "run", "loops/slurm.yaml", "unseen", "--workspace", ws.dir],
      {
        cwd: ws.dir,
        env: { ...process.env, ...env },
      },
    );
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    // the job waits 3 s to start; once Slurm holds it, its folder goes, as on a node that does
    // not mount it (removed before sbatch had read the script, it would be a refused submission)
    const queued = () =>
      execFileSync("squeue", ["--noheader", "--name=nbloop-unseen", "--format=%i"], {
        encoding: "utf8",
        env: { ...process.env, ...env },
      }).trim() !== "";
    for (let i = 0; i < 200 && !queued(); i++) await new Promise((done) => setTimeout(done, 50));
    expect(queued()).toBe(true);
    const [bundle] = ws.bundles("reports/unseen");
    rmSync(join(bundle, "slurm/unseen"), { recursive: true, force: true });
    const code = await new Promise((done) => child.on("exit", done));
    expect(code).toBe(3);
    expect(stdout).toContain("blocked — step unseen job ");
    expect(stdout).toContain("the workspace must be on a filesystem the Slurm nodes share");
  }, 60_000);
});
