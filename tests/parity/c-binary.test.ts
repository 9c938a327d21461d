/**
 * More parity cases than the corpus holds, against a build of the C program named by NB_C_BIN
 * (skipped without it): features the corpus does not cover, each run by both engines in the same
 * folder with the same argv; float images compared as for the corpus, SMV, PGM and noise images byte
 * for byte and, when the C build can trace (the instrumented hoidn copy), the traced pixel too (its
 * detector set-up lines character for character).
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareImages } from "../../src/audit/image-compare.js";
import { parseTrace } from "../../src/audit/trace-lines.js";
import { nanoBragg, readFloat, scratchDir } from "../support/run.js";
import { setupLines } from "../support/setup-lines.js";
import { writeTestSmv } from "../support/smv-files.js";

const C_BIN = process.env.NB_C_BIN;
const HAVE_C = C_BIN !== undefined && existsSync(C_BIN);
const CUBE = "-cell 100 100 100 90 90 90 -default_F 100 -distance 100 -lambda 1 -N 5";

const CASES: Record<string, string> = {
  curved_detector: `${CUBE} -detpixels 96 -curved_det -nonoise`,
  point_pixel: `${CUBE} -detpixels 96 -point_pixel`,
  gauss_shape: `${CUBE} -detpixels 96 -gauss_xtal -fudge 1.3`,
  tophat_shape: `${CUBE} -detpixels 96 -tophat_spots`,
  kahn_polarization: `${CUBE} -detpixels 96 -polar 0.95 -distance 40`,
  polar_vector: `${CUBE} -detpixels 64 -polar 0.9 -polar_vector 0 1 0`,
  oversample_flags: `${CUBE} -detpixels 64 -oversample 2 -polar 0.5 -oversample_polar -oversample_omega -detector_thick 50 -detector_abs 200 -oversample_thick`,
  thickness_auto_layers: `${CUBE} -detpixels 64 -detector_thick 80`,
  source_file: `${CUBE} -detpixels 64 -sourcefile sources.txt`,
  square_divergence: `${CUBE} -detpixels 64 -divergence 1 -divsteps 2 -square_div`,
  xds_twotheta: `${CUBE} -detpixels 96 -xds -twotheta 20 -close_distance 80`,
  dials_rotations: `${CUBE} -detpixels 96 -dials -detector_rotz 7`,
  denzo: `${CUBE} -detpixels 96 -denzo -Xbeam 5 -Ybeam 4`,
  sample_size: "-cell 79 79 38 90 90 90 -default_F 50 -lambda 1.5 -xtalsize 0.0004 -detpixels 80",
  flux_beamsize: `${CUBE} -detpixels 64 -flux 1e12 -exposure 0.1 -beamsize 0.05`,
  interpolate_auto: "-cell 100 100 100 90 90 90 -hkl grid.hkl -lambda 1 -N 2 -detpixels 64",
  phi_negative_start: `${CUBE} -detpixels 64 -phi -1 -osc 2 -phistep 1`,
  mosaic_phi_dmin: `${CUBE} -detpixels 64 -mosaic 0.3 -mosaic_dom 3 -phi 0 -osc 1 -phisteps 3 -dmin 12`,
  energy_dispersion: `${CUBE} -energy 12398.42 -detpixels 64 -dispersion 1 -dispsteps 3`,
  water_only: "-cell 100 100 100 90 90 90 -default_F 0.001 -N 1 -water 100 -detpixels 32",
  gaussian_noise: `${CUBE} -detpixels 48 -fluence 1e36`,
  masked: `${CUBE} -mask mask.img -scale 3 -adc 7`,
  image_header: `${CUBE} -img header.img -pgmscale 2`,
};

let dir: string;
const results: string[] = [];

function runC(args: string[]): { code: number; stdout: string } {
  const env = { ...process.env, OMP_NUM_THREADS: "1" };
  const r = spawnSync(C_BIN as string, args, { cwd: dir, encoding: "utf8", env, maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, stdout: r.stdout };
}

/** The output flags of one engine's run: -floatfile NAME.WHOfloat, -intfile NAME.WHOint, ... */
function outputs(name: string, who: string): string[] {
  return ["float", "int", "pgm", "noise"].flatMap((kind) => [`-${kind}file`, `${name}.${who}${kind}`]);
}

function expectSameTrace(cText: string, tsText: string): void {
  const c = parseTrace(cText);
  if (c.length === 0) return;
  const ts = parseTrace(tsText);
  expect(ts.map((e) => e.key)).toEqual(c.map((e) => e.key));
  c.forEach((e, i) => {
    e.values.forEach((v, j) => {
      const d = Math.abs(ts[i].values[j] - v);
      const close = Math.abs(v) <= 1e-12 ? d <= 1e-12 : d / Math.abs(v) <= 1e-9;
      expect(close, `${e.key}[${j}]: ${ts[i].values[j]} vs ${v}`).toBe(true);
    });
  });
  expect(setupLines(tsText)).toEqual(setupLines(cText));
}

describe.skipIf(!HAVE_C)(
  `more cases against NB_C_BIN${HAVE_C ? "" : " (skipped: NB_C_BIN is not set)"}`,
  () => {
    beforeAll(() => {
      dir = scratchDir("nb-cbin-");
      writeFileSync(join(dir, "sources.txt"), "-10 0 0 1 1e-10\n-10 0.05 0 2 1.1e-10\n-10 0 0.05\n");
      const lines: string[] = [];
      for (let h = -6; h <= 6; h++) {
        for (let k = -6; k <= 6; k++) {
          for (let l = -6; l <= 6; l++) lines.push(`${h} ${k} ${l} ${10 + ((h * 7 + k * 3 + l) & 15)}`);
        }
      }
      writeFileSync(join(dir, "grid.hkl"), `${lines.join("\n")}\n`);
      const mask = new Uint16Array(40 * 40).fill(1);
      for (let i = 0; i < mask.length; i += 7) mask[i] = 0;
      writeTestSmv(
        join(dir, "mask.img"),
        40,
        40,
        "PIXEL_SIZE=0.1;\nDISTANCE=80;\nBEAM_CENTER_Y=1.5;\n",
        mask,
      );
      const header = "PIXEL_SIZE=0.12;\nDISTANCE=90;\nCLOSE_DISTANCE=88;\nPHI=3;\nOSC_RANGE=1;\n";
      writeTestSmv(join(dir, "header.img"), 40, 30, header);
    });

    afterAll(() => {
      const head = ["| case | max rel. error | sum ratio | bitwise identical |", "|---|---|---|---|"];
      console.log([...head, ...results].join("\n"));
    });

    for (const [name, argv] of Object.entries(CASES)) {
      it(name, () => {
        const args = [...argv.split(" "), "-trace_pixel", "20", "21", "-seed", "12"];
        const c = runC([...args, ...outputs(name, "c")]);
        expect(c.code).toBe(0);
        const ts = nanoBragg([...args, ...outputs(name, "ts")], dir);
        expect(ts.code, ts.stderr).toBe(0);
        const parity = compareImages(
          readFloat(join(dir, `${name}.tsfloat`)),
          readFloat(join(dir, `${name}.cfloat`)),
        );
        const row = [
          parity.relativeError.toExponential(2),
          parity.sumRatio.toFixed(12),
          parity.bitwiseFraction.toFixed(6),
        ];
        results.push(`| ${name} | ${row.join(" | ")} |`);
        expect(parity.relativeError).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(parity.sumRatio - 1)).toBeLessThanOrEqual(1e-6);
        for (const kind of ["int", "pgm", "noise"]) {
          const theirs = join(dir, `${name}.c${kind}`);
          if (!existsSync(theirs)) continue;
          expect(
            readFileSync(join(dir, `${name}.ts${kind}`)).equals(readFileSync(theirs)),
            `${kind} image`,
          ).toBe(true);
        }
        expectSameTrace(c.stdout, ts.stdout);
      });
    }
  },
);
