/**
 * From a set-up simulation to the kernel's flat plan: per (phi step, mosaic domain) rotated cell
 * vectors, including the C's stale rotation at phi == 0 where the profile asks for it, and the
 * choices the profile makes about oversampling flags.
 */

import type { KernelPlan } from "./kernel.js";
import { kernelState, renderSpan } from "./kernel.js";
import { ShapeCode } from "./lattice.js";
import { stableUnit, unitAgain } from "./polarization.js";
import { R_E_SQR, type Simulation } from "./setup.js";
import { rotateAxis, rotateUmat, type Vec3 } from "./vec.js";

const SHAPES = {
  SQUARE: ShapeCode.Square,
  ROUND: ShapeCode.Round,
  GAUSS: ShapeCode.Gauss,
  TOPHAT: ShapeCode.Tophat,
};

/**
 * Real-space cell (a, b, c) at each phi step before mosaic rotation. With a stale rotation, a step at
 * phi == 0 keeps the previous nonzero step's rotation (cyclically: the previous path's last step);
 * `first` gives the table of the first path a single-threaded C run renders, where nothing precedes.
 */
function phiCells(sim: Simulation, stale: boolean, first: boolean): Vec3[][] {
  const { a, b, c } = sim.crystal;
  const spindle = sim.detector.spindle;
  const n = sim.phi.count;
  const angles = Array.from({ length: n }, (_, t) => sim.config.phi0 + sim.phi.step * t);
  const fresh = angles.map((phi) =>
    phi !== 0.0
      ? [rotateAxis(a, spindle, phi), rotateAxis(b, spindle, phi), rotateAxis(c, spindle, phi)]
      : null,
  );
  return angles.map((_, t) => {
    const own = fresh[t];
    if (own) return own;
    if (!stale) return [a, b, c];
    for (let back = 1; back <= (first ? t : n); back++) {
      const previous = fresh[(t - back + n) % n];
      if (previous) return previous;
    }
    return [a, b, c];
  });
}

/**
 * An ROI bound as the kernel's 32-bit integers hold it: a bound beyond the detector's edge selects the
 * same pixels as the edge does (-1 or the pixel count), however far beyond it is.
 */
function withinEdge(bound: number, pixels: number): number {
  return Math.min(Math.max(bound, -1), pixels);
}

function cellTable(sim: Simulation, cells: Vec3[][]): Float64Array {
  const domains = sim.mosaicDomains;
  const table = new Float64Array(cells.length * domains * 9);
  cells.forEach((abc, t) => {
    for (let d = 0; d < domains; d++) {
      const umat = sim.mosaicUmats.subarray(9 * d, 9 * d + 9);
      abc.forEach((v, i) => {
        table.set(sim.mosaicSpread > 0.0 ? rotateUmat(v, umat) : v, (t * domains + d) * 9 + 3 * i);
      });
    }
  });
  return table;
}

function sameValues(x: Float64Array, y: Float64Array): boolean {
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

export function buildPlan(sim: Simulation): KernelPlan {
  const c = sim.config;
  const rules = c.profile;
  const d = sim.detector;
  const g = sim.grid;
  const polarAxis = stableUnit(d.polar[0], d.polar[1], d.polar[2]);
  const stale = rules.stalePhiRotation;
  const table = cellTable(sim, phiCells(sim, stale, false));
  const tableFirst = cellTable(sim, phiCells(sim, stale, true));
  const noThickness = sim.thickness.range === 0.0;
  const plan: KernelPlan = {
    fpixels: d.fpixels,
    spixels: d.spixels,
    roiXmin: withinEdge(d.roi.xmin, d.fpixels),
    roiXmax: withinEdge(d.roi.xmax, d.fpixels),
    roiYmin: withinEdge(d.roi.ymin, d.spixels),
    roiYmax: withinEdge(d.roi.ymax, d.spixels),
    mask: c.mask?.data ?? null,
    oversample: sim.oversample,
    subpixelSize: d.pixelSize / sim.oversample,
    pixelSize: d.pixelSize,
    thicksteps: sim.thickness.count,
    thickstep: sim.thickness.step,
    detectorThick: sim.thickness.range,
    detectorMu: sim.detectorMu,
    detector: Float64Array.of(...d.pix0, ...d.fdet, ...d.sdet, ...d.odet, ...d.beam),
    curved: c.curvedDetector,
    pointPixel: c.pointPixel,
    distance: d.distance,
    closeDistance: d.closeDistance,
    sources: sim.sources.count,
    sourceDirection: sim.sources.direction,
    sourceLambda: sim.sources.lambda,
    sourceIncidentAgain: incidentAgain(sim.sources.direction),
    dmin: c.dmin,
    nopolar: c.nopolar,
    polarization: c.polarization,
    polarAxis: Float64Array.from(polarAxis),
    oversampleThick: c.oversampleThick && !(noThickness && !rules.oversampleThickWithoutThicknessBlanks),
    oversamplePolar: c.oversamplePolar && !(c.nopolar && !rules.oversamplePolarOverridesNopolar),
    oversampleOmega: c.oversampleOmega,
    phisteps: sim.phi.count,
    domains: sim.mosaicDomains,
    phi: Float64Array.from({ length: sim.phi.count }, (_, t) => c.phi0 + sim.phi.step * t),
    cellTable: table,
    cellTableFirst: tableFirst,
    firstPathPixel: -1,
    shape: SHAPES[c.shape],
    Na: sim.size.Na,
    Nb: sim.size.Nb,
    Nc: sim.size.Nc,
    fudge: c.fudge,
    reciprocal: Float64Array.of(...sim.crystal.aStar, ...sim.crystal.bStar, ...sim.crystal.cStar),
    Ibg: sim.Ibg,
    waterSize: c.waterSize,
    grid: g,
    defaultF: c.defaultF,
    interpolate: sim.interpolate,
    interpolationFallbackNearest: rules.interpolationFallback === "nearest",
    reFluence: R_E_SQR * sim.fluence,
    steps: sim.steps,
  };
  // probed on a copy: the kernel keeps the plan it was first given, before this field was known
  if (!sameValues(table, tableFirst)) plan.firstPathPixel = firstPathPixel({ ...plan });
  return plan;
}

function incidentAgain(direction: Float64Array): Float64Array {
  const out = new Float64Array(direction.length);
  for (let i = 0; i < direction.length; i += 3)
    out.set(unitAgain(-direction[i], -direction[i + 1], -direction[i + 2]), i);
  return out;
}

export function insideRoi(p: KernelPlan, fpixel: number, spixel: number): boolean {
  return !(fpixel < p.roiXmin || fpixel > p.roiXmax || spixel < p.roiYmin || spixel > p.roiYmax);
}

/** Row-major index of the first rendered pixel with a path that is not culled by -dmin, or -1. */
function firstPathPixel(p: KernelPlan): number {
  const probe = kernelState(p);
  const sink = new Float32Array(1);
  for (let spixel = 0; spixel < p.spixels; spixel++) {
    for (let fpixel = 0; fpixel < p.fpixels; fpixel++) {
      const index = spixel * p.fpixels + fpixel;
      if (!insideRoi(p, fpixel, spixel) || (p.mask !== null && p.mask[index] === 0)) continue;
      if (p.dmin <= 0.0) return index;
      renderSpan(p, probe, spixel, fpixel, fpixel, sink, index, null);
      if (probe.paths > 0) return index;
    }
  }
  return -1;
}
