/**
 * The detector set-up lines of -trace_pixel, `TRACE_TS:key=value`: the keys, order, formats (%.15g)
 * and values of the instrumented C reference's `TRACE_C:key=value` set-up lines, so that a trace diff
 * against the C compares the detector geometry too. The C's quirks are kept, as the lines are there
 * to be set beside its traces:
 * - where the origin is rotated with the detector (SAMPLE pivot) its block comes before the axes'
 *   lines; where it is placed from the beam centre (BEAM pivot) its block comes after them and
 *   prints them again, the final axes (two-theta included) under the `*_after_rotz` keys too;
 * - the BEAM block says MOSFLM and prints MOSFLM's initial axes and mapping whatever the convention,
 *   and rebuilds rotation matrices (Rz * Ry * Rx) that the set-up itself never uses;
 * - beam_center_m prints the beam centre, already in metres, divided by 1000.
 */

import { cprintf } from "../util/cformat.js";
import type { DetectorGeometry } from "./detector.js";
import type { Simulation } from "./setup.js";
import { scale, type Vec3 } from "./vec.js";

type Line = [key: string, value: string];
type Matrix3 = [Vec3, Vec3, Vec3];

const vector = (v: Vec3) => cprintf("%.15g %.15g %.15g", v[0], v[1], v[2]);
const scalar = (x: number) => cprintf("%.15g", x);
const matrix = (m: Matrix3) => `[${m.map(vector).join("; ")}]`;

/** a * b, each element summed from 0 in index order as the C's loop does (0 + -0 prints 0). */
function product(a: Matrix3, b: Matrix3): Matrix3 {
  const row = (i: number): Vec3 => {
    const out = [0, 0, 0];
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[j] += a[i][k] * b[k][j];
    return [out[0], out[1], out[2]];
  };
  return [row(0), row(1), row(2)];
}

function rotationLines(rx: number, ry: number, rz: number): Line[] {
  const [cx, sx] = [Math.cos(rx), Math.sin(rx)];
  const [cy, sy] = [Math.cos(ry), Math.sin(ry)];
  const [cz, sz] = [Math.cos(rz), Math.sin(rz)];
  const Rx: Matrix3 = [
    [1, 0, 0],
    [0, cx, -sx],
    [0, sx, cx],
  ];
  const Ry: Matrix3 = [
    [cy, 0, sy],
    [0, 1, 0],
    [-sy, 0, cy],
  ];
  const Rz: Matrix3 = [
    [cz, -sz, 0],
    [sz, cz, 0],
    [0, 0, 1],
  ];
  return [
    ["Rx", matrix(Rx)],
    ["Ry", matrix(Ry)],
    ["Rz", matrix(Rz)],
    ["R_total", matrix(product(Rz, product(Ry, Rx)))],
  ];
}

function axesLines(d: DetectorGeometry, fdet: Vec3, sdet: Vec3, odet: Vec3): Line[] {
  return [
    ["fdet_after_rotz", vector(fdet)],
    ["sdet_after_rotz", vector(sdet)],
    ["odet_after_rotz", vector(odet)],
    ["twotheta_axis", vector(d.twothetaAxis)],
    ["fdet_after_twotheta", vector(d.fdet)],
    ["sdet_after_twotheta", vector(d.sdet)],
    ["odet_after_twotheta", vector(d.odet)],
  ];
}

/** The set-up lines, in the C's order. */
export function detectorTraceLines(sim: Simulation): string[] {
  const c = sim.config;
  const d = sim.detector;
  const s = d.stages;
  const { detectorRotx: rx, detectorRoty: ry, detectorRotz: rz, twotheta } = c;
  const angles: Line = [
    "angles_rad",
    cprintf("rotx:%.15g roty:%.15g rotz:%.15g twotheta:%.15g", rx, ry, rz, twotheta),
  ];
  const pixelMm = d.pixelSize * 1000.0;
  const rotatedAxes = axesLines(d, s.fdetRotated, s.sdetRotated, s.odetRotated);
  let lines: Line[];
  if (s.origin !== null) {
    const center = cprintf("Xclose:%.15g Yclose:%.15g", d.Xclose / 1000.0, d.Yclose / 1000.0);
    // a -pix0_vector origin (-profile spec) is not built from these terms
    const terms: Line[] = s.origin.given
      ? []
      : [
          ["term_fast_before_rot", vector(scale(s.fdet, -s.Fclose))],
          ["term_slow_before_rot", vector(scale(s.sdet, -s.Sclose))],
          ["term_close_before_rot", vector(scale(s.odet, s.closeDistance))],
        ];
    lines = [
      ["detector_convention", d.convention],
      angles,
      ["beam_center_m", `${center} pixel_mm:${scalar(pixelMm)}`],
      ["initial_fdet", vector(s.fdet)],
      ["initial_sdet", vector(s.sdet)],
      ["initial_odet", vector(s.odet)],
      ["Fclose_m", scalar(s.Fclose)],
      ["Sclose_m", scalar(s.Sclose)],
      ["close_distance_m", scalar(s.closeDistance)],
      ["ratio", scalar(d.ratio)],
      ["distance_m", scalar(s.distance)],
      ...terms,
      ["pix0_before_rotation", vector(s.origin.start)],
      ["pix0_after_rotz", vector(s.origin.rotated)],
      ["pix0_after_twotheta", vector(d.pix0)],
      ...rotatedAxes,
    ];
  } else {
    const center = cprintf("X:%.15g Y:%.15g", d.Xbeam / 1000.0, d.Ybeam / 1000.0);
    lines = [
      ...rotatedAxes,
      ["detector_convention", "MOSFLM"],
      angles,
      ["beam_center_m", `${center} pixel_mm:${scalar(pixelMm)}`],
      ["initial_fdet", vector([0, 0, 1])],
      ["initial_sdet", vector([0, -1, 0])],
      ["initial_odet", vector([1, 0, 0])],
      ...rotationLines(rx, ry, rz),
      ...axesLines(d, d.fdet, d.sdet, d.odet),
      ["convention_mapping", "Fbeam←Ybeam_mm(+0.5px),Sbeam←Xbeam_mm(+0.5px),beam_vec=[1 0 0]"],
      ["Fbeam_m", scalar(s.Fbeam)],
      ["Sbeam_m", scalar(s.Sbeam)],
      ["distance_m", scalar(s.distance)],
      ["term_fast", vector(scale(d.fdet, -s.Fbeam))],
      ["term_slow", vector(scale(d.sdet, -s.Sbeam))],
      ["term_beam", vector(scale(d.beam, s.distance))],
      ["pix0_vector", vector(d.pix0)],
    ];
  }
  return lines.map(([key, value]) => `TRACE_TS:${key}=${value}`);
}
