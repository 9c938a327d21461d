/** Background file writes: chunks land in order, one path keeps the last write, errors name the option. */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BackgroundWrites } from "../../src/io/background-writes.js";
import { REPO_ROOT } from "../support/paths.js";
import { scratchDir } from "../support/run.js";

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("background writes", () => {
  it("writes each file's chunks one after the other", async () => {
    const dir = scratchDir("nb-writes-");
    const files = new BackgroundWrites();
    files.write(join(dir, "a.bin"), "-floatfile", [bytes(1, 2), bytes(3), bytes(4, 5, 6)]);
    files.write(join(dir, "b.bin"), "-intfile", [bytes(9)]);
    await files.finish();
    expect([...readFileSync(join(dir, "a.bin"))]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...readFileSync(join(dir, "b.bin"))]).toEqual([9]);
  });

  it("keeps the last of several writes to one path, as the C's sequential writes do", async () => {
    const dir = scratchDir("nb-writes-");
    const files = new BackgroundWrites();
    const big = new Uint8Array(8 << 20).fill(1);
    files.write(join(dir, "same.img"), "-intfile", [big]);
    files.write(join(dir, "same.img"), "-noisefile", [bytes(7, 7)]);
    await files.finish();
    expect([...readFileSync(join(dir, "same.img"))]).toEqual([7, 7]);
  });

  it("reports the first failure in the order the writes were started", async () => {
    const dir = scratchDir("nb-writes-");
    mkdirSync(join(dir, "folder"));
    const files = new BackgroundWrites();
    files.write(join(dir, "fine.bin"), "-floatfile", [bytes(1)]);
    files.write(join(dir, "missing", "x.img"), "-intfile", [bytes(2)]);
    files.write(join(dir, "folder"), "-noisefile", [bytes(3)]);
    await expect(files.finish()).rejects.toThrow(`-intfile ${join(dir, "missing", "x.img")}: no such file`);
    expect([...readFileSync(join(dir, "fine.bin"))]).toEqual([1]);
  });
});

describe("background writes on a writer thread", () => {
  const writerScript = join(REPO_ROOT, "dist/src/backends/cpu-worker.cjs");

  it("writes each file's chunks, moves memory that is the file's alone, and the thread stops after", async () => {
    const dir = scratchDir("nb-writes-");
    const thread = new Worker(writerScript);
    const stopped = new Promise<number>((resolve) => thread.once("exit", resolve));
    const files = new BackgroundWrites(thread);
    const owned = Uint8Array.of(4, 5, 6);
    const shared = new Uint8Array(new SharedArrayBuffer(2)).fill(8);
    const part = Buffer.from("xyz", "latin1");
    files.write(join(dir, "a.bin"), "-floatfile", [bytes(1, 2), owned, shared, part]);
    files.write(join(dir, "same.img"), "-intfile", [new Uint8Array(8 << 20).fill(1)]);
    files.write(join(dir, "same.img"), "-noisefile", [bytes(7, 7)]);
    await files.finish();
    expect([...readFileSync(join(dir, "a.bin"))]).toEqual([1, 2, 4, 5, 6, 8, 8, 120, 121, 122]);
    expect([...readFileSync(join(dir, "same.img"))]).toEqual([7, 7]);
    expect(owned.byteLength).toBe(0);
    expect([...shared]).toEqual([8, 8]);
    expect(part.toString("latin1")).toBe("xyz");
    expect(await stopped).toBe(0);
  });

  it("reports the first failure in the order the writes were started", async () => {
    const dir = scratchDir("nb-writes-");
    mkdirSync(join(dir, "folder"));
    const files = new BackgroundWrites(new Worker(writerScript));
    files.write(join(dir, "fine.bin"), "-floatfile", [bytes(1)]);
    files.write(join(dir, "missing", "x.img"), "-intfile", [bytes(2)]);
    files.write(join(dir, "folder"), "-noisefile", [bytes(3)]);
    await expect(files.finish()).rejects.toThrow(`-intfile ${join(dir, "missing", "x.img")}: no such file`);
    expect([...readFileSync(join(dir, "fine.bin"))]).toEqual([1]);
  });

  it("a thread seen to stop before its status cells are read has still written what they say", async () => {
    const quick = new Worker(
      `const { parentPort } = require("node:worker_threads");
      parentPort.on("message", (m) => {
        require("node:fs").writeFileSync(m.path, Buffer.concat(m.chunks.map((c) => Buffer.from(c))));
        Atomics.store(m.status, 0, 1);
        process.exit(0);
      });`,
      { eval: true },
    );
    const path = join(scratchDir("nb-writes-"), "written.img");
    const files = new BackgroundWrites(quick);
    files.write(path, "-intfile", [bytes(1, 2)]);
    await new Promise((resolve) => quick.once("exit", resolve));
    await files.finish();
    expect([...readFileSync(path)]).toEqual([1, 2]);
  });

  it("fails the writes a thread that stops leaves unanswered", async () => {
    const silent = new Worker("require('node:worker_threads').parentPort.on('message', () => {})", {
      eval: true,
    });
    const files = new BackgroundWrites(silent);
    files.write(join(scratchDir("nb-writes-"), "never.img"), "-intfile", [bytes(1)]);
    await silent.terminate();
    await expect(files.finish()).rejects.toThrow(/^-intfile .*never\.img: the writer thread stopped$/);
  });
});

describe("writes over an existing file", () => {
  const writerScript = join(REPO_ROOT, "dist/src/backends/cpu-worker.cjs");

  it.each([
    ["on the thread pool", () => null],
    ["on a writer thread", () => new Worker(writerScript)],
  ])(
    "%s: a longer old file is cut to the new length, a device is written without cutting",
    async (_, thread) => {
      const dir = scratchDir("nb-writes-");
      const path = join(dir, "old.bin");
      writeFileSync(path, new Uint8Array(1000).fill(9));
      const files = new BackgroundWrites(thread());
      files.write(path, "-floatfile", [bytes(1, 2), bytes(3)]);
      files.write("/dev/null", "-intfile", [bytes(4)]);
      await files.finish();
      expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    },
  );
});
