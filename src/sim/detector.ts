/**
 * Detector set-up: pixel grid, beam-centre defaults, the convention table (axes, beam-centre mapping,
 * pivot), rotations and two-theta, the detector origin pix0 and the derived beam centres, in the C's
 * order of operations.
 */

import type { Convention, Pivot, SimConfig } from "./config.js";
import { cross, dot, rotateAxis, rotateXYZ, unit, unitize, type Vec3 } from "./vec.js";

export interface Roi {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

export interface DetectorGeometry {
  convention: Convention;
  pivot: Pivot;
  fpixels: number;
  spixels: number;
  pixelSize: number;
  detsizeF: number;
  detsizeS: number;
  roi: Roi;
  /** Final (rotated) unit axes. */
  fdet: Vec3;
  sdet: Vec3;
  odet: Vec3;
  beam: Vec3;
  polar: Vec3;
  spindle: Vec3;
  /** Unit vector beam x polar: the "vertical" divergence axis. */
  vert: Vec3;
  twothetaAxis: Vec3;
  pix0: Vec3;
  distance: number;
  closeDistance: number;
  /** b . (rotated normal), two-theta excluded, as the C computes it. */
  ratio: number;
  Xbeam: number;
  Ybeam: number;
  Xclose: number;
  Yclose: number;
  Fbeam: number;
  Sbeam: number;
  Fclose: number;
  Sclose: number;
  ORGX: number;
  ORGY: number;
  dialsOrigin: Vec3;
  twotheta: number;
  stages: DetectorStages;
}

/**
 * Values the set-up passes through and then overwrites, kept (as references, no copies) for the
 * set-up lines of -trace_pixel (detector-trace.ts).
 */
export interface DetectorStages {
  /** Unit axes before any rotation. */
  fdet: Vec3;
  sdet: Vec3;
  odet: Vec3;
  /** Axes after the x, y, z rotations, before two-theta. */
  fdetRotated: Vec3;
  sdetRotated: Vec3;
  odetRotated: Vec3;
  /** What the origin is computed from, before the beam centre and distance are derived back from it. */
  Fclose: number;
  Sclose: number;
  Fbeam: number;
  Sbeam: number;
  closeDistance: number;
  distance: number;
  /**
   * The origin rotated with the detector (SAMPLE pivot, or -pix0_vector under -profile spec): before
   * rotation (`given` when it is the user's vector) and after the x, y, z rotations; null when it is
   * placed from the beam centre after the rotations (BEAM pivot).
   */
  origin: { start: Vec3; rotated: Vec3; given: boolean } | null;
}

const DBL_MIN = 2.2250738585072014e-308;

interface ConventionAxes {
  beam: Vec3;
  fdet: Vec3;
  sdet: Vec3;
  odet: Vec3;
  twothetaAxis: Vec3;
  polar: Vec3;
  spindle: Vec3;
  pivot: Pivot;
}

const MOSFLM_AXES: ConventionAxes = {
  beam: [1, 0, 0],
  fdet: [0, 0, 1],
  sdet: [0, -1, 0],
  odet: [1, 0, 0],
  twothetaAxis: [0, 0, -1],
  polar: [0, 0, 1],
  spindle: [0, 0, 1],
  pivot: "BEAM",
};

const CONVENTION_AXES: Record<Exclude<Convention, "CUSTOM">, ConventionAxes> = {
  ADXV: {
    beam: [0, 0, 1],
    fdet: [1, 0, 0],
    sdet: [0, -1, 0],
    odet: [0, 0, 1],
    twothetaAxis: [-1, 0, 0],
    polar: [1, 0, 0],
    spindle: [1, 0, 0],
    pivot: "BEAM",
  },
  MOSFLM: MOSFLM_AXES,
  DENZO: MOSFLM_AXES,
  XDS: {
    beam: [0, 0, 1],
    fdet: [1, 0, 0],
    sdet: [0, 1, 0],
    odet: [0, 0, 1],
    twothetaAxis: [1, 0, 0],
    polar: [1, 0, 0],
    spindle: [1, 0, 0],
    pivot: "SAMPLE",
  },
  DIALS: {
    beam: [0, 0, 1],
    fdet: [1, 0, 0],
    sdet: [0, 1, 0],
    odet: [0, 0, 1],
    twothetaAxis: [0, 1, 0],
    polar: [0, 1, 0],
    spindle: [0, 1, 0],
    pivot: "SAMPLE",
  },
};

/** Pixel counts win over sizes; both are then made consistent. */
export function detectorGrid(c: SimConfig): {
  fpixels: number;
  spixels: number;
  detsizeF: number;
  detsizeS: number;
} {
  let detsizeF = c.detsizeF;
  let detsizeS = c.detsizeS;
  if (c.fpixels) detsizeF = c.pixelSize * c.fpixels;
  if (c.spixels) detsizeS = c.pixelSize * c.spixels;
  return {
    fpixels: Math.ceil(detsizeF / c.pixelSize - 0.5),
    spixels: Math.ceil(detsizeS / c.pixelSize - 0.5),
    detsizeF,
    detsizeS,
  };
}

export function buildDetector(
  c: SimConfig,
  messages: { preamble: string[]; notes: string[] },
): DetectorGeometry {
  const { fpixels, spixels, detsizeF, detsizeS } = detectorGrid(c);
  const pixel = c.pixelSize;
  const rules = c.profile;

  let Fclose = Number.NaN;
  let Sclose = Number.NaN;
  if (!Number.isNaN(c.ORGX)) Fclose = (c.ORGX - 0.5) * pixel;
  if (!Number.isNaN(c.ORGY)) Sclose = (c.ORGY - 0.5) * pixel;
  if (Number.isNaN(Fclose)) Fclose = (detsizeF - 0 * pixel) / 2.0;
  if (Number.isNaN(Sclose)) Sclose = (detsizeS + 0 * pixel) / 2.0;
  const Xclose = Number.isNaN(c.Xclose) ? Fclose : c.Xclose;
  const Yclose = Number.isNaN(c.Yclose) ? Sclose : c.Yclose;

  const roi: Roi = {
    xmin: c.roi.xmin < 0 ? 0 : c.roi.xmin,
    xmax: c.roi.xmax < 0 ? fpixels : c.roi.xmax,
    ymin: c.roi.ymin < 0 ? 0 : c.roi.ymin,
    ymax: c.roi.ymax < 0 ? spixels : c.roi.ymax,
  };

  let Xbeam = c.Xbeam;
  let Ybeam = c.Ybeam;
  let Fbeam: number;
  let Sbeam: number;
  // spec: an explicit -pivot wins over the pivot implied by other flags
  let pivot = !rules.conventionForcesPivot && c.pivotRequested !== null ? c.pivotRequested : c.pivot;
  let axes: ConventionAxes;
  switch (c.convention) {
    case "ADXV":
      if (Number.isNaN(Xbeam)) Xbeam = (detsizeF + pixel) / 2.0;
      if (Number.isNaN(Ybeam)) Ybeam = (detsizeS - pixel) / 2.0;
      Fbeam = Xbeam;
      Sbeam = detsizeS - Ybeam;
      break;
    case "MOSFLM":
      if (Number.isNaN(Xbeam)) Xbeam = (detsizeS + pixel) / 2.0;
      if (Number.isNaN(Ybeam)) Ybeam = (detsizeF + pixel) / 2.0;
      Fbeam = Ybeam + 0.5 * pixel;
      Sbeam = Xbeam + 0.5 * pixel;
      break;
    case "DENZO":
      if (Number.isNaN(Xbeam)) Xbeam = (detsizeS + pixel) / 2.0;
      if (Number.isNaN(Ybeam)) Ybeam = (detsizeF + pixel) / 2.0;
      Fbeam = Ybeam + 0.0 * pixel;
      Sbeam = Xbeam + 0.0 * pixel;
      break;
    default:
      if (Number.isNaN(Xbeam)) Xbeam = Xclose;
      if (Number.isNaN(Ybeam)) Ybeam = Yclose;
      Fbeam = Xbeam;
      Sbeam = Ybeam;
  }
  if (c.convention === "CUSTOM") {
    axes = {
      beam: c.beamVector,
      fdet: c.fdetVector,
      sdet: c.sdetVector,
      odet: c.odetVector,
      twothetaAxis: c.twothetaAxis,
      polar: c.polarVector,
      spindle: c.spindleVector,
      pivot,
    };
    Fclose = Xbeam;
    Sclose = Ybeam;
  } else {
    axes = CONVENTION_AXES[c.convention];
    if (rules.conventionForcesPivot) {
      if (c.pivotRequested !== null && c.pivotRequested !== axes.pivot) {
        messages.notes.push(
          `-pivot ${c.pivotRequested.toLowerCase()} is overridden by the ${c.convention} convention (as in the C); use -profile spec to honour it`,
        );
      }
      pivot = axes.pivot;
    }
  }

  const beam = unit(axes.beam);
  const fdet0 = unit(axes.fdet);
  const sdet0 = unit(axes.sdet);
  const odetIn = unitize(axes.odet);
  let odet0 = odetIn.unit;
  if (odetIn.length !== 1.0) {
    messages.preamble.push("WARNING: auto-generating odet_vector");
    odet0 = unit(cross(fdet0, sdet0));
  }
  const polar = unit(axes.polar);
  const spindle = unit(axes.spindle);
  const vert = unit(cross(beam, polar));
  const twothetaAxis = axes.twothetaAxis;
  const { detectorRotx: rx, detectorRoty: ry, detectorRotz: rz, twotheta } = c;

  const fdetRotated = rotateXYZ(fdet0, rx, ry, rz);
  const sdetRotated = rotateXYZ(sdet0, rx, ry, rz);
  const odetRotated = rotateXYZ(odet0, rx, ry, rz);

  let ratio = dot(beam, odetRotated);
  if (ratio === 0.0) ratio = DBL_MIN;
  let closeDistance = Number.isNaN(c.closeDistance) ? Math.abs(ratio * c.distance) : c.closeDistance;
  let distance = closeDistance / ratio;

  const userPix0 = c.pix0Vector !== null && !rules.pix0VectorIgnored ? c.pix0Vector : null;
  if (c.pix0Vector !== null && rules.pix0VectorIgnored) {
    messages.notes.push(
      "-pix0_vector values are ignored (as in the C): the detector origin follows the beam centre; use -profile spec to honour them",
    );
  }
  let origin: DetectorStages["origin"] = null;
  let pix0: Vec3 = [0, 0, 0];
  if (userPix0 !== null || pivot === "SAMPLE") {
    const start: Vec3 = userPix0 ?? [
      -Fclose * fdet0[0] - Sclose * sdet0[0] + closeDistance * odet0[0],
      -Fclose * fdet0[1] - Sclose * sdet0[1] + closeDistance * odet0[1],
      -Fclose * fdet0[2] - Sclose * sdet0[2] + closeDistance * odet0[2],
    ];
    origin = { start, rotated: rotateXYZ(start, rx, ry, rz), given: userPix0 !== null };
    pix0 = rotateAxis(origin.rotated, twothetaAxis, twotheta);
  }
  const stages: DetectorStages = {
    fdet: fdet0,
    sdet: sdet0,
    odet: odet0,
    fdetRotated,
    sdetRotated,
    odetRotated,
    Fclose,
    Sclose,
    Fbeam,
    Sbeam,
    closeDistance,
    distance,
    origin,
  };
  const fdet = rotateAxis(fdetRotated, twothetaAxis, twotheta);
  const sdet = rotateAxis(sdetRotated, twothetaAxis, twotheta);
  const odet = rotateAxis(odetRotated, twothetaAxis, twotheta);
  if (userPix0 === null && pivot === "BEAM") {
    pix0 = [
      -Fbeam * fdet[0] - Sbeam * sdet[0] + distance * beam[0],
      -Fbeam * fdet[1] - Sbeam * sdet[1] + distance * beam[1],
      -Fbeam * fdet[2] - Sbeam * sdet[2] + distance * beam[2],
    ];
  }

  Fclose = -dot(pix0, fdet);
  Sclose = -dot(pix0, sdet);
  closeDistance = dot(pix0, odet);
  const toBeam: Vec3 = [
    (closeDistance / ratio) * beam[0] - pix0[0],
    (closeDistance / ratio) * beam[1] - pix0[1],
    (closeDistance / ratio) * beam[2] - pix0[2],
  ];
  Fbeam = dot(fdet, toBeam);
  Sbeam = dot(sdet, toBeam);
  distance = closeDistance / ratio;

  return {
    convention: c.convention,
    pivot,
    fpixels,
    spixels,
    pixelSize: pixel,
    detsizeF,
    detsizeS,
    roi,
    fdet,
    sdet,
    odet,
    beam,
    polar,
    spindle,
    vert,
    twothetaAxis,
    pix0,
    distance,
    closeDistance,
    ratio,
    Xbeam,
    Ybeam,
    Xclose,
    Yclose,
    Fbeam,
    Sbeam,
    Fclose,
    Sclose,
    ORGX: Fclose / pixel + 0.5,
    ORGY: Sclose / pixel + 0.5,
    dialsOrigin: [
      1000.0 * dot(pix0, [0, 0, 1]),
      1000.0 * dot(pix0, [0, 1, 0]),
      1000.0 * dot(pix0, [-1, 0, 0]),
    ],
    twotheta,
    stages,
  };
}
