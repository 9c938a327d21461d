/**
 * The C program's random numbers: Numerical Recipes `ran1` (minimal standard generator with a
 * Bays-Durham shuffle, in noise.as.ts, whose shuffle table is shared by every seed stream as the C's
 * static variables are) and the random rotations built on it.
 */

import { NOISE_WASM } from "./noise-wasm.generated.js";

/** A seed stream: the C's `long` passed by address. */
export interface SeedStream {
  value: number;
}

/** The exports of noise.as.ts (pointers are byte offsets into `memory`). */
export interface NoiseModule {
  memory: WebAssembly.Memory;
  ran1(stream: number): number;
  seedAfter(): number;
  gammln(x: number): number;
  gaussian(stream: number): number;
  poisson(mean: number, stream: number): number;
  heapBase(): number;
  noiseRow(means: number, mask: number, out: number, count: number, adc: number, stream: number): number;
  overloadCount(): number;
}

let compiled: WebAssembly.Module | null = null;

/** A fresh instance of the noise module: its globals are one copy of the C's static generator state. */
export function noiseModule(): NoiseModule {
  compiled ??= new WebAssembly.Module(NOISE_WASM);
  return new WebAssembly.Instance(compiled, {}).exports as unknown as NoiseModule;
}

/** The generator state the C keeps in static variables, shared by all seed streams. */
export class RandomSource {
  readonly module = noiseModule();

  /** One uniform deviate in (0, 1), as float32; advances the stream's seed. */
  ran1(seed: SeedStream): number {
    const u = this.module.ran1(seed.value);
    seed.value = this.module.seedAfter();
    return u;
  }
}

/**
 * Random rotation within a spherical cap of the given angular size (radians; 90 is treated as a
 * full sphere by the C's caller). Consumes exactly three deviates. Returns a row-major 3x3 matrix.
 */
export function mosaicRotationUmat(mosaicity: number, rng: RandomSource, seed: SeedStream): Float64Array {
  const r1 = 2.0 * rng.ran1(seed) - 1.0;
  const r2 = 2.0 * rng.ran1(seed) - 1.0;
  const r3 = 2.0 * rng.ran1(seed) - 1.0;
  const xyrad = Math.sqrt(1.0 - r2 * r2);
  // float mosaicity * powf(float, float), as in the C
  const rot = Math.fround(
    Math.fround(mosaicity) * Math.fround(Math.fround(1.0 - r3 * r3) ** Math.fround(1.0 / 3.0)),
  );
  const v1 = xyrad * Math.sin(Math.PI * r1);
  const v2 = xyrad * Math.cos(Math.PI * r1);
  const v3 = r2;
  const t1 = Math.cos(rot);
  const t2 = 1.0 - t1;
  const t3 = v1 * v1;
  const t6 = t2 * v1;
  const t7 = t6 * v2;
  const t8 = Math.sin(rot);
  const t9 = t8 * v3;
  const t11 = t6 * v3;
  const t12 = t8 * v2;
  const t15 = v2 * v2;
  const t19 = t2 * v2 * v3;
  const t20 = t8 * v1;
  const t24 = v3 * v3;
  return Float64Array.of(
    t1 + t2 * t3,
    t7 - t9,
    t11 + t12,
    t7 + t9,
    t1 + t2 * t15,
    t19 - t20,
    t11 - t12,
    t19 + t20,
    t1 + t2 * t24,
  );
}

/** Rotation angles (x, y, z, radians) of a unitary matrix, as the C's `umat2misset`. */
export function umat2misset(umat: ArrayLike<number>): [number, number, number] {
  const u = Array.from(umat);
  let [mx, my, mz] = normaliseRows(u);
  if (mx >= 0 && my <= 0 && mz <= 0) u.splice(3, 6, 0, 1, 0, 0, 0, 1);
  if (mx <= 0 && my >= 0 && mz <= 0) {
    u.splice(0, 3, 1, 0, 0);
    u.splice(6, 3, 0, 0, 1);
  }
  if (mx <= 0 && my <= 0 && mz >= 0) u.splice(0, 6, 1, 0, 0, 0, 1, 0);
  // Twice: replace any empty row by the normalised cross product of the other two.
  for (let pass = 0; pass < 2; pass++) {
    const xcy = normalised(crossRows(u, 0, 3));
    const ycz = normalised(crossRows(u, 3, 6));
    const zcx = normalised(crossRows(u, 6, 0));
    if (mx <= 0) u.splice(0, 3, ...ycz);
    if (my <= 0) u.splice(3, 3, ...zcx);
    if (mz <= 0) u.splice(6, 3, ...xcy);
  }
  [mx, my, mz] = normaliseRows(u);
  const [uxx, uxy, , uyx, uyy, , uzx, uzy, uzz] = u;
  if (uzx * uzx < 1.0) {
    return [Math.atan2(uzy, uzz), Math.atan2(-uzx, Math.sqrt(uzy * uzy + uzz * uzz)), Math.atan2(uyx, uxx)];
  }
  return [Math.atan2(1, 1) * 4, Math.atan2(1, 1) * 2, Math.atan2(uxy, -uyy)];
}

/** Divide each row of a row-major 3x3 matrix by its length (rows of length 0 are left); the lengths. */
function normaliseRows(u: number[]): [number, number, number] {
  const lengths: [number, number, number] = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    const [x, y, z] = [u[3 * r], u[3 * r + 1], u[3 * r + 2]];
    const m = Math.sqrt(x * x + y * y + z * z);
    if (m > 0) u.splice(3 * r, 3, x / m, y / m, z / m);
    lengths[r] = m;
  }
  return lengths;
}

/** Cross product of the rows starting at i and j. */
function crossRows(u: number[], i: number, j: number): [number, number, number] {
  return [
    u[i + 1] * u[j + 2] - u[i + 2] * u[j + 1],
    u[i + 2] * u[j] - u[i] * u[j + 2],
    u[i] * u[j + 1] - u[i + 1] * u[j],
  ];
}

function normalised([x, y, z]: [number, number, number]): [number, number, number] {
  const m = Math.sqrt(x * x + y * y + z * z);
  return m > 0 ? [x / m, y / m, z / m] : [x, y, z];
}
