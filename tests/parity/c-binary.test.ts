/**
 * More parity cases than the corpus holds, against a build of the C program named by NB_C_BIN
 * (skipped without it): features the corpus does not cover, each run by both engines in the same
 * folder with the same argv; images compared as for the corpus and, when the C build can trace
 * (the instrumented hoidn copy), the traced pixel too.
 */

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareImages } from "../../src/audit/image-compare.js";
import { parseTrace } from "../../src/audit/trace-lines.js";
import { nanoBragg, readFloat, scratchDir } from "../support/run.js";

const C_BIN = process.env.NB_C_BIN;
const HAVE_C = C_BIN !== undefined && existsSync(C_BIN);
const CUBE = ["-cell", "100", "100", "100", "90", "90", "90", "-default_F", "100", "-distance", "100"];

const CASES: Record<string, string[]> = {
  curved_detector: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "96", "-curved_det", "-nonoise"],
  point_pixel: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "96", "-point_pixel"],
  gauss_shape: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "96", "-gauss_xtal", "-fudge", "1.3"],
  tophat_shape: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "96", "-tophat_spots"],
  kahn_polarization: [
    ...CUBE,
    "-lambda",
    "1",
    "-N",
    "5",
    "-detpixels",
    "96",
    "-polar",
    "0.95",
    "-distance",
    "40",
  ],
  polar_vector: [
    ...CUBE,
    "-lambda",
    "1",
    "-N",
    "5",
    "-detpixels",
    "64",
    "-polar",
    "0.9",
    "-polar_vector",
    "0",
    "1",
    "0",
  ],
  oversample_flags: [
    ...CUBE,
    ...["-lambda", "1", "-N", "5", "-detpixels", "64", "-oversample", "2", "-polar", "0.5"],
    ...[
      "-oversample_polar",
      "-oversample_omega",
      "-detector_thick",
      "50",
      "-detector_abs",
      "200",
      "-oversample_thick",
    ],
  ],
  thickness_auto_layers: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "64", "-detector_thick", "80"],
  source_file: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "64", "-sourcefile", "sources.txt"],
  square_divergence: [
    ...CUBE,
    "-lambda",
    "1",
    "-N",
    "5",
    "-detpixels",
    "64",
    "-divergence",
    "1",
    "-divsteps",
    "2",
    "-square_div",
  ],
  xds_twotheta: [
    ...CUBE,
    "-lambda",
    "1",
    "-N",
    "5",
    "-detpixels",
    "96",
    "-xds",
    "-twotheta",
    "20",
    "-close_distance",
    "80",
  ],
  dials_rotations: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "96", "-dials", "-detector_rotz", "7"],
  denzo: [...CUBE, "-lambda", "1", "-N", "5", "-detpixels", "96", "-denzo", "-Xbeam", "5", "-Ybeam", "4"],
  sample_size: [
    "-cell",
    "79",
    "79",
    "38",
    "90",
    "90",
    "90",
    "-default_F",
    "50",
    "-lambda",
    "1.5",
    "-xtalsize",
    "0.0004",
    "-detpixels",
    "80",
  ],
  flux_beamsize: [
    ...CUBE,
    "-lambda",
    "1",
    "-N",
    "5",
    "-detpixels",
    "64",
    "-flux",
    "1e12",
    "-exposure",
    "0.1",
    "-beamsize",
    "0.05",
  ],
  interpolate_auto: [
    "-cell",
    "100",
    "100",
    "100",
    "90",
    "90",
    "90",
    "-hkl",
    "grid.hkl",
    "-lambda",
    "1",
    "-N",
    "2",
    "-detpixels",
    "64",
  ],
  phi_negative_start: [
    ...CUBE,
    "-lambda",
    "1",
    "-N",
    "5",
    "-detpixels",
    "64",
    "-phi",
    "-1",
    "-osc",
    "2",
    "-phistep",
    "1",
  ],
  mosaic_phi_dmin: [
    ...CUBE,
    ...["-lambda", "1", "-N", "5", "-detpixels", "64", "-mosaic", "0.3", "-mosaic_dom", "3", "-phi", "0"],
    ...["-osc", "1", "-phisteps", "3", "-dmin", "12"],
  ],
  energy_dispersion: [
    ...CUBE,
    "-energy",
    "12398.42",
    "-N",
    "5",
    "-detpixels",
    "64",
    "-dispersion",
    "1",
    "-dispsteps",
    "3",
  ],
  water_only: [
    "-cell",
    "100",
    "100",
    "100",
    "90",
    "90",
    "90",
    "-default_F",
    "0.001",
    "-N",
    "1",
    "-water",
    "100",
    "-detpixels",
    "32",
  ],
};

let dir: string;
const results: string[] = [];

function runC(args: string[]): { code: number; stdout: string } {
  const r = spawnSync(C_BIN as string, args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: "1" },
    maxBuffer: 1 << 28,
  });
  return { code: r.status ?? -1, stdout: r.stdout };
}

describe.skipIf(!HAVE_C)(
  `more cases against NB_C_BIN${HAVE_C ? "" : " (skipped: NB_C_BIN is not set)"}`,
  () => {
    beforeAll(() => {
      dir = scratchDir("nb-cbin-");
      writeFileSync(join(dir, "sources.txt"), "-10 0 0 1 1e-10\n-10 0.05 0 2 1.1e-10\n-10 0 0.05\n");
      const lines: string[] = [];
      for (let h = -6; h <= 6; h++)
        for (let k = -6; k <= 6; k++)
          for (let l = -6; l <= 6; l++) lines.push(`${h} ${k} ${l} ${10 + ((h * 7 + k * 3 + l) & 15)}`);
      writeFileSync(join(dir, "grid.hkl"), `${lines.join("\n")}\n`);
    });

    afterAll(() => {
      console.log(
        ["| case | max rel. error | sum ratio | bitwise identical |", "|---|---|---|---|", ...results].join(
          "\n",
        ),
      );
    });

    for (const [name, args] of Object.entries(CASES)) {
      it(name, () => {
        const trace = ["-trace_pixel", "20", "21"];
        const c = runC([
          ...args,
          ...trace,
          "-floatfile",
          `${name}.c.bin`,
          "-nonoise",
          "-nopgm",
          "-intfile",
          `${name}.c.img`,
        ]);
        expect(c.code).toBe(0);
        const ts = nanoBragg([...args, ...trace, "-floatfile", `${name}.ts.bin`, "-nonoise"], dir);
        expect(ts.code, ts.stderr).toBe(0);
        const parity = compareImages(
          readFloat(join(dir, `${name}.ts.bin`)),
          readFloat(join(dir, `${name}.c.bin`)),
        );
        results.push(
          `| ${name} | ${parity.relativeError.toExponential(2)} | ${parity.sumRatio.toFixed(12)} | ${parity.bitwiseFraction.toFixed(6)} |`,
        );
        expect(parity.relativeError).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(parity.sumRatio - 1)).toBeLessThanOrEqual(1e-6);
        const cTrace = parseTrace(c.stdout);
        if (cTrace.length > 0) {
          const tsTrace = parseTrace(ts.stdout);
          expect(tsTrace.map((e) => e.key)).toEqual(cTrace.map((e) => e.key));
          cTrace.forEach((e, i) =>
            e.values.forEach((v, j) => {
              const d = Math.abs(tsTrace[i].values[j] - v);
              expect(
                Math.abs(v) <= 1e-12 ? d <= 1e-12 : d / Math.abs(v) <= 1e-9,
                `${e.key}[${j}]: ${tsTrace[i].values[j]} vs ${v}`,
              ).toBe(true);
            }),
          );
        }
      });
    }
  },
);
