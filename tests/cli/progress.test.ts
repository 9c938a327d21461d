/**
 * A long render says how long on a terminal: a line with the paths and the expected time, then the
 * share done and the time left, rewritten in place, and the total at the end; -noprogress keeps it
 * quiet, and so does a stderr that is not a terminal. The terminal is a pseudo-terminal from script(1).
 */

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI } from "../support/paths.js";
import { nanoBragg, scratchDir } from "../support/run.js";

// 1024 x 1024 pixels x 11^2 subpixels: 1.27e8 paths, expected to take about 4 s on 2 threads
const LONG =
  "-cell 100 100 100 90 90 90 -default_F 100 -N 5 -lambda 6.2 -mosflm -distance 100 -detpixels 1024 -oversample 11 -workers 2 -nonoise -nopgm -floatfile f.bin -intfile i.img";

/** stderr of a run whose stderr is a terminal (stdout goes nowhere). */
function onTerminal(args: string, cwd: string): string {
  const command = `${process.execPath} ${CLI} ${args} > /dev/null`;
  const r = spawnSync("script", ["-qfec", command, "/dev/null"], { cwd, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe("progress of a long render", () => {
  it("on a terminal: the expected time, the share done, the total", { timeout: 60_000 }, () => {
    const out = onTerminal(LONG, scratchDir("nb-progress-"));
    expect(out).toMatch(/^nanoBragg: 1\.27e\+8 paths on 2 threads, expected to take about \d+ s\r\n/);
    expect(out).toMatch(/\rnanoBragg: \d+% done, about \d+ s left {3}/);
    expect(out).toMatch(/\rnanoBragg: 100% done in \d+ s {6}\r\n$/);
  });

  it("quiet with -noprogress, and where stderr is not a terminal", { timeout: 60_000 }, () => {
    expect(onTerminal(`${LONG} -noprogress`, scratchDir("nb-progress-"))).toBe("");
    const piped = nanoBragg(LONG.split(" "), scratchDir("nb-progress-"));
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
  });
});
