/**
 * X-ray sources: read from a source file or generated over the divergence grid (h outer, v inner,
 * corners cut to an ellipse unless -square_div) and the dispersion steps (wavelength innermost).
 * Directions point from the sample towards the source and are unit vectors.
 */

import type { SourceRow } from "../io/sourcefile.js";
import type { Sweep } from "./sampling.js";
import { rotateAxis, unit, type Vec3 } from "./vec.js";

const SOURCE_DISTANCE = 10.0;

export interface Sources {
  count: number;
  /** Unit direction from sample to source, 3 per source. */
  direction: Float64Array;
  lambda: Float64Array;
  weight: Float64Array;
  /** Divergence grid points kept after the elliptical cut: (horizontal, vertical) radians. */
  divergence: Array<[number, number]>;
  /** The divergence step count the C reports: the grid's points, or -1 for a source file (never counted). */
  divergenceSteps: number;
  /** Positions before normalisation, for the report. */
  listing: Array<[number, number, number, number, number]>;
}

export interface BeamAxes {
  beam: Vec3;
  polar: Vec3;
  vert: Vec3;
}

function pack(
  rows: Array<[number, number, number, number, number]>,
  divergence: Array<[number, number]>,
  divergenceSteps: number,
): Sources {
  const count = rows.length;
  const direction = new Float64Array(3 * count);
  const lambda = new Float64Array(count);
  const weight = new Float64Array(count);
  rows.forEach(([X, Y, Z, w, lam], i) => {
    const d = unit([X, Y, Z]);
    direction.set(d, 3 * i);
    lambda[i] = lam;
    weight[i] = w;
  });
  return { count, direction, lambda, weight, divergence, divergenceSteps, listing: rows };
}

export function sourcesFromFile(
  rows: readonly SourceRow[],
  axes: BeamAxes,
  lambda0: number,
  useFileLambda: boolean,
): Sources {
  const listing = rows.map((r): [number, number, number, number, number] => [
    Number.isNaN(r.X) ? -SOURCE_DISTANCE * axes.beam[0] : r.X,
    Number.isNaN(r.Y) ? -SOURCE_DISTANCE * axes.beam[1] : r.Y,
    Number.isNaN(r.Z) ? -SOURCE_DISTANCE * axes.beam[2] : r.Z,
    Number.isNaN(r.weight) ? 1.0 : r.weight,
    useFileLambda && !Number.isNaN(r.lambda) ? r.lambda : lambda0,
  ]);
  return pack(listing, [], -1);
}

/** The elliptical cut of the C: keep grid points inside the divergence ellipse (a NaN test keeps). */
function insideEllipse(hdiv: number, vdiv: number, h: Sweep, v: Sweep): boolean {
  let test = (hdiv * hdiv - ((h.step * h.step) / 4.0) * (1 - (h.count % 2))) / h.range / h.range;
  test += (vdiv * vdiv - ((v.step * v.step) / 4.0) * (1 - (v.count % 2))) / v.range / v.range;
  return !(test * 4.0 > 1.1);
}

export function generateSources(
  axes: BeamAxes,
  lambda0: number,
  h: Sweep,
  v: Sweep,
  dispersion: Sweep,
  roundDiv: boolean,
): Sources {
  const points: Array<[number, number]> = [];
  for (let i = 0; i < h.count; i++) {
    for (let j = 0; j < v.count; j++) {
      const hdiv = h.step * i - h.range / 2.0;
      const vdiv = v.step * j - v.range / 2.0;
      if (roundDiv && !insideEllipse(hdiv, vdiv, h, v)) continue;
      points.push([hdiv, vdiv]);
    }
  }
  const weight = 1.0 / (points.length * dispersion.count);
  const rows: Array<[number, number, number, number, number]> = [];
  for (const [hdiv, vdiv] of points) {
    const toSource: Vec3 = [
      -SOURCE_DISTANCE * axes.beam[0],
      -SOURCE_DISTANCE * axes.beam[1],
      -SOURCE_DISTANCE * axes.beam[2],
    ];
    const p = rotateAxis(rotateAxis(toSource, axes.polar, vdiv), axes.vert, hdiv);
    for (let k = 0; k < dispersion.count; k++) {
      const lambda = lambda0 * (1.0 + dispersion.step * k - dispersion.range / 2.0);
      rows.push([p[0], p[1], p[2], weight, lambda]);
    }
  }
  return pack(rows, points, points.length);
}
