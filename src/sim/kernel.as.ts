/**
 * The pixel kernel in AssemblyScript, compiled to WebAssembly by the build (scripts/build-wasm.mjs).
 * Each thread instantiates the module over its own memory, where kernel.ts has laid out the plan: V8
 * compiles WebAssembly in about a millisecond and runs it at full speed from the first pixel, where
 * the same kernel in JavaScript ran its first rows in baseline code, allocating a heap number per
 * float, until an optimising compile of tens of milliseconds per thread finished.
 *
 * The loop nest, the caching of the solid angle, polarization and capture fraction, and every
 * floating-point operation follow the C reference in order, so that results are the C's up to the
 * last bits of the math library. The math functions are AssemblyScript's (musl's algorithms, within
 * an ulp): its sin differs from the C's glibc slightly less often than V8's Math.sin does (3.1% of
 * arguments against 3.3%), and a call out to the host for each of the six sines per path costs about
 * as much as the sine itself.
 *
 * Two paths: renderPixels, one pixel at a time, for every plan (and the trace); renderPair, two
 * pixels per 128-bit vector with the same operations in each lane, for the plans it covers (see
 * `pairs`), 1.6 times as fast. A change to the physics goes into both; tests/sim/kernel-pairs.test.ts
 * holds them to the same bits.
 */

import { sin2 } from "./sin2.as";

// The PixelTracer hooks of kernel.ts, called only when a pixel is rendered for inspection.
@external("env", "traceSource")
declare function traceSource(
  source: i32,
  px: f64,
  py: f64,
  pz: f64,
  airpath: f64,
  omega: f64,
  dx: f64,
  dy: f64,
  dz: f64,
  ix: f64,
  iy: f64,
  iz: f64,
  lambda: f64,
  qx: f64,
  qy: f64,
  qz: f64,
  stol: f64,
): void;
@external("env", "traceIndices")
declare function traceIndices(
  source: i32,
  phiTic: i32,
  mos: i32,
  cellIndex: i32,
  h: f64,
  k: f64,
  l: f64,
  h0: f64,
  k0: f64,
  l0: f64,
): void;
@external("env", "traceLattice")
declare function traceLattice(
  source: i32,
  phiTic: i32,
  mos: i32,
  k: f64,
  fa: f64,
  fb: f64,
  fc: f64,
  fLatt: f64,
): void;
@external("env", "traceStructureFactor")
declare function traceStructureFactor(
  source: i32,
  phiTic: i32,
  mos: i32,
  fCell: f64,
  fLatt: f64,
  polar: f64,
  cos2theta: f64,
  lambda: f64,
): void;
@external("env", "traceFinal")
declare function traceFinal(I: f64, capture: f64, polar: f64, omega: f64, cos2theta: f64, value: f64): void;

const SQUARE: i32 = 0;
const ROUND: i32 = 1;
const GAUSS: i32 = 2;
/** lattice.ts ROUND_SCALE and TOPHAT_CUTOFF. */
const ROUND_SCALE: f64 = 0.723601254558268;
const TOPHAT_CUTOFF: f64 = 0.3969;

// The plan, read by `configure` from the header kernel.ts writes, in the order of its planHeader.
let fpixels: i32 = 0;
let oversample: i32 = 0;
let subpixelSize: f64 = 0;
let pixelSize: f64 = 0;
let thicksteps: i32 = 0;
let thickstep: f64 = 0;
let detectorThick: f64 = 0;
let detectorMu: f64 = 0;
let curved: bool = false;
let pointPixel: bool = false;
let distance: f64 = 0;
let closeDistance: f64 = 0;
let sources: i32 = 0;
let dmin: f64 = 0;
let nopolar: bool = false;
let polarization: f64 = 0;
let oversampleThick: bool = false;
let oversamplePolar: bool = false;
let oversampleOmega: bool = false;
let phisteps: i32 = 0;
let domains: i32 = 0;
let firstPathPixel: i32 = -1;
let shape: i32 = 0;
let Na: f64 = 0;
let Nb: f64 = 0;
let Nc: f64 = 0;
let fudge: f64 = 0;
let Ibg: f64 = 0;
let waterSize: f64 = 0;
let defaultF: f64 = 0;
let interpolationFallbackNearest: bool = false;
let reFluence: f64 = 0;
let steps: f64 = 0;
let gridCount: i32 = 0;
let hMin: i32 = 0;
let hMax: i32 = 0;
let kMin: i32 = 0;
let kMax: i32 = 0;
let lMin: i32 = 0;
let lMax: i32 = 0;
let hRange: i32 = 0;
// the index bounds as floats for the nearest-node test; an empty grid gets bounds no index is within
let hLow: f64 = 0;
let hHigh: f64 = 0;
let kLow: f64 = 0;
let kHigh: f64 = 0;
let lLow: f64 = 0;
let lHigh: f64 = 0;
let kRange: i32 = 0;
let lRange: i32 = 0;
// byte offsets of the plan's arrays; mask 0 when there is none
let mask: usize = 0;
let detector: usize = 0;
let sourceDirection: usize = 0;
let sourceIncidentAgain: usize = 0;
let sourceLambda: usize = 0;
let polarAxis: usize = 0;
let cellTable: usize = 0;
let cellTableFirst: usize = 0;
let reciprocal: usize = 0;
let gridValues: usize = 0;
// the detector's fast and slow axes, for curvedPosition
let fdetX: f64 = 0;
let fdetY: f64 = 0;
let fdetZ: f64 = 0;
let sdetX: f64 = 0;
let sdetY: f64 = 0;
let sdetZ: f64 = 0;
/**
 * Whether the plan can take the two-pixel path (renderPair): one source, one layer without
 * thickness, a flat unmasked detector, no d_min cut, the square shape, no per-subpixel factors.
 */
let pairs = false;
/** The thread's state: omegaSum, paths, interpolate (0/1), stopped (0/1), then h k l h0 k0 l0 fpixel. */
let state: usize = 0;
/** Scratch: the tricubic neighbourhood (64), its nodes (3 x 4), row (4) and plane (4). */
let scratch: usize = 0;

@inline
function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + ((<usize>i) << 3));
}

@inline
function i32At(base: usize, i: i32): i32 {
  return <i32>f64At(base, i);
}

@inline
function flagAt(base: usize, i: i32): bool {
  return f64At(base, i) !== 0.0;
}

/** Where the module's own static data ends: kernel.ts lays the plan out from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Read the plan from the header at `header` (planHeader in kernel.ts). */
export function configure(header: usize): void {
  let i = 0;
  fpixels = i32At(header, i++);
  oversample = i32At(header, i++);
  subpixelSize = f64At(header, i++);
  pixelSize = f64At(header, i++);
  thicksteps = i32At(header, i++);
  thickstep = f64At(header, i++);
  detectorThick = f64At(header, i++);
  detectorMu = f64At(header, i++);
  curved = flagAt(header, i++);
  pointPixel = flagAt(header, i++);
  distance = f64At(header, i++);
  closeDistance = f64At(header, i++);
  sources = i32At(header, i++);
  dmin = f64At(header, i++);
  nopolar = flagAt(header, i++);
  polarization = f64At(header, i++);
  oversampleThick = flagAt(header, i++);
  oversamplePolar = flagAt(header, i++);
  oversampleOmega = flagAt(header, i++);
  phisteps = i32At(header, i++);
  domains = i32At(header, i++);
  firstPathPixel = i32At(header, i++);
  shape = i32At(header, i++);
  Na = f64At(header, i++);
  Nb = f64At(header, i++);
  Nc = f64At(header, i++);
  fudge = f64At(header, i++);
  Ibg = f64At(header, i++);
  waterSize = f64At(header, i++);
  defaultF = f64At(header, i++);
  interpolationFallbackNearest = flagAt(header, i++);
  reFluence = f64At(header, i++);
  steps = f64At(header, i++);
  gridCount = i32At(header, i++);
  hMin = i32At(header, i++);
  hMax = i32At(header, i++);
  kMin = i32At(header, i++);
  kMax = i32At(header, i++);
  lMin = i32At(header, i++);
  lMax = i32At(header, i++);
  hRange = i32At(header, i++);
  kRange = i32At(header, i++);
  lRange = i32At(header, i++);
  mask = <usize>i32At(header, i++);
  detector = <usize>i32At(header, i++);
  sourceDirection = <usize>i32At(header, i++);
  sourceIncidentAgain = <usize>i32At(header, i++);
  sourceLambda = <usize>i32At(header, i++);
  polarAxis = <usize>i32At(header, i++);
  cellTable = <usize>i32At(header, i++);
  cellTableFirst = <usize>i32At(header, i++);
  reciprocal = <usize>i32At(header, i++);
  gridValues = <usize>i32At(header, i++);
  state = <usize>i32At(header, i++);
  scratch = <usize>i32At(header, i++);
  fdetX = f64At(detector, 3);
  fdetY = f64At(detector, 4);
  fdetZ = f64At(detector, 5);
  sdetX = f64At(detector, 6);
  sdetY = f64At(detector, 7);
  sdetZ = f64At(detector, 8);
  pairs =
    sources === 1 &&
    thicksteps === 1 &&
    detectorThick === 0.0 &&
    !curved &&
    mask === 0 &&
    dmin <= 0.0 &&
    shape === SQUARE &&
    !oversampleThick &&
    !oversamplePolar &&
    !oversampleOmega;
  const empty = gridCount === 0;
  hLow = empty ? Infinity : <f64>hMin;
  hHigh = empty ? -Infinity : <f64>hMax;
  kLow = empty ? Infinity : <f64>kMin;
  kHigh = empty ? -Infinity : <f64>kMax;
  lLow = empty ? Infinity : <f64>lMin;
  lHigh = empty ? -Infinity : <f64>lMax;
}

/**
 * Render pixels fFirst..fLast of row `spixel` (the caller clips to the ROI; masked pixels are
 * skipped) into the float32 array at `out`, element index - outBase, as the C's
 * `floatimage[index] += value` on a zeroed image.
 */
export function renderSpan(spixel: i32, fFirst: i32, fLast: i32, out: usize, outBase: i32): void {
  // with interpolation on, a pixel may switch it off for the next: one pixel at a time
  if (!pairs || flagAt(state, 2)) {
    renderOne(spixel, fFirst, fLast, out, outBase);
    return;
  }
  const rowBase = spixel * fpixels;
  let f = fFirst;
  for (; f < fLast; f += 2) {
    const index = rowBase + f;
    // the C's first path has its own cell table
    if (index === firstPathPixel || index + 1 === firstPathPixel || !renderPair(spixel, f, out, outBase))
      renderOne(spixel, f, f + 1, out, outBase);
  }
  if (f === fLast) renderOne(spixel, f, f, out, outBase);
}

/**
 * Partial statistics of pixels fFirst..fLast of row `spixel` as held at `out` (element index -
 * outBase), into the 8 doubles at `stats` (stats.ts ROW_STATS): sum, sum of squares and count of the
 * unmasked pixels, their maximum (first of equals) and its pixel index, then the sum, count and
 * squared deviations from their mean of all the pixels. Here rather than in JavaScript, where the
 * loops ran unoptimised for a thread's first rows.
 */
export function spanStats(spixel: i32, fFirst: i32, fLast: i32, out: usize, outBase: i32, stats: usize): void {
  const first = spixel * fpixels + fFirst;
  const last = spixel * fpixels + fLast;
  let sum: f64 = 0.0;
  let sumsqr: f64 = 0.0;
  let n: i32 = 0;
  let max: f64 = 0.0;
  let maxIndex: i32 = -1;
  let roiSum: f64 = 0.0;
  for (let index = first; index <= last; index++) {
    const v = <f64>load<f32>(out + ((<usize>(index - outBase)) << 2));
    roiSum += v;
    if (mask !== 0 && load<u16>(mask + ((<usize>index) << 1)) === 0) continue;
    if (v > max) {
      max = v;
      maxIndex = index;
    }
    sum += v;
    sumsqr += v * v;
    n++;
  }
  const roiCount = last - first + 1;
  const roiMean = roiCount > 0 ? roiSum / <f64>roiCount : 0.0;
  let m2: f64 = 0.0;
  for (let index = first; index <= last; index++) {
    const d = <f64>load<f32>(out + ((<usize>(index - outBase)) << 2)) - roiMean;
    m2 += d * d;
  }
  store<f64>(stats, sum, 0);
  store<f64>(stats, sumsqr, 8);
  store<f64>(stats, <f64>n, 16);
  store<f64>(stats, max, 24);
  store<f64>(stats, <f64>maxIndex, 32);
  store<f64>(stats, roiSum, 40);
  store<f64>(stats, <f64>roiCount, 48);
  store<f64>(stats, m2, 56);
}

function renderOne(spixel: i32, fFirst: i32, fLast: i32, out: usize, outBase: i32): void {
  renderPixels(spixel, fFirst, fLast, out, outBase, false);
}

/** renderSpan reporting every intermediate value through the trace hooks. */
export function traceSpan(spixel: i32, fFirst: i32, fLast: i32, out: usize, outBase: i32): void {
  renderPixels(spixel, fFirst, fLast, out, outBase, true);
}

/** The kernel, compiled twice: without tracing, no trace code is left in the loop. */
@inline
function renderPixels(spixel: i32, fFirst: i32, fLast: i32, out: usize, outBase: i32, tracing: bool): void {
  const os = oversample;
  const sub = subpixelSize;
  const halfSub = sub / 2.0;
  const det = detector;
  const p0x = f64At(det, 0);
  const p0y = f64At(det, 1);
  const p0z = f64At(det, 2);
  const fx = fdetX;
  const fy = fdetY;
  const fz = fdetZ;
  const sx = sdetX;
  const sy = sdetY;
  const sz = sdetZ;
  const ox = f64At(det, 9);
  const oy = f64At(det, 10);
  const oz = f64At(det, 11);
  const pixelSqr = pixelSize * pixelSize;
  const mu = detectorMu;
  const captureStart: f64 = detectorThick === 0.0 ? 1.0 : 0.0;
  const polarStart: f64 = nopolar ? 1.0 : 0.0;
  const kahn = polarization;
  const pax = f64At(polarAxis, 0);
  const pay = f64At(polarAxis, 1);
  const paz = f64At(polarAxis, 2);
  const noWater = waterSize === 0.0;
  const osThick = oversampleThick;
  const osPolar = oversamplePolar;
  const osOmega = oversampleOmega;
  const rowBase = spixel * fpixels;
  // the plan's globals, read once per call
  const maskAt = mask;
  const curvedDetector = curved;
  const point = pointPixel;
  const close = closeDistance;
  const layers = thicksteps;
  const layerStep = thickstep;
  const nSources = sources;
  const srcDirection = sourceDirection;
  const srcLambda = sourceLambda;
  const srcAgain = sourceIncidentAgain;
  const dMin = dmin;
  const phiSteps = phisteps;
  const nDomains = domains;
  const table = cellTable;
  const tableFirst = cellTableFirst;
  const firstPathIndex = firstPathPixel;
  const square = shape === SQUARE;
  const na = Na;
  const nb = Nb;
  const nc = Nc;
  const background = Ibg;
  const fluence = reFluence;
  const nSteps = steps;
  let omegaSum = f64At(state, 0);
  let paths = f64At(state, 1);
  let interpolate = flagAt(state, 2);

  for (let fpixel = fFirst; fpixel <= fLast; fpixel++) {
    const index = rowBase + fpixel;
    if (maskAt !== 0 && load<u16>(maskAt + ((<usize>index) << 1)) === 0) continue;

    let I = background;
    let polar = polarStart;
    let omega: f64 = 0.0;
    let capture: f64 = 0.0;
    let ix: f64 = 0.0;
    let iy: f64 = 0.0;
    let iz: f64 = 0.0;
    let dx: f64 = 0.0;
    let dy: f64 = 0.0;
    let dz: f64 = 0.0;
    let firstPath = firstPathIndex === index;

    for (let t = 0; t < layers; t++) {
      const Odet = <f64>t * layerStep;
      capture = captureStart;
      for (let subS = 0; subS < os; subS++) {
        for (let subF = 0; subF < os; subF++) {
          const Fdet = sub * <f64>(fpixel * os + subF) + halfSub;
          const Sdet = sub * <f64>(spixel * os + subS) + halfSub;
          let px = Fdet * fx + Sdet * sx + Odet * ox + p0x;
          let py = Fdet * fy + Sdet * sy + Odet * oy + p0y;
          let pz = Fdet * fz + Sdet * sz + Odet * oz + p0z;
          if (curvedDetector) {
            curvedPosition(py, pz);
            px = f64At(scratch, 0);
            py = f64At(scratch, 1);
            pz = f64At(scratch, 2);
          }
          const airpath = Math.sqrt(px * px + py * py + pz * pz);
          if (airpath !== 0.0) {
            dx = px / airpath;
            dy = py / airpath;
            dz = pz / airpath;
          } else {
            dx = 0.0;
            dy = 0.0;
            dz = 0.0;
          }
          if (omega === 0.0 || osOmega) {
            omega = point
              ? 1.0 / airpath / airpath
              : ((pixelSqr / airpath / airpath) * close) / airpath;
          }
          omegaSum += omega;
          if (capture === 0.0 || osThick) {
            const parallax = dx * ox + dy * oy + dz * oz;
            capture =
              Math.exp((-<f64>t * layerStep * mu) / parallax) - Math.exp((-<f64>(t + 1) * layerStep * mu) / parallax);
          }

          for (let source = 0; source < nSources; source++) {
            ix = -f64At(srcDirection, 3 * source);
            iy = -f64At(srcDirection, 3 * source + 1);
            iz = -f64At(srcDirection, 3 * source + 2);
            const lambda = f64At(srcLambda, source);
            const qx = (dx - ix) / lambda;
            const qy = (dy - iy) / lambda;
            const qz = (dz - iz) / lambda;
            if (tracing) {
              const stol = 0.5 * Math.sqrt(qx * qx + qy * qy + qz * qz);
              traceSource(source, px, py, pz, airpath, omega, dx, dy, dz, ix, iy, iz, lambda, qx, qy, qz, stol);
            }
            if (dMin > 0.0) {
              const stol = 0.5 * Math.sqrt(qx * qx + qy * qy + qz * qz);
              if (stol > 0.0 && dMin > 0.5 / stol) continue;
            }
            if (polar === 0.0 || osPolar) {
              // the C normalises the diffracted vector in place and keeps using it
              normalise(dx, dy, dz);
              dx = unitX;
              dy = unitY;
              dz = unitZ;
              ix = f64At(srcAgain, 3 * source);
              iy = f64At(srcAgain, 3 * source + 1);
              iz = f64At(srcAgain, 3 * source + 2);
              polar = polarizationFactor(kahn, ix, iy, iz, dx, dy, dz, pax, pay, paz);
            }

            const cell = firstPath ? tableFirst : table;
            firstPath = false;
            paths += 1.0;
            for (let phiTic = 0; phiTic < phiSteps; phiTic++) {
              for (let mos = 0; mos < nDomains; mos++) {
                const e = (phiTic * nDomains + mos) * 9;
                const h = f64At(cell, e) * qx + f64At(cell, e + 1) * qy + f64At(cell, e + 2) * qz;
                const k = f64At(cell, e + 3) * qx + f64At(cell, e + 4) * qy + f64At(cell, e + 5) * qz;
                const l = f64At(cell, e + 6) * qx + f64At(cell, e + 7) * qy + f64At(cell, e + 8) * qz;
                const h0 = Math.ceil(h - 0.5);
                const k0 = Math.ceil(k - 0.5);
                const l0 = Math.ceil(l - 0.5);
                if (tracing) traceIndices(source, phiTic, mos, cell === tableFirst ? -1 - e : e, h, k, l, h0, k0, l0);

                let fLatt: f64 = 1.0;
                if (square) {
                  let fa: f64 = 1.0;
                  let fb: f64 = 1.0;
                  let fc: f64 = 1.0;
                  if (na > 1) {
                    const x = Math.PI * h;
                    fa = x === 0.0 ? na : Math.sin(x * na) / Math.sin(x);
                    fLatt *= fa;
                  }
                  if (nb > 1) {
                    const x = Math.PI * k;
                    fb = x === 0.0 ? nb : Math.sin(x * nb) / Math.sin(x);
                    fLatt *= fb;
                  }
                  if (nc > 1) {
                    const x = Math.PI * l;
                    fc = x === 0.0 ? nc : Math.sin(x * nc) / Math.sin(x);
                    fLatt *= fc;
                  }
                  if (tracing) traceLattice(source, phiTic, mos, k, fa, fb, fc, fLatt);
                } else {
                  fLatt = shapedLattice(h, k, l, h0, k0, l0);
                  if (tracing) traceLattice(source, phiTic, mos, k, NaN, NaN, NaN, fLatt);
                }
                if (fLatt === 0.0 && noWater) continue;

                let fCell: f64;
                if (interpolate && interpolationOutOfRange(h, k, l)) {
                  interpolate = false;
                  store<f64>(state, 1.0, 24);
                  store<f64>(state, h, 32);
                  store<f64>(state, k, 40);
                  store<f64>(state, l, 48);
                  store<f64>(state, h0, 56);
                  store<f64>(state, k0, 64);
                  store<f64>(state, l0, 72);
                  store<f64>(state, <f64>fpixel, 80);
                  fCell = interpolationFallbackNearest ? nearestF(h0, k0, l0) : defaultF;
                } else if (interpolate) {
                  fCell = interpolateF(h, k, l);
                } else {
                  fCell = nearestF(h0, k0, l0);
                }
                if (tracing)
                  traceStructureFactor(source, phiTic, mos, fCell, fLatt, polar, ix * dx + iy * dy + iz * dz, lambda);

                I += fCell * fCell * fLatt * fLatt;
                if (osThick) I *= capture;
                if (osPolar) I *= polar;
                if (osOmega) I *= omega;
              }
            }
          }
        }
      }
    }

    let value = (fluence * I) / nSteps;
    if (!osThick) value *= capture;
    if (!osPolar) value *= polar;
    if (!osOmega) value *= omega;
    if (tracing) traceFinal(I, capture, polar, omega, ix * dx + iy * dy + iz * dz, value);
    store<f32>(out + ((<usize>(index - outBase)) << 2), <f32>(0.0 + value));
  }
  store<f64>(state, omegaSum, 0);
  store<f64>(state, paths, 8);
  store<f64>(state, interpolate ? 1.0 : 0.0, 16);
}

@inline
function splat(x: f64): v128 {
  return f64x2.splat(x);
}

/** N where x is 0, else sin(N x) / sin(x), on both lanes. */
@inline
function sincg2(x: v128, n: f64): v128 {
  const ratio = f64x2.div(sin2(f64x2.mul(x, splat(n))), sin2(x));
  return v128.bitselect(splat(n), ratio, f64x2.eq(x, splat(0.0)));
}

/**
 * Pixels f and f + 1 of row `spixel` at once, one per lane, for a plan that takes the two-pixel path:
 * every lane does the scalar kernel's operations in its order, so that each pixel gets the bits
 * renderPixels gives it. Returns false, leaving the state as it was, where a lane would leave that
 * path (a solid angle of 0, recomputed at every subpixel by the scalar kernel).
 */
@inline
function renderPair(spixel: i32, f: i32, out: usize, outBase: i32): bool {
  const os = oversample;
  const sub = subpixelSize;
  const halfSub = sub / 2.0;
  const det = detector;
  const p0x = f64At(det, 0);
  const p0y = f64At(det, 1);
  const p0z = f64At(det, 2);
  const ox = f64At(det, 9);
  const oy = f64At(det, 10);
  const oz = f64At(det, 11);
  const pixelSqr = pixelSize * pixelSize;
  const ix = -f64At(sourceDirection, 0);
  const iy = -f64At(sourceDirection, 1);
  const iz = -f64At(sourceDirection, 2);
  const lambda = f64At(sourceLambda, 0);
  const noWater = waterSize === 0.0;
  const Odet: f64 = 0.0;
  const pa = <f64>(f * os);
  const pb = <f64>((f + 1) * os);
  let I = splat(Ibg);
  let polarA: f64 = nopolar ? 1.0 : 0.0;
  let polarB = polarA;
  let omega = splat(0.0);
  let paths = f64At(state, 1);
  for (let subS = 0; subS < os; subS++) {
    const Sdet = sub * <f64>(spixel * os + subS) + halfSub;
    for (let subF = 0; subF < os; subF++) {
      const Fdet = f64x2.add(f64x2.mul(splat(sub), f64x2(pa + <f64>subF, pb + <f64>subF)), splat(halfSub));
      const px = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(Fdet, splat(fdetX)), splat(Sdet * sdetX)), splat(Odet * ox)), splat(p0x));
      const py = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(Fdet, splat(fdetY)), splat(Sdet * sdetY)), splat(Odet * oy)), splat(p0y));
      const pz = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(Fdet, splat(fdetZ)), splat(Sdet * sdetZ)), splat(Odet * oz)), splat(p0z));
      const airpath = f64x2.sqrt(f64x2.add(f64x2.add(f64x2.mul(px, px), f64x2.mul(py, py)), f64x2.mul(pz, pz)));
      const flat = f64x2.eq(airpath, splat(0.0));
      const dx = v128.bitselect(splat(0.0), f64x2.div(px, airpath), flat);
      const dy = v128.bitselect(splat(0.0), f64x2.div(py, airpath), flat);
      const dz = v128.bitselect(splat(0.0), f64x2.div(pz, airpath), flat);
      const unset = f64x2.eq(omega, splat(0.0));
      if (v128.any_true(unset)) {
        const solid = pointPixel
          ? f64x2.div(f64x2.div(splat(1.0), airpath), airpath)
          : f64x2.div(f64x2.mul(f64x2.div(f64x2.div(splat(pixelSqr), airpath), airpath), splat(closeDistance)), airpath);
        omega = v128.bitselect(solid, omega, unset);
      }
      const qx = f64x2.div(f64x2.sub(dx, splat(ix)), splat(lambda));
      const qy = f64x2.div(f64x2.sub(dy, splat(iy)), splat(lambda));
      const qz = f64x2.div(f64x2.sub(dz, splat(iz)), splat(lambda));
      if (polarA === 0.0 && polarB === 0.0 && polarization === 0.0) {
        const polar = unpolarized2(dx, dy, dz);
        polarA = f64x2.extract_lane(polar, 0);
        polarB = f64x2.extract_lane(polar, 1);
      }
      if (polarA === 0.0) polarA = polarOf(f64x2.extract_lane(dx, 0), f64x2.extract_lane(dy, 0), f64x2.extract_lane(dz, 0));
      if (polarB === 0.0) polarB = polarOf(f64x2.extract_lane(dx, 1), f64x2.extract_lane(dy, 1), f64x2.extract_lane(dz, 1));
      paths += 2.0;
      for (let phiTic = 0; phiTic < phisteps; phiTic++) {
        for (let mos = 0; mos < domains; mos++) {
          const e = (phiTic * domains + mos) * 9;
          const c = cellTable;
          const h = f64x2.add(f64x2.add(f64x2.mul(splat(f64At(c, e)), qx), f64x2.mul(splat(f64At(c, e + 1)), qy)), f64x2.mul(splat(f64At(c, e + 2)), qz));
          const k = f64x2.add(f64x2.add(f64x2.mul(splat(f64At(c, e + 3)), qx), f64x2.mul(splat(f64At(c, e + 4)), qy)), f64x2.mul(splat(f64At(c, e + 5)), qz));
          const l = f64x2.add(f64x2.add(f64x2.mul(splat(f64At(c, e + 6)), qx), f64x2.mul(splat(f64At(c, e + 7)), qy)), f64x2.mul(splat(f64At(c, e + 8)), qz));
          let fLatt = splat(1.0);
          if (Na > 1) fLatt = f64x2.mul(fLatt, sincg2(f64x2.mul(splat(Math.PI), h), Na));
          if (Nb > 1) fLatt = f64x2.mul(fLatt, sincg2(f64x2.mul(splat(Math.PI), k), Nb));
          if (Nc > 1) fLatt = f64x2.mul(fLatt, sincg2(f64x2.mul(splat(Math.PI), l), Nc));
          const h0 = f64x2.ceil(f64x2.sub(h, splat(0.5)));
          const k0 = f64x2.ceil(f64x2.sub(k, splat(0.5)));
          const l0 = f64x2.ceil(f64x2.sub(l, splat(0.5)));
          const fCell = f64x2(
            nearestF(f64x2.extract_lane(h0, 0), f64x2.extract_lane(k0, 0), f64x2.extract_lane(l0, 0)),
            nearestF(f64x2.extract_lane(h0, 1), f64x2.extract_lane(k0, 1), f64x2.extract_lane(l0, 1)),
          );
          const term = f64x2.mul(f64x2.mul(f64x2.mul(fCell, fCell), fLatt), fLatt);
          // the scalar kernel skips a zero lattice factor without water: add nothing there
          const skip = noWater ? f64x2.eq(fLatt, splat(0.0)) : splat(0.0);
          I = v128.bitselect(I, f64x2.add(I, term), skip);
        }
      }
    }
  }
  const omegaA = f64x2.extract_lane(omega, 0);
  const omegaB = f64x2.extract_lane(omega, 1);
  if (omegaA === 0.0 || omegaB === 0.0) return false;
  let value = f64x2.div(f64x2.mul(splat(reFluence), I), splat(steps));
  value = f64x2.mul(value, splat(1.0));
  value = f64x2.mul(value, f64x2(polarA, polarB));
  value = f64x2.mul(value, omega);
  const at = out + ((<usize>(spixel * fpixels + f - outBase)) << 2);
  store<f32>(at, <f32>(0.0 + f64x2.extract_lane(value, 0)));
  store<f32>(at, <f32>(0.0 + f64x2.extract_lane(value, 1)), 4);
  // the solid-angle sum in the scalar kernel's order: every subpixel of f, then of f + 1
  let omegaSum = f64At(state, 0);
  const subpixels = os * os;
  for (let i = 0; i < subpixels; i++) omegaSum += omegaA;
  for (let i = 0; i < subpixels; i++) omegaSum += omegaB;
  store<f64>(state, omegaSum, 0);
  store<f64>(state, paths, 8);
  return true;
}

/**
 * polarOf on both lanes for a Kahn factor of 0 (the default): the diffracted direction normalised
 * again, then 0.5 (1 + cos^2 2theta), with polarOf's operations.
 */
@inline
function unpolarized2(dx: v128, dy: v128, dz: v128): v128 {
  const len = f64x2.sqrt(f64x2.add(f64x2.add(f64x2.mul(dx, dx), f64x2.mul(dy, dy)), f64x2.mul(dz, dz)));
  const zero = f64x2.eq(len, splat(0.0));
  const ux = v128.bitselect(splat(0.0), f64x2.div(dx, len), zero);
  const uy = v128.bitselect(splat(0.0), f64x2.div(dy, len), zero);
  const uz = v128.bitselect(splat(0.0), f64x2.div(dz, len), zero);
  const cos2theta = f64x2.add(
    f64x2.add(f64x2.mul(splat(f64At(sourceIncidentAgain, 0)), ux), f64x2.mul(splat(f64At(sourceIncidentAgain, 1)), uy)),
    f64x2.mul(splat(f64At(sourceIncidentAgain, 2)), uz),
  );
  return f64x2.mul(splat(0.5), f64x2.add(splat(1.0), f64x2.mul(cos2theta, cos2theta)));
}

/** The last vector `normalise` made. */
let unitX: f64 = 0;
let unitY: f64 = 0;
let unitZ: f64 = 0;

/** (x, y, z) divided by its length into unitX/Y/Z, as the C normalises it (a zero vector stays zero). */
function normalise(x: f64, y: f64, z: f64): void {
  const len = Math.sqrt(x * x + y * y + z * z);
  if (len !== 0.0) {
    unitX = x / len;
    unitY = y / len;
    unitZ = z / len;
  } else {
    unitX = 0.0;
    unitY = 0.0;
    unitZ = 0.0;
  }
}

/** The polarization factor of the single source for the diffracted direction d, normalised first. */
function polarOf(dx: f64, dy: f64, dz: f64): f64 {
  normalise(dx, dy, dz);
  return polarizationFactor(
    polarization,
    f64At(sourceIncidentAgain, 0),
    f64At(sourceIncidentAgain, 1),
    f64At(sourceIncidentAgain, 2),
    unitX,
    unitY,
    unitZ,
    f64At(polarAxis, 0),
    f64At(polarAxis, 1),
    f64At(polarAxis, 2),
  );
}

/**
 * The curved detector's pixel position (-curved_det), written to scratch[0..2]: every pixel at
 * `distance` from the sample, the beam spot rotated about s by y/distance, then about f by
 * z/distance, in the C's operation order. Exported for the GPU backend's host geometry.
 */
export function curvedPosition(py: f64, pz: f64): void {
  const fx = fdetX;
  const fy = fdetY;
  const fz = fdetZ;
  const sx = sdetX;
  const sy = sdetY;
  const sz = sdetZ;
  const vx = distance * f64At(detector, 12);
  const vy = distance * f64At(detector, 13);
  const vz = distance * f64At(detector, 14);
  const a2 = pz / distance;
  let s = Math.sin(py / distance);
  let c = Math.cos(py / distance);
  let d = (sx * vx + sy * vy + sz * vz) * (1.0 - c);
  const nx = sx * d + vx * c + (-sz * vy + sy * vz) * s;
  const ny = sy * d + vy * c + (+sz * vx - sx * vz) * s;
  const nz = sz * d + vz * c + (-sy * vx + sx * vy) * s;
  s = Math.sin(a2);
  c = Math.cos(a2);
  d = (fx * nx + fy * ny + fz * nz) * (1.0 - c);
  store<f64>(scratch, fx * d + nx * c + (-fz * ny + fy * nz) * s, 0);
  store<f64>(scratch, fy * d + ny * c + (+fz * nx - fx * nz) * s, 8);
  store<f64>(scratch, fz * d + nz * c + (-fy * nx + fx * ny) * s, 16);
}

/**
 * Kahn polarization factor for the incident vector i (already re-normalised, see unitAgain in
 * polarization.ts) and the unit diffracted vector d.
 */
function polarizationFactor(
  kahn: f64,
  ix: f64,
  iy: f64,
  iz: f64,
  dx: f64,
  dy: f64,
  dz: f64,
  ax: f64,
  ay: f64,
  az: f64,
): f64 {
  const cos2theta = ix * dx + iy * dy + iz * dz;
  const cos2thetaSqr = cos2theta * cos2theta;
  const sin2thetaSqr = 1 - cos2thetaSqr;
  // without a Kahn factor psi is 0 and the last term is exactly 0
  if (kahn === 0.0) return 0.5 * (1.0 + cos2thetaSqr);
  // B = unit(axis x incident), E = unit(incident x B); a zero vector stays zero
  let bx = ay * iz - az * iy;
  let by = az * ix - ax * iz;
  let bz = ax * iy - ay * ix;
  const bLen = Math.sqrt(bx * bx + by * by + bz * bz);
  if (bLen !== 0) {
    bx /= bLen;
    by /= bLen;
    bz /= bLen;
  }
  let ex = iy * bz - iz * by;
  let ey = iz * bx - ix * bz;
  let ez = ix * by - iy * bx;
  const eLen = Math.sqrt(ex * ex + ey * ey + ez * ez);
  if (eLen !== 0) {
    ex /= eLen;
    ey /= eLen;
    ez /= eLen;
  }
  const psi = -Math.atan2(dx * bx + dy * by + dz * bz, dx * ex + dy * ey + dz * ez);
  return 0.5 * (1.0 + cos2thetaSqr - kahn * Math.cos(2 * psi) * sin2thetaSqr);
}

/** The round, Gaussian and top-hat spot shapes (lattice.ts). */
function shapedLattice(h: f64, k: f64, l: f64, h0: f64, k0: f64, l0: f64): f64 {
  if (shape === ROUND) {
    const hradSqr =
      (h - h0) * (h - h0) * Na * Na + (k - k0) * (k - k0) * Nb * Nb + (l - l0) * (l - l0) * Nc * Nc;
    return Na * Nb * Nc * ROUND_SCALE * sinc3(Math.PI * Math.sqrt(hradSqr * fudge));
  }
  const r = reciprocal;
  const dxs = (h - h0) * f64At(r, 0) + (k - k0) * f64At(r, 3) + (l - l0) * f64At(r, 6);
  const dys = (h - h0) * f64At(r, 1) + (k - k0) * f64At(r, 4) + (l - l0) * f64At(r, 7);
  const dzs = (h - h0) * f64At(r, 2) + (k - k0) * f64At(r, 5) + (l - l0) * f64At(r, 8);
  const radStarSqr = (dxs * dxs + dys * dys + dzs * dzs) * Na * Na * Nb * Nb * Nc * Nc;
  if (shape === GAUSS) return Na * Nb * Nc * Math.exp(-((radStarSqr / 0.63) * fudge));
  return Na * Nb * Nc * (radStarSqr * fudge < TOPHAT_CUTOFF ? 1.0 : 0.0);
}

/** Fourier transform of a sphere: 3 (sin x / x - cos x) / x^2, 1 at x = 0 (lattice.ts). */
function sinc3(x: f64): f64 {
  if (x === 0.0) return 1.0;
  return (3.0 * (Math.sin(x) / x - Math.cos(x))) / (x * x);
}

@inline
function gridIndex(h: i32, k: i32, l: i32): i32 {
  return ((h - hMin) * (kRange + 1) + (k - kMin)) * (lRange + 1) + (l - lMin);
}

/** F at the nearest node, or default_F off the grid (and always without reflections). */
@inline
function nearestF(h0: f64, k0: f64, l0: f64): f64 {
  if (h0 <= hHigh && h0 >= hLow && k0 <= kHigh && k0 >= kLow && l0 <= lHigh && l0 >= lLow)
    return f64At(gridValues, gridIndex(<i32>h0, <i32>k0, <i32>l0));
  return defaultF;
}

/** The C's test for a full 4x4x4 neighbourhood inside the grid. */
function interpolationOutOfRange(h: f64, k: f64, l: f64): bool {
  return (
    h - <f64>hMin + 3 > <f64>hRange ||
    h - 2 < <f64>hMin ||
    k - <f64>kMin + 3 > <f64>kRange ||
    k - 2 < <f64>kMin ||
    l - <f64>lMin + 3 > <f64>lRange ||
    l - 2 < <f64>lMin
  );
}

/** 4-point Lagrange interpolation through (xa[i], ya[i]) at x, in the C's operation order (polint). */
function polint(xa: usize, ya: usize, x: f64): f64 {
  const a0 = f64At(xa, 0);
  const a1 = f64At(xa, 1);
  const a2 = f64At(xa, 2);
  const a3 = f64At(xa, 3);
  const x0 = ((x - a1) * (x - a2) * (x - a3) * f64At(ya, 0)) / ((a0 - a1) * (a0 - a2) * (a0 - a3));
  const x1 = ((x - a0) * (x - a2) * (x - a3) * f64At(ya, 1)) / ((a1 - a0) * (a1 - a2) * (a1 - a3));
  const x2 = ((x - a0) * (x - a1) * (x - a3) * f64At(ya, 2)) / ((a2 - a0) * (a2 - a1) * (a2 - a3));
  const x3 = ((x - a0) * (x - a1) * (x - a2) * f64At(ya, 3)) / ((a3 - a0) * (a3 - a1) * (a3 - a2));
  return x0 + x1 + x2 + x3;
}

/**
 * Tricubic F at fractional (h, k, l) from the grid nodes floor(x)-1 .. floor(x)+2 on each axis: along
 * l for each (h, k), then along k, then along h (C polin3). The caller has checked the range.
 */
function interpolateF(h: f64, k: f64, l: f64): f64 {
  const cube = scratch + 32;
  const hNodes = cube + 64 * 8;
  const kNodes = hNodes + 32;
  const lNodes = kNodes + 32;
  const row = lNodes + 32;
  const plane = row + 32;
  const hf = <i32>Math.floor(h);
  const kf = <i32>Math.floor(k);
  const lf = <i32>Math.floor(l);
  for (let i = 0; i < 4; i++) {
    store<f64>(hNodes + ((<usize>i) << 3), <f64>(hf - 1 + i));
    store<f64>(kNodes + ((<usize>i) << 3), <f64>(kf - 1 + i));
    store<f64>(lNodes + ((<usize>i) << 3), <f64>(lf - 1 + i));
  }
  for (let i1 = 0; i1 < 4; i1++) {
    for (let i2 = 0; i2 < 4; i2++) {
      const base = gridIndex(hf - 1 + i1, kf - 1 + i2, lf - 1);
      for (let i3 = 0; i3 < 4; i3++)
        store<f64>(cube + ((<usize>(i1 * 16 + i2 * 4 + i3)) << 3), f64At(gridValues, base + i3));
    }
  }
  for (let i1 = 0; i1 < 4; i1++) {
    for (let i2 = 0; i2 < 4; i2++) {
      store<f64>(row + ((<usize>i2) << 3), polint(lNodes, cube + ((<usize>(i1 * 16 + i2 * 4)) << 3), l));
    }
    store<f64>(plane + ((<usize>i1) << 3), polint(kNodes, row, k));
  }
  return polint(hNodes, plane, h);
}
