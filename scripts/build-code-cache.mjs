/**
 * V8's code cache for the simulator's bundle (see src/cli/launch.ts): one typical run, small and with
 * every output (float, SMV, PGM and noise images, the console report), in a scratch folder, writes it
 * as it exits.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const launcher = resolve("dist/src/cli/launch.cjs");
const scratch = mkdtempSync(join(tmpdir(), "nb-code-cache-"));
try {
  execFileSync(
    process.execPath,
    [
      launcher,
      ...["-cell", "100", "100", "100", "90", "90", "90", "-default_F", "100", "-N", "5"],
      ...["-lambda", "6.2", "-distance", "100", "-detpixels", "64", "-mosflm", "-seed", "1"],
    ],
    {
      cwd: scratch,
      env: { ...process.env, NANOBRAGG_WRITE_CODE_CACHE: "1" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
