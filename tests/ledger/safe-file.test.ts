/**
 * Locking and atomic writes, with real processes: four writers at once on a copy of the real ledger,
 * stale locks of dead or old owners, and writers killed with SIGKILL while they hold the lock.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { appendAttempt, parseLedger } from "../../src/ledger/fix-plan.js";
import { updateFile, withFileLock, writeFileAtomic } from "../../src/ledger/safe-file.js";
import { insertedRuns } from "./line-diff.js";
import { fixtureText, scratchCopy, scratchDir } from "./realworld.js";

const ITEM = "CLI-FLAGS-003";
/** The largest attempt number of CLI-FLAGS-003 in fix_plan.md (read off the file). */
const LAST_NUMBER = 36;

let childScript = "";

beforeAll(async () => {
  childScript = join(scratchDir(), "ledger-child.mjs");
  await build({
    entryPoints: [join(import.meta.dirname, "ledger-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: childScript,
    logLevel: "warning",
  });
});

function startChild(...args: string[]): ChildProcess & { lines: string[] } {
  const child = Object.assign(
    spawn(process.execPath, [childScript, ...args], { stdio: ["ignore", "pipe", "pipe"] }),
    {
      lines: [] as string[],
    },
  );
  child.stdout?.on("data", (chunk: Buffer) =>
    child.lines.push(...chunk.toString().split("\n").filter(Boolean)),
  );
  return child;
}

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done) => child.on("close", (code, signal) => done({ code, signal, stderr })));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid as number;
}

/** What the ledger holds after `steps` appends by the child `pid` (the child's own entries). */
function afterChildSteps(original: string, pid: number, steps: number): string {
  let text = original;
  for (let n = 0; n < steps; n++) {
    const summary = `child ${pid} step ${n}`;
    text = appendAttempt(text, ITEM, "Child item", { date: "2026-11-28", result: "partial", summary }).text;
  }
  return text;
}

describe("writeFileAtomic and withFileLock", () => {
  it("replaces a file whole, keeps its mode and leaves no temporary file", () => {
    const dir = scratchDir();
    const path = join(dir, "notes.md");
    writeFileSync(path, "old\n", { mode: 0o640 });
    writeFileAtomic(path, "new\n");
    expect(readFileSync(path, "utf8")).toBe("new\n");
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["notes.md"]);
  });

  it("removes the lock after the action, also when the action throws", async () => {
    const path = join(scratchDir(), "ledger.md");
    expect(await withFileLock(path, () => (existsSync(`${path}.lock`) ? "held" : "not held"))).toBe("held");
    expect(existsSync(`${path}.lock`)).toBe(false);
    await expect(withFileLock(path, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("takes over a lock whose process is dead", async () => {
    const path = join(scratchDir(), "ledger.md");
    writeFileSync(`${path}.lock`, `${deadPid()}\n`);
    await updateFile(path, (old) => `${old ?? "created"}\n`);
    expect(readFileSync(path, "utf8")).toBe("created\n");
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("takes over an empty lock left by a writer killed between creating and filling it", async () => {
    const path = join(scratchDir(), "ledger.md");
    writeFileSync(`${path}.lock`, "");
    await expect(withFileLock(path, () => "ran", 200)).rejects.toThrow(/timed out/);
    const tenSecondsAgo = new Date(Date.now() - 10_000);
    utimesSync(`${path}.lock`, tenSecondsAgo, tenSecondsAgo);
    expect(await withFileLock(path, () => "ran", 2000)).toBe("ran");
  });

  it("takes over a lock older than ten minutes even when its process lives", async () => {
    const path = join(scratchDir(), "ledger.md");
    const time = new Date(Date.now() - 11 * 60 * 1000).toISOString();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, time }));
    expect(await withFileLock(path, () => "ran", 2000)).toBe("ran");
  });

  it("waits for a live lock and gives up naming the lock file", async () => {
    const path = join(scratchDir(), "ledger.md");
    const held = JSON.stringify({ pid: process.pid, time: new Date().toISOString() });
    writeFileSync(`${path}.lock`, held);
    let ran = false;
    await expect(
      withFileLock(
        path,
        () => {
          ran = true;
        },
        300,
      ),
    ).rejects.toThrow(`${path}.lock`);
    expect(ran).toBe(false);
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(held);
  });
});

describe(`processes writing a copy of the real ledger`, () => {
  it.each([
    ["", false],
    [", starting from a dead writer's lock,", true],
  ])("four processes appending five attempts each%s leave twenty consecutive attempts", async (_, stale) => {
    const original = fixtureText("fix_plan.md");
    const ledger = scratchCopy("fix_plan.md");
    if (stale)
      writeFileSync(`${ledger}.lock`, JSON.stringify({ pid: deadPid(), time: new Date().toISOString() }));
    const children = Array.from({ length: 4 }, () => startChild("append", ledger, ITEM, "5"));
    const results = await Promise.all(children.map(exited));
    expect(results.map((r) => [r.code, r.stderr])).toEqual(Array(4).fill([0, ""]));

    const text = readFileSync(ledger, "utf8");
    const item = parseLedger(text).items.find((i) => i.id === ITEM)!;
    const added = item.attempts.filter((a) => a.number > LAST_NUMBER);
    expect(added.map((a) => a.number)).toEqual(Array.from({ length: 20 }, (_, k) => LAST_NUMBER + 1 + k));
    // Each child's five steps are all there, in its own order.
    for (const child of children) {
      const steps = [...text.matchAll(new RegExp(`child ${child.pid} step (\\d)`, "g"))].map((m) => m[1]);
      expect(steps).toEqual(["0", "1", "2", "3", "4"]);
    }
    const runs = insertedRuns(original, text);
    expect(runs).toHaveLength(1);
    expect(runs?.[0].at).toBe(537);
    expect(existsSync(`${ledger}.lock`)).toBe(false);
  });

  it("a writer killed while it holds the lock leaves the ledger whole and its lock taken over", async () => {
    const original = fixtureText("fix_plan.md");
    const ledger = scratchCopy("fix_plan.md");
    const child = startChild("hold", ledger);
    const done = exited(child);
    await until(() => child.lines.includes("locked"), "the child to take the lock");
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    expect(JSON.parse(readFileSync(`${ledger}.lock`, "utf8")).pid).toBe(child.pid);
    expect(readFileSync(ledger, "utf8")).toBe(original);

    await updateFile(ledger, (old) => afterChildSteps(old!, 0, 1));
    expect(readFileSync(ledger, "utf8")).toBe(afterChildSteps(original, 0, 1));
    expect(existsSync(`${ledger}.lock`)).toBe(false);
  });

  it("a writer killed at any moment leaves the original or a whole update, never part of one", async () => {
    const original = fixtureText("fix_plan.md");
    for (const extraMs of [0, 7, 23]) {
      const ledger = scratchCopy("fix_plan.md");
      const child = startChild("churn", ledger, ITEM);
      const done = exited(child);
      await until(() => child.lines.length >= 3, "three appends");
      await new Promise((wake) => setTimeout(wake, extraMs));
      child.kill("SIGKILL");
      await done;

      const text = readFileSync(ledger, "utf8");
      const steps = parseLedger(text)
        .items.find((i) => i.id === ITEM)!
        .attempts.filter((a) => a.number > LAST_NUMBER).length;
      expect(steps).toBeGreaterThanOrEqual(3);
      expect(text).toBe(afterChildSteps(original, child.pid!, steps));

      await updateFile(ledger, (old) => afterChildSteps(old!, 0, 1));
      const next = parseLedger(readFileSync(ledger, "utf8")).items.find((i) => i.id === ITEM)!;
      expect(next.attempts.at(-1)?.number).toBe(LAST_NUMBER + steps + 1);
      expect(existsSync(`${ledger}.lock`)).toBe(false);
    }
  });
});
