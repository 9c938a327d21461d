/**
 * The row loop shared by the main thread and the workers: rows are claimed one at a time from a
 * shared counter, so that threads stay balanced, and every pixel is written straight into the shared
 * float image. The C's global interpolation switch is reproduced across threads: a row starts with
 * interpolation on only if no earlier row is known to have switched it off; rows that guessed wrong
 * are rendered again in a second pass (see cpu.ts), so the image never depends on the thread count.
 */

import { type KernelPlan, type KernelState, renderSpan } from "../sim/kernel.js";
import { ROW_STATS } from "../sim/stats.js";

/** The two passes of a render: every ROI row, then the rows to render again. */
export const PASSES = 2;

/** Shared buffers of one render. */
export interface SharedRender {
  image: Float32Array;
  /** Solid-angle sum of each row. */
  rowOmega: Float64Array;
  /** Partial image statistics of each row (ROW_STATS fields). */
  rowStats: Float64Array;
  /** 1 where the row was rendered starting with interpolation on. */
  rowStartedOn: Int32Array;
  /** Per row: fast index of the pixel that switched interpolation off (-1 when none), and its hkl. */
  rowStopPixel: Int32Array;
  rowStopHkl: Float64Array;
  /** Rows of each pass, `spixels` slots per pass. */
  rows: Int32Array;
  /** 1 once a row has been rendered in the current pass. */
  rowDone: Int32Array;
  /** [first row known to stop interpolation] then per pass [next, count, done, force interpolation off]. */
  control: Int32Array;
}

export const FIRST_STOP_ROW = 0;
const NEXT = 1;
const COUNT = 2;
const DONE = 3;
const FORCE_OFF = 4;
const PASS_FIELDS = 4;

export function passField(
  pass: number,
  field: typeof NEXT | typeof COUNT | typeof DONE | typeof FORCE_OFF,
): number {
  return 1 + pass * PASS_FIELDS + (field - 1);
}

export function allocateShared(plan: KernelPlan): SharedRender {
  const { fpixels, spixels } = plan;
  const i32 = (n: number) => new Int32Array(new SharedArrayBuffer(4 * n));
  const f64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));
  const control = i32(1 + PASSES * PASS_FIELDS);
  control[FIRST_STOP_ROW] = spixels;
  return {
    image: new Float32Array(new SharedArrayBuffer(4 * fpixels * spixels)),
    rowOmega: f64(spixels),
    rowStats: f64(ROW_STATS * spixels),
    rowStartedOn: i32(spixels),
    rowStopPixel: i32(spixels).fill(-1),
    rowStopHkl: f64(6 * spixels),
    rows: i32(PASSES * spixels),
    rowDone: i32(spixels),
    control,
  };
}

/** Publish the rows of a pass; the count goes last, so that no thread claims from a half-set pass. */
export function setPass(
  shared: SharedRender,
  plan: KernelPlan,
  pass: number,
  rows: readonly number[],
  forceOff: boolean,
): void {
  shared.rows.set(rows, pass * plan.spixels);
  for (const r of rows) Atomics.store(shared.rowDone, r, 0);
  const ctl = shared.control;
  Atomics.store(ctl, passField(pass, FORCE_OFF), forceOff ? 1 : 0);
  Atomics.store(ctl, passField(pass, COUNT), rows.length);
}

export function passFinished(shared: SharedRender, pass: number): boolean {
  const ctl = shared.control;
  return Atomics.load(ctl, passField(pass, DONE)) >= Atomics.load(ctl, passField(pass, COUNT));
}

export function passCount(shared: SharedRender, pass: number): number {
  return Atomics.load(shared.control, passField(pass, COUNT));
}

export function doneCounter(pass: number): number {
  return passField(pass, DONE);
}

function recordStop(shared: SharedRender, row: number, stop: Float64Array): void {
  shared.rowStopPixel[row] = stop[6];
  shared.rowStopHkl.set(stop.subarray(0, 6), 6 * row);
  const ctl = shared.control;
  for (;;) {
    const known = Atomics.load(ctl, FIRST_STOP_ROW);
    if (known <= row || Atomics.compareExchange(ctl, FIRST_STOP_ROW, known, row) === known) return;
  }
}

function renderRow(
  plan: KernelPlan,
  shared: SharedRender,
  state: KernelState,
  row: number,
  forceOff: boolean,
): void {
  state.interpolate = plan.interpolate && !forceOff && Atomics.load(shared.control, FIRST_STOP_ROW) > row;
  shared.rowStartedOn[row] = state.interpolate ? 1 : 0;
  state.interpolationStop = null;
  state.omegaSum = 0;
  const first = Math.max(0, plan.roiXmin);
  const last = Math.min(plan.fpixels - 1, plan.roiXmax);
  renderSpan(plan, state, row, first, last, shared.image, 0, null);
  if (state.interpolationStop) recordStop(shared, row, state.interpolationStop);
  shared.rowOmega[row] = state.omegaSum;
  shared.rowStats.set(state.spanStats, ROW_STATS * row);
}

/** Claim the next row of a pass and render it; false when none is left. */
export function renderNextRow(
  plan: KernelPlan,
  shared: SharedRender,
  pass: number,
  state: KernelState,
): boolean {
  const ctl = shared.control;
  const i = Atomics.add(ctl, passField(pass, NEXT), 1);
  if (i >= Atomics.load(ctl, passField(pass, COUNT))) return false;
  const row = shared.rows[pass * plan.spixels + i];
  renderRow(plan, shared, state, row, Atomics.load(ctl, passField(pass, FORCE_OFF)) === 1);
  Atomics.store(shared.rowDone, row, 1);
  Atomics.add(ctl, passField(pass, DONE), 1);
  Atomics.notify(ctl, passField(pass, DONE));
  return true;
}

/** Claim and render rows of a pass until none is left. */
export function renderClaimedRows(
  plan: KernelPlan,
  shared: SharedRender,
  pass: number,
  state: KernelState,
): void {
  while (renderNextRow(plan, shared, pass, state));
}
