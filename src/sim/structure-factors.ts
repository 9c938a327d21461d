/**
 * Structure factors on a dense (h, k, l) grid, laid out as the C's Fdump.bin: one extra (zero) slot at
 * the end of each axis, l fastest. Also the 4-point Lagrange interpolation the C uses for the
 * tricubic -interpolate mode, with the C's operation order.
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

/** 4-point Lagrange interpolation through (xa[i], ya[o + i]) at x (C `polint`). */
export function polint(xa: ArrayLike<number>, ya: ArrayLike<number>, x: number, o = 0): number {
  const x0 =
    ((x - xa[1]) * (x - xa[2]) * (x - xa[3]) * ya[o]) / ((xa[0] - xa[1]) * (xa[0] - xa[2]) * (xa[0] - xa[3]));
  const x1 =
    ((x - xa[0]) * (x - xa[2]) * (x - xa[3]) * ya[o + 1]) /
    ((xa[1] - xa[0]) * (xa[1] - xa[2]) * (xa[1] - xa[3]));
  const x2 =
    ((x - xa[0]) * (x - xa[1]) * (x - xa[3]) * ya[o + 2]) /
    ((xa[2] - xa[0]) * (xa[2] - xa[1]) * (xa[2] - xa[3]));
  const x3 =
    ((x - xa[0]) * (x - xa[1]) * (x - xa[2]) * ya[o + 3]) /
    ((xa[3] - xa[0]) * (xa[3] - xa[1]) * (xa[3] - xa[2]));
  return x0 + x1 + x2 + x3;
}

/**
 * Scratch for tricubic interpolation, one per thread: the 4x4x4 neighbourhood (h slowest, l fastest),
 * node coordinates and partial results.
 */
export interface InterpolationScratch {
  cube: Float64Array;
  hNodes: Float64Array;
  kNodes: Float64Array;
  lNodes: Float64Array;
  row: Float64Array;
  plane: Float64Array;
}

export function interpolationScratch(): InterpolationScratch {
  return {
    cube: new Float64Array(64),
    hNodes: new Float64Array(4),
    kNodes: new Float64Array(4),
    lNodes: new Float64Array(4),
    row: new Float64Array(4),
    plane: new Float64Array(4),
  };
}

/**
 * Tricubic F at fractional (h, k, l) from the grid nodes floor(x)-1 .. floor(x)+2 on each axis: along
 * l for each (h, k), then along k, then along h (C `polin3`). The caller has checked the range.
 */
export function interpolateF(
  grid: HklGrid,
  s: InterpolationScratch,
  h: number,
  k: number,
  l: number,
): number {
  const hf = Math.floor(h);
  const kf = Math.floor(k);
  const lf = Math.floor(l);
  for (let i = 0; i < 4; i++) {
    s.hNodes[i] = hf - 1 + i;
    s.kNodes[i] = kf - 1 + i;
    s.lNodes[i] = lf - 1 + i;
  }
  const { values, kRange, lRange, hMin, kMin, lMin } = grid;
  for (let i1 = 0; i1 < 4; i1++) {
    for (let i2 = 0; i2 < 4; i2++) {
      const base =
        ((hf - 1 + i1 - hMin) * (kRange + 1) + (kf - 1 + i2 - kMin)) * (lRange + 1) + (lf - 1 - lMin);
      for (let i3 = 0; i3 < 4; i3++) s.cube[i1 * 16 + i2 * 4 + i3] = values[base + i3];
    }
  }
  for (let i1 = 0; i1 < 4; i1++) {
    for (let i2 = 0; i2 < 4; i2++) {
      s.row[i2] = polint(s.lNodes, s.cube, l, i1 * 16 + i2 * 4);
    }
    s.plane[i1] = polint(s.kNodes, s.row, k);
  }
  return polint(s.hNodes, s.plane, h);
}

/** F at the nearest node, or default_F off the grid (and always without reflections). */
export function nearestF(grid: HklGrid, defaultF: number, h0: number, k0: number, l0: number): number {
  if (
    grid.count &&
    h0 <= grid.hMax &&
    h0 >= grid.hMin &&
    k0 <= grid.kMax &&
    k0 >= grid.kMin &&
    l0 <= grid.lMax &&
    l0 >= grid.lMin
  ) {
    return grid.values[
      ((h0 - grid.hMin) * (grid.kRange + 1) + (k0 - grid.kMin)) * (grid.lRange + 1) + (l0 - grid.lMin)
    ];
  }
  return defaultF;
}

/** The C's test for a full 4x4x4 neighbourhood inside the grid. */
export function interpolationOutOfRange(grid: HklGrid, h: number, k: number, l: number): boolean {
  return (
    h - grid.hMin + 3 > grid.hRange ||
    h - 2 < grid.hMin ||
    k - grid.kMin + 3 > grid.kRange ||
    k - 2 < grid.kMin ||
    l - grid.lMin + 3 > grid.lRange ||
    l - 2 < grid.lMin
  );
}
