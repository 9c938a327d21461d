/**
 * The pixel kernel in gpu.js's JavaScript subset (compiled to a GLSL fragment shader, float32): the
 * loop nest, the caching of solid angle, polarization and capture fraction and the oversample flags
 * of kernel.ts, on inputs the host computed in float64 (gpu-inputs.ts). A pixel whose float32 value
 * hinges on a threshold that float32 cannot decide (the d_min cut, the nearest Miller index where
 * it matters, the top-hat edge, float64 underflow of the Gaussian, the interpolation range) returns
 * NEEDS_HOST, and the host renders it in float64. With interpolation on, a pixel with a path outside
 * the interpolation range returns INTERPOLATION_STOPS: the host finds where the C's serial run
 * switches interpolation off.
 *
 * gpu.js translates these functions from their source text: only Math calls, numbers, loops over
 * constants and reads of the argument arrays; every declared variable is a float; helpers return a
 * float or a pair.
 */

import type { KernelPlan } from "../sim/kernel.js";
import { ROUND_SCALE, ShapeCode, TOPHAT_CUTOFF } from "../sim/lattice.js";
import { reciprocalMetric } from "./gpu-inputs.js";

/** What the kernel returns for a pixel the host must render. */
export const NEEDS_HOST = -1;
/** What it returns, with interpolation on, for a pixel that would switch interpolation off. */
export const INTERPOLATION_STOPS = -2;

/** Gaussian arguments beyond this make exp() zero in float64 (and the C skip the path). */
const GAUSS_UNDERFLOW = 745.1332191019412;

/** Relative half-widths of the zones where float32 cannot be trusted with a decision. */
const DMIN_MARGIN = 1e-5;
const HALF_INTEGER_MARGIN = 4e-6;
const EDGE_MARGIN = 1e-4;

/** Constants that index loops and arrays stay integers in the shader. */
export const INTEGER_CONSTANTS = ["roiWidth", "layers", "subpixels", "sources", "orientations"];

export type GpuConstants = ReturnType<typeof gpuConstants>;

/** The kernel's scalars (shader uniforms): INTEGER_CONSTANTS as integers, the rest as floats. */
export function gpuConstants(p: KernelPlan, roiWidth: number, interpolate: boolean) {
  const g = p.grid;
  const [gxx, gyy, gzz, gxy, gxz, gyz] = reciprocalMetric(p);
  return {
    roiWidth,
    layers: p.thicksteps,
    subpixels: p.oversample * p.oversample,
    sources: p.sources,
    orientations: p.phisteps * p.domains,
    captureStart: p.detectorThick === 0.0 ? 1.0 : 0.0,
    polarStart: p.nopolar ? 1.0 : 0.0,
    oversampleThick: p.oversampleThick ? 1 : 0,
    oversamplePolar: p.oversamplePolar ? 1 : 0,
    oversampleOmega: p.oversampleOmega ? 1 : 0,
    dmin: p.dmin,
    kahn: p.polarization,
    shape: p.shape,
    Na: p.Na,
    Nb: p.Nb,
    Nc: p.Nc,
    fudge: p.fudge,
    cells: p.Na * p.Nb * p.Nc,
    roundScale: ROUND_SCALE,
    gxx,
    gyy,
    gzz,
    gxy,
    gxz,
    gyz,
    noWater: p.waterSize === 0.0 ? 1 : 0,
    Ibg: p.Ibg,
    scale: p.reFluence / p.steps,
    hasGrid: g.count > 0 ? 1 : 0,
    nearestMatters: g.count > 0 || p.shape !== ShapeCode.Square ? 1 : 0,
    defaultF: p.defaultF,
    hMin: g.hMin,
    hMax: g.hMax,
    kMin: g.kMin,
    kMax: g.kMax,
    lMin: g.lMin,
    lMax: g.lMax,
    kStride: g.kRange + 1,
    lStride: g.lRange + 1,
    interpolate: interpolate ? 1 : 0,
    // fractional indices beyond these leave no 4x4x4 neighbourhood inside the grid
    hLow: g.hMin + 2,
    hHigh: g.hMax - 2,
    kLow: g.kMin + 2,
    kHigh: g.kMax - 2,
    lLow: g.lMin + 2,
    lHigh: g.lMax - 2,
    gaussUnderflow: GAUSS_UNDERFLOW,
    tophatCutoff: TOPHAT_CUTOFF,
    dminMargin: DMIN_MARGIN,
    halfIntegerMargin: HALF_INTEGER_MARGIN,
    edgeMargin: EDGE_MARGIN,
  };
}

/** sin(pi x) for |x| <= 1.5: reflected into [-1/2, 1/2], then its Taylor series to x^13. */
export function gpuSinPi(x: number): number {
  let r = x;
  if (r > 0.5) r = 1 - r;
  if (r < -0.5) r = -1 - r;
  const z = r * r;
  return (
    r *
    (Math.PI +
      z *
        (-5.167712780049969 +
          z *
            (2.550164039877345 +
              z *
                (-0.5992645293207919 +
                  z * (0.08214588661112819 + z * (-0.007370430945714348 + z * 0.00046630280576761234))))))
  );
}

/**
 * sin(N pi h) / sin(pi h) for h = n + f (n integer, |f| <= 1/2): (-1)^(n (N - 1)) sin(N pi f) / sin(pi f),
 * with N f taken modulo 2 exactly (f split so that N times its leading part is exact).
 */
export function gpuSincg(n: number, f: number, N: number): number {
  const parity = n * (N - 1) * 0.5;
  const sign = 1 - 4 * (parity - Math.floor(parity));
  if (f === 0) return sign * N;
  const lead = Math.floor(f * 65536 + 0.5) * 0.0000152587890625;
  const turns = N * lead;
  return (sign * gpuSinPi(turns - 2 * Math.floor(turns * 0.5 + 0.5) + N * (f - lead))) / gpuSinPi(f);
}

/** 3 (sin x / x - cos x) / x^2 at x = pi y (y >= 0); its series where the difference cancels. */
export function gpuSinc3(y: number): number {
  const x = Math.PI * y;
  const u = x * x;
  if (u < 1) {
    return (
      1 -
      u *
        (0.1 -
          u *
            (0.0035714285714285713 -
              u * (0.00006613756613756614 - u * (7.515632515632515e-7 - u * 5.7812557812557815e-9))))
    );
  }
  const turns = y - 2 * Math.floor(y * 0.5 + 0.5);
  return (3 * (gpuSinPi(turns) / x - gpuSinPi(turns + 0.5))) / u;
}

/**
 * Kahn polarization factor for the diffracted direction d and a source's incident direction i and
 * polarization frame (b, e); cos(2 psi) with psi = -atan2(d.b, d.e) written without trigonometry.
 */
export function gpuPolar(
  dx: number,
  dy: number,
  dz: number,
  ix: number,
  iy: number,
  iz: number,
  bx: number,
  by: number,
  bz: number,
  ex: number,
  ey: number,
  ez: number,
  kahn: number,
): number {
  const len = Math.sqrt(dx * dx + dy * dy + dz * dz);
  let ux = 0;
  let uy = 0;
  let uz = 0;
  if (len > 0) {
    ux = dx / len;
    uy = dy / len;
    uz = dz / len;
  }
  const cos2theta = ix * ux + iy * uy + iz * uz;
  const cosSqr = cos2theta * cos2theta;
  const along = ux * ex + uy * ey + uz * ez;
  const across = ux * bx + uy * by + uz * bz;
  const norm = along * along + across * across;
  let cos2psi = 1;
  if (norm > 0) cos2psi = (along * along - across * across) / norm;
  return 0.5 * (1 + cosSqr - kahn * cos2psi * (1 - cosSqr));
}

/**
 * One Miller index h = B.d - c as (nearest integer, remainder in [-1/2, 1/2]): the products of the
 * leading parts are exact, and so are their distances to the nearest integers, which keeps the
 * remainder's error near float32's resolution of 1/2 rather than of h.
 */
export function gpuMiller(
  bx: number,
  by: number,
  bz: number,
  rx: number,
  ry: number,
  rz: number,
  whole: number,
  fraction: number,
  dhx: number,
  dhy: number,
  dhz: number,
  drx: number,
  dry: number,
  drz: number,
  dx: number,
  dy: number,
  dz: number,
): [number, number] {
  const px = bx * dhx;
  const py = by * dhy;
  const pz = bz * dhz;
  const nx = Math.floor(px + 0.5);
  const ny = Math.floor(py + 0.5);
  const nz = Math.floor(pz + 0.5);
  let f = px - nx + (py - ny);
  let n = nx + ny + nz - whole;
  let step = Math.floor(f + 0.5);
  f = f - step;
  n = n + step;
  f = f + (pz - nz);
  step = Math.floor(f + 0.5);
  f = f - step;
  n = n + step;
  f = f + (bx * drx + by * dry + bz * drz + (rx * dx + ry * dy + rz * dz) - fraction);
  step = Math.floor(f + 0.5);
  return [n + step, f - step];
}

/** Weight of node 0..3 (at -1, 0, 1, 2) of 4-point Lagrange interpolation at u in [0, 1). */
export function gpuLagrange(u: number, node: number): number {
  if (node === 0) return (-u * (u - 1) * (u - 2)) / 6;
  if (node === 1) return (u + 1) * (u - 1) * (u - 2) * 0.5;
  if (node === 2) return -(u + 1) * u * (u - 2) * 0.5;
  return ((u + 1) * u * (u - 1)) / 6;
}

/** How far h = n + f lies above `bound` (an integer): exact for the integer part. */
export function gpuAbove(n: number, f: number, bound: number): number {
  return n - bound + f;
}

interface KernelThis {
  thread: { x: number; y: number };
  constants: GpuConstants;
}

/** One pixel of the ROI band: thread (x, y) is ROI column x of band row y. */
export function gpuPixel(
  this: KernelThis,
  geometry: Float32Array,
  cells: Float32Array,
  sources: Float32Array,
  hkl: Float32Array,
): number {
  const pixel = this.thread.y * this.constants.roiWidth + this.thread.x;
  let I = this.constants.Ibg;
  let polar = this.constants.polarStart;
  let omega = 0;
  let capture = 0;
  let needsHost = 0;
  let stops = 0;
  for (let t = 0; t < this.constants.layers; t++) {
    capture = this.constants.captureStart;
    for (let s = 0; s < this.constants.subpixels; s++) {
      // offsets within a record follow the layouts of gpu-inputs.ts (GEOMETRY_FIELDS, SOURCE_FIELDS, CELL_FIELDS)
      const g = ((pixel * this.constants.layers + t) * this.constants.subpixels + s) * 8;
      const dhx = geometry[g];
      const dhy = geometry[g + 1];
      const dhz = geometry[g + 2];
      const drx = geometry[g + 3];
      const dry = geometry[g + 4];
      const drz = geometry[g + 5];
      if (omega === 0 || this.constants.oversampleOmega === 1) omega = geometry[g + 6];
      if (capture === 0 || this.constants.oversampleThick === 1) capture = geometry[g + 7];
      const dx = dhx + drx;
      const dy = dhy + dry;
      const dz = dhz + drz;
      for (let source = 0; source < this.constants.sources; source++) {
        const o = source * 13;
        if (this.constants.dmin > 0) {
          const qx = (dx - sources[o]) * sources[o + 3];
          const qy = (dy - sources[o + 1]) * sources[o + 3];
          const qz = (dz - sources[o + 2]) * sources[o + 3];
          const reach = Math.sqrt(qx * qx + qy * qy + qz * qz) * this.constants.dmin;
          if (Math.abs(reach - 1) < this.constants.dminMargin) needsHost = 1;
          if (reach > 1) continue;
        }
        if (polar === 0 || this.constants.oversamplePolar === 1) {
          polar = gpuPolar(
            dx,
            dy,
            dz,
            sources[o + 4],
            sources[o + 5],
            sources[o + 6],
            sources[o + 7],
            sources[o + 8],
            sources[o + 9],
            sources[o + 10],
            sources[o + 11],
            sources[o + 12],
            this.constants.kahn,
          );
        }
        for (let m = 0; m < this.constants.orientations; m++) {
          const e = (source * this.constants.orientations + m) * 24;
          const h = gpuMiller(
            cells[e],
            cells[e + 1],
            cells[e + 2],
            cells[e + 3],
            cells[e + 4],
            cells[e + 5],
            cells[e + 6],
            cells[e + 7],
            dhx,
            dhy,
            dhz,
            drx,
            dry,
            drz,
            dx,
            dy,
            dz,
          );
          const k = gpuMiller(
            cells[e + 8],
            cells[e + 9],
            cells[e + 10],
            cells[e + 11],
            cells[e + 12],
            cells[e + 13],
            cells[e + 14],
            cells[e + 15],
            dhx,
            dhy,
            dhz,
            drx,
            dry,
            drz,
            dx,
            dy,
            dz,
          );
          const l = gpuMiller(
            cells[e + 16],
            cells[e + 17],
            cells[e + 18],
            cells[e + 19],
            cells[e + 20],
            cells[e + 21],
            cells[e + 22],
            cells[e + 23],
            dhx,
            dhy,
            dhz,
            drx,
            dry,
            drz,
            dx,
            dy,
            dz,
          );
          if (this.constants.nearestMatters === 1) {
            const edge = this.constants.halfIntegerMargin;
            if (
              Math.abs(Math.abs(h[1]) - 0.5) < edge ||
              Math.abs(Math.abs(k[1]) - 0.5) < edge ||
              Math.abs(Math.abs(l[1]) - 0.5) < edge
            )
              needsHost = 1;
          }
          let fLatt = 1;
          let skip = 0;
          if (this.constants.shape === 0) {
            if (this.constants.Na > 1) fLatt = fLatt * gpuSincg(h[0], h[1], this.constants.Na);
            if (this.constants.Nb > 1) fLatt = fLatt * gpuSincg(k[0], k[1], this.constants.Nb);
            if (this.constants.Nc > 1) fLatt = fLatt * gpuSincg(l[0], l[1], this.constants.Nc);
          } else if (this.constants.shape === 1) {
            const hrad =
              h[1] * h[1] * this.constants.Na * this.constants.Na +
              k[1] * k[1] * this.constants.Nb * this.constants.Nb +
              l[1] * l[1] * this.constants.Nc * this.constants.Nc;
            fLatt =
              this.constants.cells *
              this.constants.roundScale *
              gpuSinc3(Math.sqrt(hrad * this.constants.fudge));
          } else {
            const radius =
              this.constants.gxx * h[1] * h[1] +
              this.constants.gyy * k[1] * k[1] +
              this.constants.gzz * l[1] * l[1] +
              this.constants.gxy * h[1] * k[1] +
              this.constants.gxz * h[1] * l[1] +
              this.constants.gyz * k[1] * l[1];
            if (this.constants.shape === 2) {
              const exponent = radius / 0.63;
              if (Math.abs(exponent / this.constants.gaussUnderflow - 1) < this.constants.edgeMargin)
                needsHost = 1;
              if (exponent > this.constants.gaussUnderflow) skip = this.constants.noWater;
              fLatt = this.constants.cells * Math.exp(-exponent);
            } else {
              if (Math.abs(radius / this.constants.tophatCutoff - 1) < this.constants.edgeMargin)
                needsHost = 1;
              fLatt = 0;
              if (radius < this.constants.tophatCutoff) fLatt = this.constants.cells;
              else skip = this.constants.noWater;
            }
          }
          let inRange = 0;
          if (this.constants.interpolate === 1 && skip === 0) {
            const hLow = gpuAbove(h[0], h[1], this.constants.hLow);
            const hHigh = gpuAbove(h[0], h[1], this.constants.hHigh);
            const kLow = gpuAbove(k[0], k[1], this.constants.kLow);
            const kHigh = gpuAbove(k[0], k[1], this.constants.kHigh);
            const lLow = gpuAbove(l[0], l[1], this.constants.lLow);
            const lHigh = gpuAbove(l[0], l[1], this.constants.lHigh);
            const edge = this.constants.halfIntegerMargin;
            if (
              Math.abs(hLow) < edge ||
              Math.abs(hHigh) < edge ||
              Math.abs(kLow) < edge ||
              Math.abs(kHigh) < edge ||
              Math.abs(lLow) < edge ||
              Math.abs(lHigh) < edge
            )
              needsHost = 1;
            if (hLow < 0 || hHigh > 0 || kLow < 0 || kHigh > 0 || lLow < 0 || lHigh > 0) stops = 1;
            else inRange = 1;
          }
          if (skip === 0) {
            let F = this.constants.defaultF;
            if (inRange === 1) {
              // nodes floor(x) - 1 .. floor(x) + 2 on each axis, at u = x - floor(x)
              let hu = h[1];
              let hFloor = h[0];
              if (hu < 0) {
                hu = hu + 1;
                hFloor = hFloor - 1;
              }
              let ku = k[1];
              let kFloor = k[0];
              if (ku < 0) {
                ku = ku + 1;
                kFloor = kFloor - 1;
              }
              let lu = l[1];
              let lFloor = l[0];
              if (lu < 0) {
                lu = lu + 1;
                lFloor = lFloor - 1;
              }
              F = 0;
              for (let i = 0; i < 4; i++) {
                let plane = 0;
                for (let j = 0; j < 4; j++) {
                  const row =
                    ((hFloor - 1 + i - this.constants.hMin) * this.constants.kStride +
                      (kFloor - 1 + j - this.constants.kMin)) *
                      this.constants.lStride +
                    (lFloor - 1 - this.constants.lMin);
                  let line = 0;
                  for (let n = 0; n < 4; n++) line = line + gpuLagrange(lu, n) * hkl[row + n];
                  plane = plane + gpuLagrange(ku, j) * line;
                }
                F = F + gpuLagrange(hu, i) * plane;
              }
            } else if (
              this.constants.hasGrid === 1 &&
              h[0] <= this.constants.hMax &&
              h[0] >= this.constants.hMin &&
              k[0] <= this.constants.kMax &&
              k[0] >= this.constants.kMin &&
              l[0] <= this.constants.lMax &&
              l[0] >= this.constants.lMin
            ) {
              F =
                hkl[
                  ((h[0] - this.constants.hMin) * this.constants.kStride + (k[0] - this.constants.kMin)) *
                    this.constants.lStride +
                    (l[0] - this.constants.lMin)
                ];
            }
            I = I + F * F * fLatt * fLatt;
            if (this.constants.oversampleThick === 1) I = I * capture;
            if (this.constants.oversamplePolar === 1) I = I * polar;
            if (this.constants.oversampleOmega === 1) I = I * omega;
          }
        }
      }
    }
  }
  if (needsHost === 1) return -1;
  if (stops === 1) return -2;
  let value = I * this.constants.scale;
  if (this.constants.oversampleThick === 0) value = value * capture;
  if (this.constants.oversamplePolar === 0) value = value * polar;
  if (this.constants.oversampleOmega === 0) value = value * omega;
  return value;
}

/** The helpers gpuPixel calls, handed to gpu.js with it. */
export const GPU_HELPERS = [gpuSinPi, gpuSincg, gpuSinc3, gpuPolar, gpuMiller, gpuLagrange, gpuAbove];
