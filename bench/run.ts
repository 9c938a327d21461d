/**
 * Whole-process timing of the TS engine against the C reference (NB_C_BIN, run with 2 OpenMP
 * threads), runs interleaved, median of BENCH_RUNS (default 5) each, with peak memory where GNU time
 * is available. Usage: npm run bench [-- config-name ...]
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BASE = ["-cell", "100", "100", "100", "90", "90", "90", "-default_F", "100", "-distance", "100"];

const CONFIGS: Record<string, string[]> = {
  "1024": [...BASE, "-lambda", "6.2", "-N", "5", "-mosflm", "-detpixels", "1024"],
  "2048": [...BASE, "-lambda", "6.2", "-N", "5", "-mosflm", "-detpixels", "2048"],
  "1024-N10": [...BASE, "-lambda", "1.0", "-N", "10", "-detpixels", "1024"],
  "512-os2-phi5-mos5": [
    ...BASE,
    ...["-lambda", "6.2", "-N", "5", "-mosflm", "-detpixels", "512", "-oversample", "2"],
    ...["-phisteps", "5", "-osc", "0.5", "-mosaic", "0.5", "-mosaic_dom", "5"],
  ],
};

const TS_CLI = fileURLToPath(new URL("../src/cli/nanoBragg.js", import.meta.url));
const GNU_TIME = "/usr/bin/time";

interface Sample {
  seconds: number;
  peakMiB: number | null;
}

function runOnce(command: string[], cwd: string, env: NodeJS.ProcessEnv): Sample {
  const timed = existsSync(GNU_TIME);
  const argv = timed ? [GNU_TIME, "-f", "BENCH %e %M", ...command] : command;
  const start = performance.now();
  const result = spawnSync(argv[0], argv.slice(1), { cwd, env, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed:\n${result.stderr}`);
  const line = /BENCH ([\d.]+) (\d+)/.exec(result.stderr);
  return { seconds, peakMiB: line ? Number(line[2]) / 1024 : null };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(x: number | null, digits = 3): string {
  return x === null || Number.isNaN(x) ? "-" : x.toFixed(digits);
}

function main(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const cBin = process.env.NB_C_BIN;
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(CONFIGS);
  const work = mkdtempSync(join(tmpdir(), "nb-bench-"));
  const rows: string[] = [];
  try {
    for (const name of names) {
      const args = CONFIGS[name];
      if (!args) throw new Error(`unknown configuration ${name}; known: ${Object.keys(CONFIGS).join(", ")}`);
      const ts: Sample[] = [];
      const c: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        ts.push(runOnce([process.execPath, TS_CLI, ...args, "-floatfile", "ts.bin"], work, process.env));
        if (cBin) {
          const env = { ...process.env, OMP_NUM_THREADS: "2" };
          c.push(runOnce([cBin, ...args, "-floatfile", "c.bin"], work, env));
        }
      }
      const tsTime = median(ts.map((s) => s.seconds));
      const cTime = c.length ? median(c.map((s) => s.seconds)) : Number.NaN;
      const peak = (samples: Sample[]) =>
        samples[0]?.peakMiB == null ? null : Math.max(...samples.map((s) => s.peakMiB ?? 0));
      rows.push(
        [name, fmt(tsTime), fmt(cTime), fmt(tsTime / cTime, 2), fmt(peak(ts), 1), fmt(peak(c), 1)].join(
          " | ",
        ),
      );
      process.stderr.write(`${name}: done\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    `median of ${runs} runs, whole process${cBin ? "; C with OMP_NUM_THREADS=2" : "; set NB_C_BIN to compare with the C"}`,
  );
  console.log("config | TS s | C s | TS/C | TS peak MiB | C peak MiB");
  console.log("---|---|---|---|---|---");
  for (const row of rows) console.log(row);
}

main();
