/**
 * Values the engine cannot use, refused before any work starts with the flag that gave them: a
 * number too large for a double, a wavelength, pixel size or distance of 0 (the physics divides by
 * them), a detector without pixels or too large for this machine, an axis of length 0, step counts
 * whose paths cannot be counted. Where the C takes a value and makes a meaningful image (a negative
 * distance, -N 0, ...) it is left to the C's rules; docs/profiles.md lists these refusals.
 */

import type { SimConfig } from "../sim/config.js";
import { detectorGrid } from "../sim/detector.js";
import type { Simulation } from "../sim/setup.js";
import { InputError } from "../util/input-error.js";
import { allocationProblem } from "../util/machine-limits.js";
import type { Origins } from "./argv.js";

/** The engine's peak memory per detector pixel and beside it (the bench's bound: 2.5 float64 images + 100 MiB). */
const BYTES_PER_PIXEL = 20;
const BYTES_BESIDE = 100 * 2 ** 20;
/** Paths beyond this cannot be counted exactly in a double. */
const MAX_PATHS = 2 ** 53;

const AXES: Array<keyof SimConfig> = [
  "beamVector",
  "polarVector",
  "spindleVector",
  "fdetVector",
  "sdetVector",
  "odetVector",
  "twothetaAxis",
];

type Problem = { key: keyof SimConfig; why: string };

function nonFinite(c: SimConfig, origins: Origins): Problem[] {
  return (Object.keys(origins) as Array<keyof SimConfig>)
    .filter((key) => {
      const value = c[key];
      const numbers = Array.isArray(value) ? value : [value];
      return numbers.some((n) => typeof n === "number" && !Number.isFinite(n));
    })
    .map((key) => ({ key, why: "the number is not finite (too large for a double)" }));
}

function divisors(c: SimConfig, origins: Origins): Problem[] {
  const problems: Problem[] = [];
  const unusable = (x: number) => x === 0 || !Number.isFinite(x);
  const divides = (key: keyof SimConfig, what: string, because: string) =>
    problems.push({ key, why: `the ${what} must be finite and not 0 (${because})` });
  if (unusable(c.lambda0)) divides("lambda0", "wavelength", "the physics divides by it");
  if (unusable(c.pixelSize)) divides("pixelSize", "pixel size", "the detector is sized by it");
  if (unusable(c.distance)) divides("distance", "distance", "the solid angle divides by it");
  if (origins.closeDistance && unusable(c.closeDistance))
    divides("closeDistance", "distance", "the solid angle divides by it");
  for (const key of AXES) {
    const v = c[key] as number[];
    if (origins[key] && v.every((x) => x === 0))
      problems.push({ key, why: "an axis needs a direction: this vector has length 0" });
  }
  return problems;
}

function detector(c: SimConfig, origins: Origins): Problem[] {
  const { fpixels, spixels } = detectorGrid(c);
  const key: keyof SimConfig =
    origins.fpixels || origins.spixels ? (origins.fpixels ? "fpixels" : "spixels") : "pixelSize";
  if (!(fpixels >= 1 && spixels >= 1) || !Number.isSafeInteger(fpixels) || !Number.isSafeInteger(spixels))
    return [
      { key, why: `the detector must have at least one pixel each way (it would be ${fpixels}x${spixels})` },
    ];
  const problem = allocationProblem(fpixels * spixels, BYTES_PER_PIXEL, BYTES_BESIDE);
  return problem ? [{ key, why: `a ${fpixels}x${spixels} detector ${problem}` }] : [];
}

/**
 * Arrays sized by a count: the mosaic domains' rotations (9 doubles each), the crystal's orientation
 * per phi step and domain (9 each), the sources (6 each).
 */
function counts(c: SimConfig, origins: Origins): Problem[] {
  const problems: Problem[] = [];
  const domains = allocationProblem(Math.max(1, c.mosaicDomains), 72);
  if (domains) problems.push({ key: "mosaicDomains", why: `${c.mosaicDomains} mosaic domains ${domains}` });
  // the cell of every phi step in every domain: 9 doubles each
  const cells = Math.max(1, c.phisteps) * Math.max(1, c.mosaicDomains);
  const table = allocationProblem(9 * cells, 8);
  if (table && !domains) {
    const key = origins.phisteps || !origins.mosaicDomains ? "phisteps" : "mosaicDomains";
    problems.push({
      key,
      why: `${cells.toPrecision(3)} crystal orientations (phi steps x domains) ${table}`,
    });
  }
  const steps: Array<keyof SimConfig> = ["hdivsteps", "vdivsteps", "dispsteps"];
  const sources = steps.reduce((n, key) => n * Math.max(1, c[key] as number), 1);
  const beam = allocationProblem(sources, 48);
  const key = steps.filter((k) => origins[k]).sort((a, b) => (c[b] as number) - (c[a] as number))[0];
  if (beam) problems.push({ key: key ?? "dispsteps", why: `${sources.toPrecision(3)} sources ${beam}` });
  return problems;
}

/**
 * After set-up, where the oversampling may have been chosen for the user: a render whose paths
 * (pixels x subpixels x layers x sources x phi steps x domains) cannot be counted exactly.
 */
export function checkRender(sim: Simulation, origins: Origins): void {
  const d = sim.detector;
  const paths =
    d.fpixels *
    d.spixels *
    sim.oversample ** 2 *
    sim.thickness.count *
    sim.sources.count *
    sim.phi.count *
    sim.mosaicDomains;
  if (paths <= MAX_PATHS) return;
  const count = `${paths.toPrecision(3)} paths, more than can be counted exactly (2^53)`;
  if (origins.oversample)
    throw new InputError(
      `${origins.oversample.flag}: the render would follow ${count} (got ${origins.oversample.got})`,
    );
  throw new InputError(
    `-oversample: the automatic oversampling, ${sim.oversample} subpixels a side, makes the render follow ${count}; give -oversample N (got none)`,
  );
}

/** Throws the first problem as `-flag: why (got X)`. */
export function checkValues(c: SimConfig, origins: Origins): void {
  const problems = [
    ...divisors(c, origins),
    ...nonFinite(c, origins),
    ...detector(c, origins),
    ...counts(c, origins),
  ];
  if (problems.length === 0) return;
  const { key, why } = problems[0];
  const origin = origins[key] ?? { flag: `-${key}`, got: String(c[key]) };
  throw new InputError(`${origin.flag}: ${why} (got ${origin.got})`);
}
