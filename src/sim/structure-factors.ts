/**
 * Structure factors on a dense (h, k, l) grid, laid out as the C's Fdump.bin: one extra (zero) slot at
 * the end of each axis, l fastest. The kernel (kernel.as.ts) looks them up and interpolates them.
 */

import { InputError } from "../util/input-error.js";

export interface Reflection {
  h: number;
  k: number;
  l: number;
  F: number;
}

export interface HklGrid {
  hMin: number;
  hMax: number;
  kMin: number;
  kMax: number;
  lMin: number;
  lMax: number;
  /** max - min + 1 per axis */
  hRange: number;
  kRange: number;
  lRange: number;
  /** (hRange+1)(kRange+1)(lRange+1) values, l fastest. */
  values: Float64Array;
  /** The C's `hkls`: reflections read, or hRange*kRange*lRange for a grid read from Fdump.bin. */
  count: number;
}

export function gridIndex(grid: HklGrid, h: number, k: number, l: number): number {
  return ((h - grid.hMin) * (grid.kRange + 1) + (k - grid.kMin)) * (grid.lRange + 1) + (l - grid.lMin);
}

/** A grid without reflections (no -hkl and no Fdump.bin): every lookup gives default_F. */
export function emptyGrid(): HklGrid {
  return {
    hMin: 0,
    hMax: 0,
    kMin: 0,
    kMax: 0,
    lMin: 0,
    lMax: 0,
    hRange: 0,
    kRange: 0,
    lRange: 0,
    values: new Float64Array(0),
    count: 0,
  };
}

export function allocateGrid(
  hMin: number,
  hMax: number,
  kMin: number,
  kMax: number,
  lMin: number,
  lMax: number,
  buffer?: ArrayBufferLike,
): HklGrid {
  const hRange = hMax - hMin + 1;
  const kRange = kMax - kMin + 1;
  const lRange = lMax - lMin + 1;
  const size = (hRange + 1) * (kRange + 1) * (lRange + 1);
  const values = buffer
    ? new Float64Array(buffer, 0, size)
    : new Float64Array(new SharedArrayBuffer(size * 8));
  return { hMin, hMax, kMin, kMax, lMin, lMax, hRange, kRange, lRange, values, count: 0 };
}

/**
 * The grid the C builds from an HKL list: cells inside the index ranges start at default_F (when it
 * is not zero), the padding slots at zero, then each reflection is stored (a later duplicate wins).
 */
export function gridFromReflections(
  reflections: readonly Reflection[],
  defaultF: number,
  source: string,
): HklGrid {
  if (reflections.length === 0)
    throw new InputError(`${source}: no reflections (expected lines of "h k l F")`);
  let [hMin, kMin, lMin] = [1e9, 1e9, 1e9];
  let [hMax, kMax, lMax] = [-1e9, -1e9, -1e9];
  for (const r of reflections) {
    if (hMin > r.h) hMin = r.h;
    if (kMin > r.k) kMin = r.k;
    if (lMin > r.l) lMin = r.l;
    if (hMax < r.h) hMax = r.h;
    if (kMax < r.k) kMax = r.k;
    if (lMax < r.l) lMax = r.l;
  }
  const grid = allocateGrid(hMin, hMax, kMin, kMax, lMin, lMax);
  if (defaultF !== 0.0) {
    for (let i = 0; i < grid.hRange; i++) {
      for (let j = 0; j < grid.kRange; j++) {
        const row = (i * (grid.kRange + 1) + j) * (grid.lRange + 1);
        grid.values.fill(defaultF, row, row + grid.lRange);
      }
    }
  }
  for (const r of reflections) grid.values[gridIndex(grid, r.h, r.k, r.l)] = r.F;
  grid.count = reflections.length;
  return grid;
}
