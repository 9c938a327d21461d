/**
 * Whole-process timing of the TS engine against the C reference (NB_C_BIN, run with 2 OpenMP
 * threads), runs interleaved, median of BENCH_RUNS (default 5) each, with peak memory where GNU time
 * is available.
 *
 *   npm run bench [-- config-name ...]     the configurations below, TS/C per configuration
 *   npm run bench -- --scaling [sizes]     detectors 256..4096: pixel-steps per second and peak memory,
 *                                          against the bound 2.5 x the float64 image + 100 MiB
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BASE = ["-cell", "100", "100", "100", "90", "90", "90", "-default_F", "100", "-distance", "100"];
const SMALL_CELL = [...BASE, "-lambda", "6.2", "-N", "5", "-mosflm"];

/** The supervisor command of the public parity project, full frame (inputs from the reference corpus). */
function supervisor(): string[] {
  const data = resolve(
    process.env.NB_REFERENCE_DIR ?? fileURLToPath(new URL("../../reference", import.meta.url)),
    "data",
  );
  return [
    ...["-mat", join(data, "A.mat"), "-hkl", join(data, "scaled.hkl"), "-nonoise", "-nointerpolate"],
    ...[
      "-oversample",
      "1",
      "-exposure",
      "1",
      "-flux",
      "1e18",
      "-beamsize",
      "1.0",
      "-spindle_axis",
      "-1",
      "0",
      "0",
    ],
    ...["-Xbeam", "217.742295", "-Ybeam", "213.907080", "-distance", "231.274660", "-lambda", "0.976800"],
    ...["-pixel", "0.172", "-detpixels_x", "2463", "-detpixels_y", "2527"],
    ...[
      "-odet_vector",
      "-0.000088",
      "0.004914",
      "-0.999988",
      "-sdet_vector",
      "-0.005998",
      "-0.999970",
      "-0.004913",
    ],
    ...["-fdet_vector", "0.999982", "-0.005998", "-0.000118", "-pix0_vector_mm", "-216.336293", "215.205512"],
    ...[
      "-230.200866",
      "-beam_vector",
      "0.00051387949",
      "0.0",
      "-0.99999986",
      "-Na",
      "36",
      "-Nb",
      "47",
      "-Nc",
      "29",
    ],
    ...["-osc", "0.1", "-phi", "0", "-phisteps", "10", "-detector_rotx", "0", "-detector_roty", "0"],
    ...["-detector_rotz", "0", "-twotheta", "0"],
  ];
}

const CONFIGS: Record<string, () => string[]> = {
  "1024": () => [...SMALL_CELL, "-detpixels", "1024"],
  "2048": () => [...SMALL_CELL, "-detpixels", "2048"],
  "1024-N10": () => [...BASE, "-lambda", "1.0", "-N", "10", "-detpixels", "1024"],
  "512-os2-phi5-mos5": () => [
    ...SMALL_CELL,
    ...[
      "-detpixels",
      "512",
      "-oversample",
      "2",
      "-phisteps",
      "5",
      "-osc",
      "0.5",
      "-mosaic",
      "0.5",
      "-mosaic_dom",
      "5",
    ],
  ],
  supervisor,
};

const SCALING_SIZES = [256, 512, 1024, 2048, 4096];
const MIB = 1024 * 1024;

/** The installed command (bin/nanoBragg), as a user runs it. */
const TS_CLI = fileURLToPath(new URL("../../bin/nanoBragg", import.meta.url));
const GNU_TIME = "/usr/bin/time";

interface Sample {
  seconds: number;
  peakMiB: number | null;
  stdout: string;
}

function runOnce(command: string[], cwd: string, env: NodeJS.ProcessEnv): Sample {
  const timed = existsSync(GNU_TIME);
  const argv = timed ? [GNU_TIME, "-f", "BENCH %e %M", ...command] : command;
  const start = performance.now();
  const result = spawnSync(argv[0], argv.slice(1), { cwd, env, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed:\n${result.stderr}`);
  const line = /BENCH ([\d.]+) (\d+)/.exec(result.stderr);
  return { seconds, peakMiB: line ? Number(line[2]) / 1024 : null, stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(x: number | null, digits = 3): string {
  return x === null || Number.isNaN(x) ? "-" : x.toFixed(digits);
}

function peak(samples: Sample[]): number | null {
  return samples[0]?.peakMiB == null ? null : Math.max(...samples.map((s) => s.peakMiB ?? 0));
}

/** Pixel-steps of a run, from its summary: pixels x sources x mosaic domains x phi steps x subpixels x layers. */
function pixelSteps(stdout: string): number {
  const count = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
  const pixels = /\((\d+)x(\d+) pixels\)/.exec(stdout);
  if (!pixels) return Number.NaN;
  return (
    Number(pixels[1]) *
    Number(pixels[2]) *
    count(/^\s*(\d+) sources$/m) *
    count(/^\s*(\d+) mosaic domains over/m) *
    count(/^\s*(\d+) phi steps from/m) *
    count(/^\s*(\d+)x\d+ pixel oversample steps/m) ** 2 *
    count(/in (\d+) layers with/m)
  );
}

interface Timing {
  ts: Sample[];
  c: Sample[];
}

/** TS and C runs interleaved, so that both see the same machine load. */
function timeBoth(args: string[], runs: number, work: string, cBin: string | undefined): Timing {
  const ts: Sample[] = [];
  const c: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    ts.push(runOnce([TS_CLI, ...args, "-floatfile", "ts.bin"], work, process.env));
    if (cBin)
      c.push(runOnce([cBin, ...args, "-floatfile", "c.bin"], work, { ...process.env, OMP_NUM_THREADS: "2" }));
  }
  return { ts, c };
}

function configTable(names: string[], runs: number, work: string, cBin: string | undefined): string[] {
  const rows = ["config | TS s | C s | TS/C | TS peak MiB | C peak MiB", "---|---|---|---|---|---"];
  for (const name of names) {
    const make = CONFIGS[name];
    if (!make) throw new Error(`unknown configuration ${name}; known: ${Object.keys(CONFIGS).join(", ")}`);
    const { ts, c } = timeBoth(make(), runs, work, cBin);
    const tsTime = median(ts.map((s) => s.seconds));
    const cTime = c.length ? median(c.map((s) => s.seconds)) : Number.NaN;
    rows.push(
      [name, fmt(tsTime), fmt(cTime), fmt(tsTime / cTime, 2), fmt(peak(ts), 1), fmt(peak(c), 1)].join(" | "),
    );
    process.stderr.write(`${name}: done\n`);
  }
  return rows;
}

function scalingTable(sizes: number[], runs: number, work: string, cBin: string | undefined): string[] {
  const rows = [
    "detector | pixel-steps | TS s | C s | TS/C | TS Mpix-steps/s | C Mpix-steps/s | TS peak MiB | C peak MiB | bound MiB",
    "---|---|---|---|---|---|---|---|---|---",
  ];
  for (const size of sizes) {
    const { ts, c } = timeBoth([...SMALL_CELL, "-detpixels", String(size)], runs, work, cBin);
    const steps = pixelSteps(ts[0].stdout);
    const tsTime = median(ts.map((s) => s.seconds));
    const cTime = c.length ? median(c.map((s) => s.seconds)) : Number.NaN;
    const bound = (2.5 * 8 * size * size) / MIB + 100;
    rows.push(
      [
        `${size}x${size}`,
        String(steps),
        fmt(tsTime),
        fmt(cTime),
        fmt(tsTime / cTime, 2),
        fmt(steps / tsTime / 1e6, 2),
        fmt(steps / cTime / 1e6, 2),
        fmt(peak(ts), 1),
        fmt(peak(c), 1),
        fmt(bound, 0),
      ].join(" | "),
    );
    process.stderr.write(`${size}: done\n`);
  }
  return rows;
}

function main(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const cBin = process.env.NB_C_BIN;
  const args = process.argv.slice(2);
  const scaling = args[0] === "--scaling";
  const work = mkdtempSync(join(tmpdir(), "nb-bench-"));
  try {
    const rows = scaling
      ? scalingTable(args.length > 1 ? args.slice(1).map(Number) : SCALING_SIZES, runs, work, cBin)
      : configTable(args.length > 0 ? args : Object.keys(CONFIGS), runs, work, cBin);
    console.log(
      `median of ${runs} runs, whole process${cBin ? "; C with OMP_NUM_THREADS=2" : "; set NB_C_BIN to compare with the C"}`,
    );
    for (const row of rows) console.log(row);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
