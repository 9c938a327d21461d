/**
 * A run stopped by SIGTERM in the middle of writing a 4096x4096 image leaves each output file old or
 * new, never new bytes followed by old ones, and no temporary file behind; a file replaced whole keeps
 * its name while written (a reader of the old one is not disturbed).
 */

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../support/paths.js";
import { nanoBragg, scratchDir } from "../support/run.js";

const BASE =
  "-cell 100 100 100 90 90 90 -default_F 100 -lambda 1 -distance 100 -detpixels 4096 -nonoise -nopgm".split(
    " ",
  );
const OUT = ["-floatfile", "float.bin", "-intfile", "int.img"];
const digest = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("a run stopped while it writes", () => {
  it("leaves the old file or the new one, and no temporary file", { timeout: 120_000 }, async () => {
    const dir = scratchDir("nb-sigterm-");
    const fresh = scratchDir("nb-sigterm-new-");
    expect(nanoBragg([...BASE, "-N", "5", ...OUT], dir).code).toBe(0);
    expect(nanoBragg([...BASE, "-N", "7", ...OUT], fresh).code).toBe(0);
    const old = { float: digest(join(dir, "float.bin")), int: digest(join(dir, "int.img")) };
    const made = { float: digest(join(fresh, "float.bin")), int: digest(join(fresh, "int.img")) };

    const child = spawn(process.execPath, [CLI, ...BASE, "-N", "7", ...OUT], { cwd: dir, stdio: "ignore" });
    const temporary = join(dir, `.float.bin.${child.pid}.tmp`);
    const start = Date.now();
    while (!existsSync(temporary) && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 1));
    expect(existsSync(temporary), "the float image is being written under its temporary name").toBe(true);
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));

    expect(code).toBe(143);
    expect(readdirSync(dir).sort()).toEqual(["float.bin", "int.img"]);
    expect([old.float, made.float]).toContain(digest(join(dir, "float.bin")));
    expect([old.int, made.int]).toContain(digest(join(dir, "int.img")));
  });
});
