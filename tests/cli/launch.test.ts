/**
 * The launcher runs the bundle from the code cache the build writes, and ignores a cache that is not
 * the bundle's (another build, or one missing): in every case the run prints and writes what the
 * bundle run directly does.
 */

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/paths.js";
import { scratchDir } from "../support/run.js";

const BUILT = join(REPO_ROOT, "dist/src/cli");
const ARGS = ["-cell", "100", "100", "100", "90", "90", "90", "-default_F", "100", "-N", "3"];
const RUN = [...ARGS, "-lambda", "6.2", "-distance", "100", "-detpixels", "24", "-seed", "5"];

/** A copy of the launcher and the bundle, so that caches can be written and spoiled without the build's. */
function copyOfBuild(): string {
  const dir = scratchDir("nb-launch-");
  for (const name of ["launch.cjs", "nanoBragg.cjs"]) copyFileSync(join(BUILT, name), join(dir, name));
  return dir;
}

function run(script: string, env: NodeJS.ProcessEnv = {}) {
  const cwd = scratchDir("nb-launch-run-");
  const r = spawnSync(process.execPath, [script, ...RUN], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    noise: readFileSync(join(cwd, "noiseimage.img")),
  };
}

describe("launcher and code cache", () => {
  it("the build wrote a cache for its bundle", () => {
    const cache = readFileSync(join(BUILT, "nanoBragg.cjs.codecache"));
    expect(cache.toString("latin1", 0, 14)).toBe("nanoBragg.cjs ");
    expect(cache.length).toBeGreaterThan(10_000);
  });

  it("runs as the bundle does with its own cache, a stale one and none", () => {
    const dir = copyOfBuild();
    const direct = run(join(dir, "nanoBragg.cjs"));
    expect(direct.code).toBe(0);
    const launcher = join(dir, "launch.cjs");
    const cache = join(dir, "nanoBragg.cjs.codecache");

    // no cache yet: compiled as usual; this run writes one
    const writing = run(launcher, { NANOBRAGG_WRITE_CODE_CACHE: "1" });
    expect(existsSync(cache)).toBe(true);
    const cached = run(launcher);
    // a cache of another build of the bundle (same file, another modification time) is not used
    utimesSync(join(dir, "nanoBragg.cjs"), new Date(2001, 0, 1), new Date(2001, 0, 1));
    const stale = run(launcher);
    // a cache with the bundle's stamp (size and modification time) but bytes V8 refuses
    const size = readFileSync(join(dir, "nanoBragg.cjs")).length;
    writeFileSync(cache, `nanoBragg.cjs ${size} ${new Date(2001, 0, 1).getTime()}\nnot a code cache`);
    const refused = run(launcher);
    rmSync(cache);
    const none = run(launcher);
    for (const r of [writing, cached, stale, refused, none]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(direct.stderr);
      expect(r.stdout).toBe(direct.stdout);
      expect(r.noise.equals(direct.noise)).toBe(true);
    }
  });
});
