/**
 * CPU backend: renders the image on the main thread plus (threads - 1) worker threads, float64
 * throughout, stored as float32 in one shared image. Any thread count gives the same bits.
 */

import { Worker } from "node:worker_threads";
import { type KernelPlan, kernelState } from "../sim/kernel.js";
import {
  allocateShared,
  doneCounter,
  FIRST_STOP_ROW,
  passFinished,
  renderClaimedRows,
  type SharedRender,
  setPass,
} from "./cpu-rows.js";

export interface RenderResult {
  image: Float32Array;
  /** The C's omega_sum: solid angle summed over every subpixel and layer rendered. */
  omegaSum: number;
  /** Where interpolation was switched off first (in the C's serial order), or null. */
  interpolationStop: { slow: number; fast: number; hkl: Float64Array } | null;
}

/** Pixels below which extra threads cost more to start than they save. */
const MIN_PIXELS_PER_WORKER = 4096;

class WorkerPool {
  private readonly workers: Worker[];
  private failure: Error | null = null;

  constructor(count: number, plan: KernelPlan, shared: SharedRender) {
    const url = new URL("./cpu-worker.js", import.meta.url);
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(url, { workerData: { plan, shared } });
      worker.on("error", (error) => {
        this.failure = error;
      });
      return worker;
    });
  }

  announce(pass: number): void {
    for (const w of this.workers) w.postMessage(pass);
  }

  check(): void {
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Render this thread's share of a pass, then wait (without blocking events) for the other threads. */
async function runPass(pool: WorkerPool | null, plan: KernelPlan, shared: SharedRender, pass: number): Promise<void> {
  renderClaimedRows(plan, shared, pass, kernelState(plan));
  const ctl = shared.control;
  while (!passFinished(shared, pass)) {
    pool?.check();
    const seen = Atomics.load(ctl, doneCounter(pass));
    const wait = Atomics.waitAsync(ctl, doneCounter(pass), seen, 200);
    if (wait.async) await wait.value;
  }
  pool?.check();
}

export async function renderImage(plan: KernelPlan, threads: number): Promise<RenderResult> {
  const shared = allocateShared(plan);
  const rows: number[] = [];
  for (let r = Math.max(0, plan.roiYmin); r <= Math.min(plan.spixels - 1, plan.roiYmax); r++) rows.push(r);
  const roiPixels = rows.length * (Math.min(plan.fpixels - 1, plan.roiXmax) - Math.max(0, plan.roiXmin) + 1);
  const workers = Math.min(threads - 1, rows.length - 1, Math.floor(roiPixels / MIN_PIXELS_PER_WORKER));
  setPass(shared, plan, 0, rows, false);
  const pool = workers > 0 ? new WorkerPool(workers, plan, shared) : null;
  try {
    await runPass(pool, plan, shared, 0);
    const stopRow = Atomics.load(shared.control, FIRST_STOP_ROW);
    // rows after the first stop that started with interpolation on were rendered on a wrong guess
    const redo = rows.filter((r) => r > stopRow && shared.rowStartedOn[r] === 1);
    if (redo.length > 0) {
      setPass(shared, plan, 1, redo, true);
      pool?.announce(1);
      await runPass(pool, plan, shared, 1);
    }
  } finally {
    await pool?.close();
  }
  let omegaSum = 0;
  for (const r of rows) omegaSum += shared.rowOmega[r];
  const stopRow = Atomics.load(shared.control, FIRST_STOP_ROW);
  const interpolationStop =
    stopRow < plan.spixels
      ? { slow: stopRow, fast: shared.rowStopPixel[stopRow], hkl: shared.rowStopHkl.slice(6 * stopRow, 6 * stopRow + 6) }
      : null;
  return { image: shared.image, omegaSum, interpolationStop };
}
