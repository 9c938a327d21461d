/**
 * The pixel kernel: one detector pixel's intensity from precomputed numbers only (no I/O, no
 * allocation). The loop nest, the caching of the solid angle, polarization and capture fraction, and
 * every floating-point operation follow the C reference in order, so that results are the C's up to
 * the last bits of the math library.
 */

import { curvedPosition } from "./curved-detector.js";
import { ROUND_SCALE, ShapeCode, sinc3, TOPHAT_CUTOFF } from "./lattice.js";
import { polarizationFactor } from "./polarization.js";
import {
  type HklGrid,
  type InterpolationScratch,
  interpolateF,
  interpolationOutOfRange,
  interpolationScratch,
  nearestF,
} from "./structure-factors.js";

/** Everything the kernel reads: numbers and typed arrays only, so that it crosses to workers. */
export interface KernelPlan {
  fpixels: number;
  spixels: number;
  roiXmin: number;
  roiXmax: number;
  roiYmin: number;
  roiYmax: number;
  /** Pixels whose mask value is 0 are skipped; null without -mask. */
  mask: Uint16Array | null;

  oversample: number;
  subpixelSize: number;
  pixelSize: number;
  thicksteps: number;
  thickstep: number;
  detectorThick: number;
  detectorMu: number;
  /** pix0, fdet, sdet, odet, beam: 15 numbers. */
  detector: Float64Array;
  curved: boolean;
  pointPixel: boolean;
  distance: number;
  closeDistance: number;

  sources: number;
  /** Unit vectors from sample to source, 3 per source. */
  sourceDirection: Float64Array;
  /** The incident vectors (minus the directions) normalised once more, as polarization leaves them. */
  sourceIncidentAgain: Float64Array;
  sourceLambda: Float64Array;
  dmin: number;

  nopolar: boolean;
  polarization: number;
  /** The polarization axis, already at the fixed point of repeated normalisation. */
  polarAxis: Float64Array;
  oversampleThick: boolean;
  oversamplePolar: boolean;
  oversampleOmega: boolean;

  phisteps: number;
  domains: number;
  /** phi angle (radians) of each step, for the trace. */
  phi: Float64Array;
  /** Real-space a, b, c (m) per (phi step, domain): 9 numbers each, phi outer. */
  cellTable: Float64Array;
  /** The same for the very first path of a single-threaded C run (stale rotation not yet set). */
  cellTableFirst: Float64Array;
  /** Row-major index of the pixel that holds that first path, or -1. */
  firstPathPixel: number;

  shape: ShapeCode;
  Na: number;
  Nb: number;
  Nc: number;
  fudge: number;
  /** a*, b*, c* (1/Angstrom): 9 numbers. */
  reciprocal: Float64Array;
  Ibg: number;
  waterSize: number;

  /** Structure factors (count 0 without -hkl or Fdump.bin). */
  grid: HklGrid;
  defaultF: number;
  interpolate: boolean;
  /** After an out-of-range interpolation: the nearest grid value (C) or default_F (spec). */
  interpolationFallbackNearest: boolean;

  /** r_e^2 * fluence, multiplied in the C's order. */
  reFluence: number;
  steps: number;
}

/**
 * Hooks through which a pixel rendered for inspection reports every intermediate value, in loop
 * order; the recorders (trace.ts, printout.ts) keep what they print. Never called in production runs.
 */
export interface PixelTracer {
  /** Each source of each subpixel and layer, before the d_min cut. */
  source(
    source: number,
    px: number,
    py: number,
    pz: number,
    airpath: number,
    omega: number,
    dx: number,
    dy: number,
    dz: number,
    ix: number,
    iy: number,
    iz: number,
    lambda: number,
    qx: number,
    qy: number,
    qz: number,
    stol: number,
  ): void;
  /** Each (source, phi step, domain): the rotated cell (9 numbers at cell[offset]) and Miller indices. */
  indices(
    source: number,
    phiTic: number,
    mos: number,
    cell: Float64Array,
    offset: number,
    h: number,
    k: number,
    l: number,
    h0: number,
    k0: number,
    l0: number,
  ): void;
  /** The lattice factor; fa, fb, fc only for the parallelepiped shape (NaN otherwise). */
  lattice(
    source: number,
    phiTic: number,
    mos: number,
    phi: number,
    k: number,
    fa: number,
    fb: number,
    fc: number,
    fLatt: number,
  ): void;
  /** The structure factor of a path that was not skipped for a zero lattice factor. */
  structureFactor(
    source: number,
    phiTic: number,
    mos: number,
    fCell: number,
    fLatt: number,
    polar: number,
    cos2theta: number,
    lambda: number,
  ): void;
  final(I: number, capture: number, polar: number, omega: number, cos2theta: number, value: number): void;
}

/** Per-thread mutable state: the C's globals that leak from pixel to pixel. */
export interface KernelState {
  /** The C's global interpolation switch, turned off for good by an out-of-range neighbourhood. */
  interpolate: boolean;
  /** Set when this thread turned interpolation off: h, k, l, h0, k0, l0 and the fast pixel index. */
  interpolationStop: Float64Array | null;
  /** Sum of the solid angle over every subpixel and layer rendered (the C's omega_sum). */
  omegaSum: number;
  /** Paths (subpixel, layer, source) that reached the phi loop. */
  paths: number;
  scratch: InterpolationScratch;
  /** The diffracted vector through the polarization call. */
  polarScratch: Float64Array;
  /** A curved detector's pixel position. */
  positionScratch: Float64Array;
}

export function kernelState(plan: KernelPlan): KernelState {
  return {
    interpolate: plan.interpolate,
    interpolationStop: null,
    omegaSum: 0,
    paths: 0,
    scratch: interpolationScratch(),
    polarScratch: new Float64Array(3),
    positionScratch: new Float64Array(3),
  };
}

/**
 * Render pixels fFirst..fLast of row `spixel` (the caller clips to the ROI; masked pixels are
 * skipped) into out[index - outBase], as the C's `floatimage[index] += value` on a zeroed image.
 */
export function renderSpan(
  p: KernelPlan,
  st: KernelState,
  spixel: number,
  fFirst: number,
  fLast: number,
  out: Float32Array,
  outBase: number,
  tracer: PixelTracer | null,
): void {
  const os = p.oversample;
  const sub = p.subpixelSize;
  const halfSub = sub / 2.0;
  const det = p.detector;
  const p0x = det[0];
  const p0y = det[1];
  const p0z = det[2];
  const fx = det[3];
  const fy = det[4];
  const fz = det[5];
  const sx = det[6];
  const sy = det[7];
  const sz = det[8];
  const ox = det[9];
  const oy = det[10];
  const oz = det[11];
  const curved = p.curved;
  const pointPixel = p.pointPixel;
  const pixelSqr = p.pixelSize * p.pixelSize;
  const closeDistance = p.closeDistance;
  const thicksteps = p.thicksteps;
  const thickstep = p.thickstep;
  const mu = p.detectorMu;
  const captureStart = p.detectorThick === 0.0 ? 1.0 : 0.0;
  const nSources = p.sources;
  const srcDir = p.sourceDirection;
  const srcLambda = p.sourceLambda;
  const srcAgain = p.sourceIncidentAgain;
  const dmin = p.dmin;
  const polarStart = p.nopolar ? 1.0 : 0.0;
  const kahn = p.polarization;
  const pax = p.polarAxis[0];
  const pay = p.polarAxis[1];
  const paz = p.polarAxis[2];
  const phisteps = p.phisteps;
  const domains = p.domains;
  const shape = p.shape;
  const Na = p.Na;
  const Nb = p.Nb;
  const Nc = p.Nc;
  const noWater = p.waterSize === 0.0;
  const grid = p.grid;
  const defaultF = p.defaultF;
  const osThick = p.oversampleThick;
  const osPolar = p.oversamplePolar;
  const osOmega = p.oversampleOmega;
  const reFluence = p.reFluence;
  const steps = p.steps;
  const mask = p.mask;
  const Ibg = p.Ibg;
  const firstPathPixel = p.firstPathPixel;
  const cellTable = p.cellTable;
  const cellTableFirst = p.cellTableFirst;
  const fallbackNearest = p.interpolationFallbackNearest;
  const rowBase = spixel * p.fpixels;
  const tracing = tracer !== null;
  const polarScratch = st.polarScratch;
  const position = st.positionScratch;
  let omegaSum = st.omegaSum;
  let paths = st.paths;
  let interpolate = st.interpolate;

  for (let fpixel = fFirst; fpixel <= fLast; fpixel++) {
    const index = rowBase + fpixel;
    if (mask !== null && mask[index] === 0) continue;

    let I = Ibg;
    let polar = polarStart;
    let omega = 0.0;
    let capture = 0.0;
    let ix = 0.0;
    let iy = 0.0;
    let iz = 0.0;
    let dx = 0.0;
    let dy = 0.0;
    let dz = 0.0;
    let firstPath = firstPathPixel === index;

    for (let t = 0; t < thicksteps; t++) {
      const Odet = t * thickstep;
      capture = captureStart;
      for (let subS = 0; subS < os; subS++) {
        for (let subF = 0; subF < os; subF++) {
          const Fdet = sub * (fpixel * os + subF) + halfSub;
          const Sdet = sub * (spixel * os + subS) + halfSub;
          let px = Fdet * fx + Sdet * sx + Odet * ox + p0x;
          let py = Fdet * fy + Sdet * sy + Odet * oy + p0y;
          let pz = Fdet * fz + Sdet * sz + Odet * oz + p0z;
          if (curved) {
            curvedPosition(det, p.distance, py, pz, position);
            px = position[0];
            py = position[1];
            pz = position[2];
          }
          const airpath = Math.sqrt(px * px + py * py + pz * pz);
          if (airpath !== 0.0) {
            dx = px / airpath;
            dy = py / airpath;
            dz = pz / airpath;
          } else {
            dx = dy = dz = 0.0;
          }
          if (omega === 0.0 || osOmega) {
            omega = pointPixel
              ? 1.0 / airpath / airpath
              : ((pixelSqr / airpath / airpath) * closeDistance) / airpath;
          }
          omegaSum += omega;
          if (capture === 0.0 || osThick) {
            const parallax = dx * ox + dy * oy + dz * oz;
            capture =
              Math.exp((-t * thickstep * mu) / parallax) - Math.exp((-(t + 1) * thickstep * mu) / parallax);
          }

          for (let source = 0; source < nSources; source++) {
            ix = -srcDir[3 * source];
            iy = -srcDir[3 * source + 1];
            iz = -srcDir[3 * source + 2];
            const lambda = srcLambda[source];
            const qx = (dx - ix) / lambda;
            const qy = (dy - iy) / lambda;
            const qz = (dz - iz) / lambda;
            if (tracing) {
              const stol = 0.5 * Math.sqrt(qx * qx + qy * qy + qz * qz);
              tracer.source(
                source,
                px,
                py,
                pz,
                airpath,
                omega,
                dx,
                dy,
                dz,
                ix,
                iy,
                iz,
                lambda,
                qx,
                qy,
                qz,
                stol,
              );
            }
            if (dmin > 0.0) {
              const stol = 0.5 * Math.sqrt(qx * qx + qy * qy + qz * qz);
              if (stol > 0.0 && dmin > 0.5 / stol) continue;
            }
            if (polar === 0.0 || osPolar) {
              polarScratch[0] = dx;
              polarScratch[1] = dy;
              polarScratch[2] = dz;
              ix = srcAgain[3 * source];
              iy = srcAgain[3 * source + 1];
              iz = srcAgain[3 * source + 2];
              polar = polarizationFactor(kahn, ix, iy, iz, polarScratch, pax, pay, paz);
              dx = polarScratch[0];
              dy = polarScratch[1];
              dz = polarScratch[2];
            }

            const cell = firstPath ? cellTableFirst : cellTable;
            firstPath = false;
            paths++;
            for (let phiTic = 0; phiTic < phisteps; phiTic++) {
              for (let mos = 0; mos < domains; mos++) {
                const e = (phiTic * domains + mos) * 9;
                const h = cell[e] * qx + cell[e + 1] * qy + cell[e + 2] * qz;
                const k = cell[e + 3] * qx + cell[e + 4] * qy + cell[e + 5] * qz;
                const l = cell[e + 6] * qx + cell[e + 7] * qy + cell[e + 8] * qz;
                const h0 = Math.ceil(h - 0.5);
                const k0 = Math.ceil(k - 0.5);
                const l0 = Math.ceil(l - 0.5);
                if (tracing) tracer.indices(source, phiTic, mos, cell, e, h, k, l, h0, k0, l0);

                let fLatt = 1.0;
                if (shape === ShapeCode.Square) {
                  let fa = 1.0;
                  let fb = 1.0;
                  let fc = 1.0;
                  // sincg of lattice.ts written out: V8 does not inline it here, and the calls cost a third of the kernel
                  if (Na > 1) {
                    const x = Math.PI * h;
                    fa = x === 0.0 ? Na : Math.sin(x * Na) / Math.sin(x);
                    fLatt *= fa;
                  }
                  if (Nb > 1) {
                    const x = Math.PI * k;
                    fb = x === 0.0 ? Nb : Math.sin(x * Nb) / Math.sin(x);
                    fLatt *= fb;
                  }
                  if (Nc > 1) {
                    const x = Math.PI * l;
                    fc = x === 0.0 ? Nc : Math.sin(x * Nc) / Math.sin(x);
                    fLatt *= fc;
                  }
                  if (tracing) tracer.lattice(source, phiTic, mos, p.phi[phiTic], k, fa, fb, fc, fLatt);
                } else {
                  fLatt = shapedLattice(p, h, k, l, h0, k0, l0);
                  if (tracing)
                    tracer.lattice(
                      source,
                      phiTic,
                      mos,
                      p.phi[phiTic],
                      k,
                      Number.NaN,
                      Number.NaN,
                      Number.NaN,
                      fLatt,
                    );
                }
                if (fLatt === 0.0 && noWater) continue;

                let fCell: number;
                if (interpolate && interpolationOutOfRange(grid, h, k, l)) {
                  interpolate = false;
                  st.interpolationStop = Float64Array.of(h, k, l, h0, k0, l0, fpixel);
                  fCell = fallbackNearest ? nearestF(grid, defaultF, h0, k0, l0) : defaultF;
                } else if (interpolate) {
                  fCell = interpolateF(grid, st.scratch, h, k, l);
                } else {
                  fCell = nearestF(grid, defaultF, h0, k0, l0);
                }
                if (tracing) {
                  tracer.structureFactor(
                    source,
                    phiTic,
                    mos,
                    fCell,
                    fLatt,
                    polar,
                    ix * dx + iy * dy + iz * dz,
                    lambda,
                  );
                }

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

    let value = (reFluence * I) / steps;
    if (!osThick) value *= capture;
    if (!osPolar) value *= polar;
    if (!osOmega) value *= omega;
    if (tracing) tracer.final(I, capture, polar, omega, ix * dx + iy * dy + iz * dz, value);
    out[index - outBase] = 0.0 + value;
  }
  st.omegaSum = omegaSum;
  st.paths = paths;
  st.interpolate = interpolate;
}

function shapedLattice(
  p: KernelPlan,
  h: number,
  k: number,
  l: number,
  h0: number,
  k0: number,
  l0: number,
): number {
  const Na = p.Na;
  const Nb = p.Nb;
  const Nc = p.Nc;
  if (p.shape === ShapeCode.Round) {
    const hradSqr =
      (h - h0) * (h - h0) * Na * Na + (k - k0) * (k - k0) * Nb * Nb + (l - l0) * (l - l0) * Nc * Nc;
    return Na * Nb * Nc * ROUND_SCALE * sinc3(Math.PI * Math.sqrt(hradSqr * p.fudge));
  }
  const r = p.reciprocal;
  const dxs = (h - h0) * r[0] + (k - k0) * r[3] + (l - l0) * r[6];
  const dys = (h - h0) * r[1] + (k - k0) * r[4] + (l - l0) * r[7];
  const dzs = (h - h0) * r[2] + (k - k0) * r[5] + (l - l0) * r[8];
  const radStarSqr = (dxs * dxs + dys * dys + dzs * dzs) * Na * Na * Nb * Nb * Nc * Nc;
  if (p.shape === ShapeCode.Gauss) return Na * Nb * Nc * Math.exp(-((radStarSqr / 0.63) * p.fudge));
  return Na * Nb * Nc * (radStarSqr * p.fudge < TOPHAT_CUTOFF ? 1 : 0);
}
