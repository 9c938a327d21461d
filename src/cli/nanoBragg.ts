#!/usr/bin/env node
/**
 * nanoBragg: the C program's command line, in TypeScript. Parses argv with the C's semantics, sets
 * the simulation up, renders on all cores, traces a pixel if asked, writes the float image and prints
 * the C's console summary.
 */

import { availableParallelism } from "node:os";
import type { RenderResult } from "../backends/cpu.js";
import { CpuBackend } from "../backends/cpu.js";
import { writeRawFloat } from "../io/raw-float.js";
import type { KernelPlan } from "../sim/kernel.js";
import { kernelState, renderSpan } from "../sim/kernel.js";
import { buildPlan, insideRoi } from "../sim/plan.js";
import { MissingInputsError, type Simulation, setupSimulation } from "../sim/setup.js";
import { imageStats } from "../sim/stats.js";
import { TraceRecorder } from "../sim/trace.js";
import { cprintf } from "../util/cformat.js";
import { InputError } from "../util/input-error.js";
import { parseArgs } from "./argv.js";
import { setupReport, statsReport } from "./report.js";
import { USAGE } from "./usage.js";

function print(lines: string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Trace lines of one pixel, rendered again on this thread in the state the C's serial loop would
 * have reached there (interpolation still on or already switched off).
 */
function tracePixel(
  sim: Simulation,
  plan: KernelPlan,
  render: RenderResult,
  slow: number,
  fast: number,
): string[] {
  const index = slow * plan.fpixels + fast;
  const outside =
    slow < 0 || slow >= plan.spixels || fast < 0 || fast >= plan.fpixels || !insideRoi(plan, fast, slow);
  if (outside || (plan.mask !== null && plan.mask[index] === 0)) return [];
  const state = kernelState(plan);
  const stop = render.interpolationStop;
  state.interpolate =
    plan.interpolate && (stop === null || stop.slow > slow || (stop.slow === slow && stop.fast >= fast));
  const tracer = new TraceRecorder({ ...plan, fluence: sim.fluence });
  renderSpan(plan, state, slow, fast, fast, new Float32Array(1), index, tracer);
  return [cprintf("TRACE_CONFIG: tracing pixel (spixel=%d, fpixel=%d)", slow, fast), ...tracer.lines];
}

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const warning of parsed.warnings) process.stderr.write(`nanoBragg: warning: ${warning}\n`);
  const config = parsed.config;
  const backend = new CpuBackend(config.workers ?? availableParallelism(), config.workers !== null);
  let render: RenderResult;
  let sim: Simulation;
  let plan: KernelPlan;
  try {
    sim = setupSimulation(config);
    for (const note of sim.messages.notes) process.stderr.write(`nanoBragg: warning: ${note}\n`);
    print(setupReport(sim));
    plan = buildPlan(sim);
    render = await backend.render(plan);
  } finally {
    await backend.close();
  }
  if (render.interpolationStop) {
    const [h, k, l, h0, k0, l0] = render.interpolationStop.hkl;
    print([
      cprintf(
        "WARNING: out of range for three point interpolation: h,k,l,h0,k0,l0: %g,%g,%g,%d,%d,%d ",
        h,
        k,
        l,
        h0,
        k0,
        l0,
      ),
      "WARNING: further warnings will not be printed! ",
    ]);
  }
  if (config.tracePixel) print(tracePixel(sim, plan, render, config.tracePixel.slow, config.tracePixel.fast));
  writeRawFloat(config.floatFile, render.image);
  print(statsReport(sim, render.omegaSum, imageStats(render.image, plan), config.floatFile));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InputError) {
      if (error instanceof MissingInputsError) process.stdout.write(USAGE);
      process.stderr.write(`nanoBragg: error: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  },
);
