/**
 * Property: whatever mix of flags and values a user types (numbers at the edges: 0, -0, +-1e308,
 * 1e400, NaN, huge integers; words; random bytes as input files), nanoBragg either runs (exit 0) or
 * refuses with exit 2 and one line `nanoBragg: error: ...` (9 with its usage where the C exits 9):
 * never a stack trace, never a hang past a bound, never a file outside the run's folder. Checked
 * in-process on many argv (parsing and the value checks), and end to end on a sample.
 */

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/argv.js";
import { checkValues } from "../../src/cli/value-checks.js";
import { InputError } from "../../src/util/input-error.js";
import { CLI } from "../support/paths.js";
import { PROPERTY_SEED } from "../support/property-seed.js";
import { scratchDir } from "../support/run.js";

const BASE =
  "-cell 100 100 100 90 90 90 -default_F 10 -detpixels 16 -nonoise -nopgm -floatfile float.bin".split(" ");
const FILES = ["random.bin", "empty.txt", "tiny.txt"];
const VALUE = fc.constantFrom(
  "0",
  "-0",
  "1",
  "-1",
  "3",
  "0.5",
  "1e308",
  "-1e308",
  "1e400",
  "-1e400",
  "1e-320",
  "NaN",
  "nan",
  "inf",
  "9007199254740993",
  "1e20",
  "18446744073709551616",
  "-5",
  "abc",
  "",
  "1,5",
  "0x10",
  ...FILES,
);
const TAKES: Record<string, number> = {
  "-N": 1,
  "-Na": 1,
  "-Nc": 1,
  "-cell": 6,
  "-misset": 3,
  "-lambda": 1,
  "-energy": 1,
  "-distance": 1,
  "-close_distance": 1,
  "-pixel": 1,
  "-detpixels": 1,
  "-detpixels_f": 1,
  "-detsize": 1,
  "-Xbeam": 1,
  "-ORGX": 1,
  "-oversample": 1,
  "-phi": 1,
  "-osc": 1,
  "-phistep": 1,
  "-phisteps": 1,
  "-mosaic": 1,
  "-mosaic_dom": 1,
  "-divergence": 1,
  "-divsteps": 1,
  "-dispersion": 1,
  "-dispsteps": 1,
  "-default_F": 1,
  "-fluence": 1,
  "-flux": 1,
  "-exposure": 1,
  "-beamsize": 1,
  "-polar": 1,
  "-roi": 4,
  "-detector_thick": 1,
  "-detector_abs": 1,
  "-detector_thicksteps": 1,
  "-twotheta": 1,
  "-detector_rotx": 1,
  "-beam_vector": 3,
  "-polar_vector": 3,
  "-spindle_axis": 3,
  "-fdet_vector": 3,
  "-twotheta_axis": 3,
  "-pix0_vector_mm": 3,
  "-xtalsize": 1,
  "-water": 1,
  "-dmin": 1,
  "-scale": 1,
  "-adc": 1,
  "-seed": 1,
  "-fudge": 1,
  "-hkl": 1,
  "-mat": 1,
  "-sourcefile": 1,
  "-img": 1,
  "-mask": 1,
  "-mosflm": 0,
  "-xds": 0,
  "-dials": 0,
  "-curved_det": 0,
  "-point_pixel": 0,
  "-round_xtal": 0,
  "-gauss_xtal": 0,
  "-tophat_spots": 0,
  "-nointerpolate": 0,
  "-interpolate": 0,
  "-oversample_polar": 0,
  "-oversample_thick": 0,
  "-nopolar": 0,
  "-noprogress": 0,
  "-workers": 1,
  "-profile": 1,
  "-backend": 1,
};
const FLAG = fc.constantFrom(...Object.keys(TAKES));
const WORDS = fc
  .array(
    FLAG.chain((flag) =>
      fc.array(VALUE, { minLength: TAKES[flag], maxLength: TAKES[flag] }).map((v) => [flag, ...v]),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((groups) => groups.flat());

/**
 * The paths a render follows, from what the engine printed before rendering (pixels, subpixels,
 * layers, sources, mosaic domains, phi steps); 0 where it printed no render.
 */
function printedPaths(stdout: string): number {
  const count = (pattern: RegExp) => Number(stdout.match(pattern)?.[1] ?? Number.NaN);
  const pixels = stdout.match(/\((\d+)x(\d+) pixels\)/);
  const paths =
    Number(pixels?.[1]) *
    Number(pixels?.[2]) *
    count(/\n\s*(\d+)x\d+ pixel oversample steps/) ** 2 *
    count(/in (\d+) layers/) *
    count(/\n\s*(\d+) sources/) *
    count(/\n\s*(\d+) mosaic domains/) *
    count(/\n\s*(\d+) phi steps/);
  return Number.isFinite(paths) ? paths : 0;
}

/** One worker follows about 1.6e7 paths a second: this many take seconds even on a busy machine. */
const LONG_RENDER = 1e8;

/** Random bytes, an empty file and a one-line file under the names the values use. */
function inputs(dir: string, bytes: Uint8Array): void {
  writeFileSync(join(dir, "random.bin"), bytes);
  writeFileSync(join(dir, "empty.txt"), "");
  writeFileSync(join(dir, "tiny.txt"), "1 2 3\n");
}

describe("nanoBragg on random argv", () => {
  it("parses or refuses with an input error: 20000 argv in-process", () => {
    fc.assert(
      fc.property(WORDS, (words) => {
        try {
          const parsed = parseArgs([...BASE, ...words], 0);
          checkValues(parsed.config, parsed.origins);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          expect(error.message).not.toContain("\n");
        }
      }),
      { numRuns: 20_000, seed: PROPERTY_SEED },
    );
  });

  it("runs or refuses in one line, in bounded time, writing only in its folder: 150 runs", {
    timeout: 600_000,
  }, () => {
    const parent = scratchDir("nb-property-");
    let run = 0;
    fc.assert(
      fc.property(WORDS, fc.uint8Array({ minLength: 1, maxLength: 512 }), (words, bytes) => {
        const dir = join(parent, `run-${run++}`);
        mkdirSync(dir);
        inputs(dir, bytes);
        const argv = [...BASE, ...words, "-workers", "1"];
        const r = spawnSync(process.execPath, [CLI, ...argv], {
          cwd: dir,
          encoding: "utf8",
          timeout: 20_000,
        });
        const said = `${argv.join(" ")} -> exit ${r.status} ${r.signal ?? ""}: ${r.stderr}`;
        // A render of this much work may outlast the bound as the C's would; it must have said so.
        if (r.signal === "SIGTERM" && printedPaths(r.stdout) >= LONG_RENDER) return;
        expect(r.signal, said).toBeNull();
        expect([0, 2, 9], said).toContain(r.status);
        expect(r.stderr, said).not.toMatch(/\n\s+at |Error: |RangeError|TypeError/);
        if (r.status !== 0)
          expect(
            r.stderr.split("\n").filter((l) => l.startsWith("nanoBragg: error: ")),
            said,
          ).toHaveLength(1);
        expect(
          readdirSync(parent).every((name) => name.startsWith("run-")),
          said,
        ).toBe(true);
      }),
      { numRuns: 150, seed: PROPERTY_SEED },
    );
  });
});
