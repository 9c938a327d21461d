/**
 * The kernel's two-pixel path (two pixels per vector, for plans that allow it) against its one-pixel
 * path on the same plans: the same image bits, the same solid-angle sum and path count. A mask of all
 * ones changes nothing in the physics and sends the kernel down the one-pixel path.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/argv.js";
import { type KernelPlan, kernelState, renderSpan } from "../../src/sim/kernel.js";
import { buildPlan } from "../../src/sim/plan.js";
import { setupSimulation } from "../../src/sim/setup.js";
import { REPO_ROOT } from "../support/paths.js";
import { scratchDir } from "../support/run.js";

const CUBE = "-cell 100 100 100 90 90 90 -default_F 100 -distance 100";

function render(plan: KernelPlan): { image: Float32Array; omegaSum: number; paths: number } {
  const state = kernelState(plan);
  const image = new Float32Array(plan.fpixels * plan.spixels);
  for (let row = 0; row < plan.spixels; row++)
    renderSpan(plan, state, row, 0, plan.fpixels - 1, image, 0, null);
  return { image, omegaSum: state.omegaSum, paths: state.paths };
}

describe("two pixels at once", () => {
  it.each([
    ["odd width (a last pixel alone)", `${CUBE} -lambda 6.2 -N 5 -mosflm -detpixels 63`],
    ["oversampled, N = 10", `${CUBE} -lambda 1.0 -N 10 -detpixels 40 -oversample 3`],
    [
      "structure factors, phi steps and mosaic domains, no polarization",
      `-hkl ${join(REPO_ROOT, "pipelines/data/demo.hkl")} -cell 100 100 100 90 90 90 -distance 100 -lambda 1.0 -N 3 -detpixels 36 -phisteps 3 -osc 0.3 -mosaic 0.5 -mosaic_dom 3 -nopolar`,
    ],
    [
      "Kahn polarization, point pixels, water",
      `${CUBE} -lambda 1.5 -N 4 -detpixels 32 -polar 0.6 -point_pixel -water 50`,
    ],
    [
      "phi starting at 0 (the C's first path)",
      `${CUBE} -lambda 1.0 -N 4 -detpixels 30 -phi 0 -osc 0.4 -phisteps 2`,
    ],
  ])("%s: the bits of the one-pixel path", (_, args) => {
    const config = parseArgs(args.split(" ")).config;
    // the structure-factor cache goes to a scratch folder, not the working directory
    config.dumpFile = join(scratchDir(), "Fdump.bin");
    const plan = buildPlan(setupSimulation(config));
    const single = render({ ...plan, mask: new Uint16Array(plan.fpixels * plan.spixels).fill(1) });
    const pairs = render(plan);
    expect(pairs.image).toEqual(single.image);
    expect(pairs.omegaSum).toBe(single.omegaSum);
    expect(pairs.paths).toBe(single.paths);
    expect(pairs.image.some((v) => v > 0)).toBe(true);
  });
});
