/**
 * CPU backend: renders the image on the main thread plus worker threads, float64 throughout, stored
 * as float32 in one shared image. Any thread count gives the same bits. A worker costs its start-up,
 * so that small images are rendered on fewer threads.
 */

import { Worker } from "node:worker_threads";
import { compileKernel, type KernelPlan, kernelState } from "../sim/kernel.js";
import { combineRowStats, type ImageStats } from "../sim/stats.js";
import {
  allocateShared,
  doneCounter,
  FIRST_STOP_ROW,
  passCount,
  passFinished,
  renderNextRow,
  type SharedRender,
  setPass,
} from "./cpu-rows.js";
import type { SmvCountsJob } from "./cpu-worker.js";

/** Told, on this thread between rows, how far a render has come. */
export interface RenderProgress {
  /** `done` of `total` rows are rendered. */
  rows(done: number, total: number): void;
  end(): void;
}

export interface RenderResult {
  image: Float32Array;
  /** The C's omega_sum: solid angle summed over every subpixel and layer rendered. */
  omegaSum: number;
  stats: ImageStats;
  /** Where interpolation was switched off first (in the C's serial order), or null. */
  interpolationStop: { slow: number; fast: number; hkl: Float64Array } | null;
}

/**
 * Paths (pixels times subpixels, layers, sources, phi steps and domains) per thread below which an
 * extra thread costs more than it saves: a worker's start-up takes about as long as 150,000 paths on
 * one thread (measured on 2 cores: a 512x512 image renders as fast on one thread as on two, 85 ms; a
 * 640x640 one faster on two, 97 against 103 ms).
 */
const MIN_PATHS_PER_THREAD = 150_000;

export class CpuBackend {
  private readonly workers: Worker[] = [];
  private failure: Error | null = null;
  /** Pixels of the last render's image. */
  private pixels = 0;

  /**
   * `threads` counts the main thread. Workers start when a render needs them: when `exact` is false,
   * small images use fewer threads, and an unused worker would still cost its start-up.
   */
  constructor(
    private readonly threads: number,
    private readonly exact: boolean,
  ) {}

  /** Start the workers a render of `plan` will use (a worker takes tens of milliseconds to start). */
  prepare(plan: KernelPlan): void {
    this.startWorkers(this.workersFor(plan));
  }

  /**
   * Render the image. `rowReady`, when given, is called on this thread for every rendered row in row
   * order, as soon as the row is final (during the render, between this thread's own rows, unless
   * interpolation may still change rows), so that serial work on finished rows overlaps the render.
   */
  async render(
    plan: KernelPlan,
    rowReady?: (image: Float32Array, row: number) => void,
    progress?: RenderProgress,
  ): Promise<RenderResult> {
    await compileKernel();
    const shared = allocateShared(plan);
    this.pixels = shared.image.length;
    const rows: number[] = [];
    for (let r = Math.max(0, plan.roiYmin); r <= Math.min(plan.spixels - 1, plan.roiYmax); r++) rows.push(r);
    const active = this.startWorkers(this.workersFor(plan));
    setPass(shared, plan, 0, rows, false);
    for (const w of active) w.postMessage({ plan, shared });
    // with interpolation, a second pass may render rows again: hand rows over only at the end
    const handOver = rowReady ? (row: number) => rowReady(shared.image, row) : undefined;
    const early = plan.interpolate ? undefined : handOver;
    await this.runPass(plan, shared, 0, early, progress);
    progress?.end();
    const firstStop = Atomics.load(shared.control, FIRST_STOP_ROW);
    // rows after the first stop that started with interpolation on were rendered on a wrong guess
    const redo = rows.filter((r) => r > firstStop && shared.rowStartedOn[r] === 1);
    if (redo.length > 0) {
      setPass(shared, plan, 1, redo, true);
      for (const w of active) w.postMessage(1);
      await this.runPass(plan, shared, 1);
    }
    if (handOver && plan.interpolate) for (const r of rows) handOver(r);
    let omegaSum = 0;
    for (const r of rows) omegaSum += shared.rowOmega[r];
    const interpolationStop =
      firstStop < plan.spixels
        ? {
            slow: firstStop,
            fast: shared.rowStopPixel[firstStop],
            hkl: shared.rowStopHkl.slice(6 * firstStop, 6 * firstStop + 6),
          }
        : null;
    return {
      image: shared.image,
      omegaSum,
      stats: combineRowStats(shared.rowStats, plan, rows),
      interpolationStop,
    };
  }

  /** The threads a render of `plan` runs on: this one and the workers worth starting. */
  threadsFor(plan: KernelPlan): number {
    return 1 + this.workersFor(plan);
  }

  /** Workers worth starting for a render of `plan`. */
  private workersFor(plan: KernelPlan): number {
    const rows = Math.min(plan.spixels - 1, plan.roiYmax) - Math.max(0, plan.roiYmin) + 1;
    const columns = Math.min(plan.fpixels - 1, plan.roiXmax) - Math.max(0, plan.roiXmin) + 1;
    const paths = rows * columns * plan.steps * plan.thicksteps;
    const available = this.threads - 1;
    const worthwhile = this.exact ? available : Math.floor(paths / MIN_PATHS_PER_THREAD) - 1;
    return Math.max(0, Math.min(available, rows - 1, worthwhile));
  }

  /** The first `count` workers, started now where they do not run yet. */
  private startWorkers(count: number): Worker[] {
    const url = new URL("../backends/cpu-worker.cjs", import.meta.url);
    while (this.workers.length < count) {
      const worker = new Worker(url);
      worker.on("error", (error) => {
        this.failure = error;
      });
      this.workers.push(worker);
    }
    return this.workers.slice(0, count);
  }

  /**
   * A worker to write the output files once the image is made, or null: it stops when told that the
   * last file is written (see BackgroundWrites).
   */
  fileWriter(): Worker | null {
    return this.workers[0] ?? null;
  }

  /**
   * The SMV counts of the last render (intImage), made by the file-writing worker while this thread
   * goes on, or null without one. The worker has made them before it handles its next message: they
   * may go into a write on that worker (fileWriter), and are read nowhere else.
   */
  smvCounts(scale: number, adc: number, maskedGetAdc: boolean): Uint16Array | null {
    const worker = this.fileWriter();
    if (worker === null || this.pixels === 0) return null;
    const out = new Uint16Array(new SharedArrayBuffer(2 * this.pixels));
    const job: SmvCountsJob = { kind: "smv counts", scale, adc, maskedGetAdc, out };
    worker.postMessage(job);
    return out;
  }

  /** Stop the workers; the process waits for them at exit, so that nothing else waits here. */
  async close(): Promise<void> {
    for (const w of this.workers) void w.terminate();
  }

  /**
   * Render this thread's share of a pass, handing finished rows to `rowReady` in order, then wait
   * (without blocking events) for the other threads.
   */
  private async runPass(
    plan: KernelPlan,
    shared: SharedRender,
    pass: number,
    rowReady?: (row: number) => void,
    progress?: RenderProgress,
  ): Promise<void> {
    const state = kernelState(plan);
    const rows = shared.rows.subarray(pass * plan.spixels, pass * plan.spixels + passCount(shared, pass));
    let handed = 0;
    const handOver = () => {
      progress?.rows(Atomics.load(shared.control, doneCounter(pass)), rows.length);
      if (!rowReady) return;
      while (handed < rows.length && Atomics.load(shared.rowDone, rows[handed]) === 1)
        rowReady(rows[handed++]);
    };
    while (renderNextRow(plan, shared, pass, state)) handOver();
    const ctl = shared.control;
    while (!passFinished(shared, pass) || (rowReady && handed < rows.length)) {
      if (this.failure) throw this.failure;
      // read first: a row finished after this read changes the counter, and the wait returns at once
      const seen = Atomics.load(ctl, doneCounter(pass));
      handOver();
      if (handed < rows.length && Atomics.load(shared.rowDone, rows[handed]) === 1) continue;
      if (passFinished(shared, pass)) continue;
      const wait = Atomics.waitAsync(ctl, doneCounter(pass), seen, 200);
      if (wait.async) await wait.value;
    }
    if (this.failure) throw this.failure;
  }
}
