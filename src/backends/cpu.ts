/**
 * CPU backend: renders the image on the main thread plus worker threads, float64 throughout, stored
 * as float32 in one shared image. Any thread count gives the same bits. Workers are started as soon
 * as the thread count is known, before set-up, because their start-up costs as much as a small render.
 */

import { Worker } from "node:worker_threads";
import { type KernelPlan, kernelState } from "../sim/kernel.js";
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

export interface RenderResult {
  image: Float32Array;
  /** The C's omega_sum: solid angle summed over every subpixel and layer rendered. */
  omegaSum: number;
  stats: ImageStats;
  /** Where interpolation was switched off first (in the C's serial order), or null. */
  interpolationStop: { slow: number; fast: number; hkl: Float64Array } | null;
}

/** Pixels below which an extra thread costs more than it saves. */
const MIN_PIXELS_PER_THREAD = 4096;

export class CpuBackend {
  private readonly workers: Worker[];
  private failure: Error | null = null;

  /**
   * `threads` counts the main thread; threads - 1 workers start now. When `exact` is false, small
   * images leave some of them idle.
   */
  constructor(
    threads: number,
    private readonly exact: boolean,
  ) {
    const url = new URL("../backends/cpu-worker.js", import.meta.url);
    this.workers = Array.from({ length: Math.max(0, threads - 1) }, () => {
      const worker = new Worker(url);
      worker.on("error", (error) => {
        this.failure = error;
      });
      return worker;
    });
  }

  /**
   * Render the image. `rowReady`, when given, is called on this thread for every rendered row in row
   * order, as soon as the row is final (during the render, between this thread's own rows, unless
   * interpolation may still change rows), so that serial work on finished rows overlaps the render.
   */
  async render(
    plan: KernelPlan,
    rowReady?: (image: Float32Array, row: number) => void,
  ): Promise<RenderResult> {
    const shared = allocateShared(plan);
    const rows: number[] = [];
    for (let r = Math.max(0, plan.roiYmin); r <= Math.min(plan.spixels - 1, plan.roiYmax); r++) rows.push(r);
    const roiPixels =
      rows.length * (Math.min(plan.fpixels - 1, plan.roiXmax) - Math.max(0, plan.roiXmin) + 1);
    const worthwhile = this.exact ? this.workers.length : Math.floor(roiPixels / MIN_PIXELS_PER_THREAD) - 1;
    const useful = Math.min(this.workers.length, rows.length - 1, worthwhile);
    const active = this.workers.slice(0, Math.max(0, useful));
    setPass(shared, plan, 0, rows, false);
    for (const w of active) w.postMessage({ plan, shared });
    // with interpolation, a second pass may render rows again: hand rows over only at the end
    const handOver = rowReady ? (row: number) => rowReady(shared.image, row) : undefined;
    const early = plan.interpolate ? undefined : handOver;
    await this.runPass(plan, shared, 0, early);
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

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
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
  ): Promise<void> {
    const state = kernelState(plan);
    const rows = shared.rows.subarray(pass * plan.spixels, pass * plan.spixels + passCount(shared, pass));
    let handed = 0;
    const handOver = () => {
      if (!rowReady) return;
      while (handed < rows.length && Atomics.load(shared.rowDone, rows[handed]) === 1)
        rowReady(rows[handed++]);
    };
    while (renderNextRow(plan, shared, pass, state)) handOver();
    const ctl = shared.control;
    while (!passFinished(shared, pass) || (rowReady && handed < rows.length)) {
      if (this.failure) throw this.failure;
      handOver();
      if (handed < rows.length && Atomics.load(shared.rowDone, rows[handed]) === 1) continue;
      if (passFinished(shared, pass)) continue;
      const seen = Atomics.load(ctl, doneCounter(pass));
      const wait = Atomics.waitAsync(ctl, doneCounter(pass), seen, 200);
      if (wait.async) await wait.value;
    }
    if (this.failure) throw this.failure;
  }
}
