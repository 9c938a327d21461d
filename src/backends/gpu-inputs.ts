/**
 * The GPU kernel's inputs, computed on the host in float64 and handed over as float32. Miller indices
 * near 50 must come out of float32 arithmetic to about 1e-7, so every factor of h = B.d - c is split
 * into a 12-bit leading part (a product of two such parts is exact in float32, and so is its
 * distance to the nearest integer) and a float32 remainder; the per-pixel diffracted directions,
 * solid angles and capture fractions are the float64 kernel's own values.
 */

import { curvedPixelPosition, type KernelPlan } from "../sim/kernel.js";

/** Per path geometry (subpixel and detector layer): d leading (3), d rest (3), omega, capture. */
export const GEOMETRY_FIELDS = 8;
/** Per (source, phi step, domain), per axis: B leading (3), B rest (3), integer and fraction of c. */
export const CELL_FIELDS = 24;
/** Per source: incident (3), 1/lambda, incident normalised again (3), polarization B (3) and E (3). */
export const SOURCE_FIELDS = 13;

const VELTKAMP_12 = 2 ** 41 + 1;

/** The leading 12 significant bits of x (Veltkamp's split; exact in float64). */
export function leading12(x: number): number {
  const t = x * VELTKAMP_12;
  return t - (t - x);
}

/** Number of paths (subpixels times layers) of one pixel. */
export function pathsPerPixel(p: KernelPlan): number {
  return p.oversample * p.oversample * p.thicksteps;
}

/**
 * Geometry of ROI rows first..first+rows-1 (rows past the ROI stay zero), pixel-major with the
 * fast index fastest, then layer, then subpixel, as the kernel loops; returns the solid-angle sum of
 * each row in the kernel's order and caching (the C's omega_sum), masked pixels left out.
 */
export function fillGeometry(p: KernelPlan, first: number, rows: number, out: Float32Array): Float64Array {
  out.fill(0);
  const rowOmega = new Float64Array(rows);
  const det = p.detector;
  const [p0x, p0y, p0z, fx, fy, fz, sx, sy, sz, ox, oy, oz] = det;
  const os = p.oversample;
  const sub = p.subpixelSize;
  const halfSub = sub / 2.0;
  const pixelSqr = p.pixelSize * p.pixelSize;
  const mu = p.detectorMu;
  const xFirst = Math.max(0, p.roiXmin);
  const xLast = Math.min(p.fpixels - 1, p.roiXmax);
  const yLast = Math.min(p.spixels - 1, p.roiYmax);
  const width = xLast - xFirst + 1;
  const paths = pathsPerPixel(p);
  const position = new Float64Array(3);
  const { mask, fpixels, thicksteps, thickstep, curved, pointPixel, closeDistance, oversampleOmega } = p;
  // without a detector thickness the kernel starts from capture 1 and reads these only with -oversample_thick
  const captured = p.detectorThick !== 0.0 || p.oversampleThick;
  for (let r = 0; r < rows; r++) {
    const spixel = first + r;
    if (spixel > yLast) break;
    let rowSum = 0.0;
    for (let fpixel = xFirst; fpixel <= xLast; fpixel++) {
      if (mask !== null && mask[spixel * fpixels + fpixel] === 0) continue;
      let g = (r * width + fpixel - xFirst) * paths * GEOMETRY_FIELDS;
      let cached = 0.0;
      for (let t = 0; t < thicksteps; t++) {
        const Odet = t * thickstep;
        for (let subS = 0; subS < os; subS++) {
          for (let subF = 0; subF < os; subF++) {
            const Fdet = sub * (fpixel * os + subF) + halfSub;
            const Sdet = sub * (spixel * os + subS) + halfSub;
            let px = Fdet * fx + Sdet * sx + Odet * ox + p0x;
            let py = Fdet * fy + Sdet * sy + Odet * oy + p0y;
            let pz = Fdet * fz + Sdet * sz + Odet * oz + p0z;
            if (curved) {
              curvedPixelPosition(p, py, pz, position);
              px = position[0];
              py = position[1];
              pz = position[2];
            }
            const airpath = Math.sqrt(px * px + py * py + pz * pz);
            const dx = airpath !== 0.0 ? px / airpath : 0.0;
            const dy = airpath !== 0.0 ? py / airpath : 0.0;
            const dz = airpath !== 0.0 ? pz / airpath : 0.0;
            const omega = pointPixel
              ? 1.0 / airpath / airpath
              : ((pixelSqr / airpath / airpath) * closeDistance) / airpath;
            if (cached === 0.0 || oversampleOmega) cached = omega;
            rowSum += cached;
            let capture = 0.0;
            if (captured) {
              const parallax = dx * ox + dy * oy + dz * oz;
              capture =
                Math.exp((-t * thickstep * mu) / parallax) - Math.exp((-(t + 1) * thickstep * mu) / parallax);
            }
            const leadX = leading12(dx);
            const leadY = leading12(dy);
            const leadZ = leading12(dz);
            out[g] = leadX;
            out[g + 1] = leadY;
            out[g + 2] = leadZ;
            out[g + 3] = dx - leadX;
            out[g + 4] = dy - leadY;
            out[g + 5] = dz - leadZ;
            out[g + 6] = omega;
            out[g + 7] = capture;
            g += GEOMETRY_FIELDS;
          }
        }
      }
    }
    rowOmega[r] = rowSum;
  }
  return rowOmega;
}

/**
 * Per (source, phi step, domain), source outer: h = B.d - c for each axis, with B = a / lambda and
 * c = a.i / lambda (i the incident direction), which is a.q for q = (d - i) / lambda.
 */
export function cellInputs(p: KernelPlan): Float32Array {
  const orientations = p.phisteps * p.domains;
  const out = new Float32Array(p.sources * orientations * CELL_FIELDS);
  let o = 0;
  for (let source = 0; source < p.sources; source++) {
    const lambda = p.sourceLambda[source];
    const incident = [0, 1, 2].map((i) => -p.sourceDirection[3 * source + i]);
    for (let m = 0; m < orientations; m++) {
      for (let axis = 0; axis < 3; axis++) {
        const v = p.cellTable.subarray(9 * m + 3 * axis, 9 * m + 3 * axis + 3);
        const c = (v[0] * incident[0] + v[1] * incident[1] + v[2] * incident[2]) / lambda;
        for (let i = 0; i < 3; i++) {
          const b = v[i] / lambda;
          const lead = leading12(b);
          out[o + i] = lead;
          out[o + 3 + i] = b - lead;
        }
        const whole = Math.round(c);
        out[o + 6] = whole;
        out[o + 7] = c - whole;
        o += CELL_FIELDS / 3;
      }
    }
  }
  return out;
}

/** Per source: what the d_min cut and the polarization factor need (polarization.ts, in float64). */
export function sourceInputs(p: KernelPlan): Float32Array {
  const out = new Float32Array(p.sources * SOURCE_FIELDS);
  const [ax, ay, az] = p.polarAxis;
  for (let s = 0; s < p.sources; s++) {
    const [ix, iy, iz] = p.sourceIncidentAgain.subarray(3 * s, 3 * s + 3);
    const b = unitOrZero(ay * iz - az * iy, az * ix - ax * iz, ax * iy - ay * ix);
    const e = unitOrZero(iy * b[2] - iz * b[1], iz * b[0] - ix * b[2], ix * b[1] - iy * b[0]);
    out.set(
      [
        -p.sourceDirection[3 * s],
        -p.sourceDirection[3 * s + 1],
        -p.sourceDirection[3 * s + 2],
        1.0 / p.sourceLambda[s],
        ix,
        iy,
        iz,
        ...b,
        ...e,
      ],
      s * SOURCE_FIELDS,
    );
  }
  return out;
}

function unitOrZero(x: number, y: number, z: number): [number, number, number] {
  const len = Math.sqrt(x * x + y * y + z * z);
  return len !== 0 ? [x / len, y / len, z / len] : [x, y, z];
}

/** The structure-factor grid as float32 (one zero without reflections: a texture cannot be empty). */
export function hklValues(p: KernelPlan): Float32Array {
  return p.grid.count > 0 ? Float32Array.from(p.grid.values) : new Float32Array(1);
}

/**
 * a*, b*, c* as the metric of (h - h0, k - k0, l - l0), scaled by (Na Nb Nc)^2 fudge: the kernel's
 * Gaussian and top-hat radius is f.G.f (xx, yy, zz, then the doubled xy, xz, yz).
 */
export function reciprocalMetric(p: KernelPlan): number[] {
  const r = p.reciprocal;
  const dot = (i: number, j: number) => r[i] * r[j] + r[i + 1] * r[j + 1] + r[i + 2] * r[j + 2];
  const scale = p.Na * p.Na * p.Nb * p.Nb * p.Nc * p.Nc * p.fudge;
  return [dot(0, 0), dot(3, 3), dot(6, 6), 2 * dot(0, 3), 2 * dot(0, 6), 2 * dot(3, 6)].map((v) => v * scale);
}
