#!/usr/bin/env node
/**
 * nanoBragg: the C program's command line, in TypeScript. Parses argv with the C's semantics, sets
 * the simulation up, renders on all cores, traces a pixel if asked, writes the float image and prints
 * the C's console summary.
 */

import { availableParallelism } from "node:os";
import type { RenderResult } from "../backends/cpu.js";
import { CpuBackend } from "../backends/cpu.js";
import { GpuBackend } from "../backends/gpu.js";
import type { SimConfig } from "../sim/config.js";
import { detectorTraceLines } from "../sim/detector-trace.js";
import { inspectAll, inspectPixel } from "../sim/inspect.js";
import { compileKernel, type KernelPlan } from "../sim/kernel.js";
import { buildPlan } from "../sim/plan.js";
import { PrintoutRecorder } from "../sim/printout.js";
import { MissingInputsError, type Simulation, setupSimulation } from "../sim/setup.js";
import { TraceRecorder } from "../sim/trace.js";
import { cprintf } from "../util/cformat.js";
import { InputError } from "../util/input-error.js";
import { type BackendChoice, type Origins, parseArgs } from "./argv.js";
import { noiseImageFor, writeOutputs } from "./outputs.js";
import { renderProgress } from "./progress.js";
import { setupReport } from "./report.js";
import { USAGE } from "./usage.js";
import { checkRender, checkValues } from "./value-checks.js";

function print(lines: string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
}

/** The -trace_pixel lines: the detector set-up first, as the C prints it before rendering. */
function traceLines(
  sim: Simulation,
  plan: KernelPlan,
  render: RenderResult,
  slow: number,
  fast: number,
): string[] {
  const tracer = new TraceRecorder({ ...plan, fluence: sim.fluence });
  if (!inspectPixel(plan, render.interpolationStop, slow, fast, tracer)) return [];
  return [
    ...detectorTraceLines(sim),
    cprintf("TRACE_CONFIG: tracing pixel (spixel=%d, fpixel=%d)", slow, fast),
    ...tracer.lines,
  ];
}

/** The -printout lines: one pixel with -printout_pixel, else every pixel. */
function printoutLines(sim: Simulation, plan: KernelPlan, render: RenderResult): string[] {
  const recorder = new PrintoutRecorder(sim.config.lambda0, plan.steps);
  const lines: string[] = [];
  const report = (slow: number, fast: number) =>
    lines.push(...recorder.lines(fast, slow, render.image[slow * plan.fpixels + fast]));
  const only = sim.config.printoutPixel;
  if (only === null) inspectAll(plan, recorder, report);
  else if (inspectPixel(plan, render.interpolationStop, only.slow, only.fast, recorder))
    report(only.slow, only.fast);
  return lines;
}

/**
 * The render backend of -backend: gpu.js when asked for (an InputError says why it cannot start), or
 * with `auto` where it runs on a hardware GPU; otherwise the CPU workers.
 */
async function openBackend(choice: BackendChoice, workers: number | null): Promise<CpuBackend | GpuBackend> {
  if (choice !== "cpu") {
    try {
      const gpu = await GpuBackend.open();
      if (choice === "gpu" || !gpu.software) {
        process.stderr.write(`nanoBragg: note: rendering with gpu.js (headless-gl) on ${gpu.renderer}\n`);
        return gpu;
      }
      await gpu.close();
    } catch (error) {
      if (choice === "gpu") throw error;
    }
  }
  return new CpuBackend(workers ?? availableParallelism(), workers !== null);
}

export async function main(argv: readonly string[]): Promise<number> {
  // on a background thread while the arguments are read and the simulation set up
  void compileKernel();
  const parsed = parseArgs(argv);
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  checkValues(parsed.config, parsed.origins);
  for (const warning of parsed.warnings) process.stderr.write(`nanoBragg: warning: ${warning}\n`);
  const config = parsed.config;
  const backend = await openBackend(parsed.backend, config.workers);
  try {
    await simulate(config, parsed.origins, backend);
  } finally {
    await backend.close();
  }
  return 0;
}

/** Set up, render, inspect and write the outputs; the backend's workers write the files. */
async function simulate(
  config: SimConfig,
  origins: Origins,
  backend: CpuBackend | GpuBackend,
): Promise<void> {
  const sim = setupSimulation(config);
  checkRender(sim, origins);
  for (const note of sim.messages.notes) process.stderr.write(`nanoBragg: warning: ${note}\n`);
  const plan = buildPlan(sim);
  backend.prepare(plan);
  print(setupReport(sim));
  const noise = noiseImageFor(sim, plan);
  const rowReady = noise ? (image: Float32Array, row: number) => noise.addRow(image, row) : undefined;
  // the GPU renders in one go; the CPU's threads report their rows as they finish them
  const render =
    backend instanceof CpuBackend
      ? await backend.render(
          plan,
          rowReady,
          config.progress ? renderProgress(plan, backend.threadsFor(plan)) : undefined,
        )
      : await backend.render(plan, rowReady);
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
  if (config.printout) print(printoutLines(sim, plan, render));
  if (config.tracePixel) print(traceLines(sim, plan, render, config.tracePixel.slow, config.tracePixel.fast));
  const written = await writeOutputs(sim, plan, render, noise, backend);
  for (const note of written.notes) process.stderr.write(`nanoBragg: note: ${note}\n`);
  print(written.lines);
}

// a reader that stops early (`nanoBragg ... | head`) is not an error of ours
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // every file is written and every line printed: exit without the heap and thread teardown of a
    // natural exit (2 ms), unless output is still queued (a pipe is asynchronous on some systems)
    if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
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
