/**
 * The simulation configuration: every value the command line can set, in engine units (metres,
 * radians, photons/m^2). "Unset" is NaN or a negative count exactly where the C uses those sentinels,
 * because the C's automatic rules key off them. The CLI produces one of these; nothing downstream
 * reads argv.
 */

import { PROFILES, type ProfileRules } from "./profile.js";
import type { Vec3 } from "./vec.js";

export type Convention = "CUSTOM" | "ADXV" | "MOSFLM" | "XDS" | "DIALS" | "DENZO";
export type Pivot = "SAMPLE" | "BEAM";
export type CrystalShape = "SQUARE" | "ROUND" | "GAUSS" | "TOPHAT";

export type Misset =
  | { kind: "none" }
  | { kind: "angles"; rx: number; ry: number; rz: number }
  | { kind: "random" };

export interface SimConfig {
  profile: ProfileRules;

  // structure factors and crystal
  hklFile: string | null;
  dumpFile: string;
  matFile: string | null;
  /** a, b, c (Angstrom) and alpha, beta, gamma (radians) from -cell; null without -cell. */
  cell: [number, number, number, number, number, number] | null;
  misset: Misset;
  defaultF: number;
  Na: number;
  Nb: number;
  Nc: number;
  sampleX: number;
  sampleY: number;
  sampleZ: number;
  shape: CrystalShape;
  fudge: number;
  mosaicSpread: number;
  mosaicDomains: number;
  /** 1 on, 0 off, 2 automatic (on when any N <= 2). */
  interpolate: 0 | 1 | 2;
  waterSize: number;

  // beam
  lambda0: number;
  dispersion: number;
  dispstep: number;
  dispsteps: number;
  hdivrange: number;
  hdivstep: number;
  hdivsteps: number;
  vdivrange: number;
  vdivstep: number;
  vdivsteps: number;
  roundDiv: boolean;
  sourceFile: string | null;
  fluence: number;
  flux: number;
  exposure: number;
  beamsize: number;
  polarization: number;
  nopolar: boolean;

  // detector
  convention: Convention;
  pivot: Pivot;
  /** The pivot the user asked for with -pivot (kept to warn when a named convention overrides it). */
  pivotRequested: Pivot | null;
  beamVector: Vec3;
  polarVector: Vec3;
  spindleVector: Vec3;
  fdetVector: Vec3;
  sdetVector: Vec3;
  odetVector: Vec3;
  twothetaAxis: Vec3;
  /** -pix0_vector (m) or -pix0_vector_mm (converted to m); null when not given. */
  pix0Vector: Vec3 | null;
  pixelSize: number;
  fpixels: number;
  spixels: number;
  detsizeF: number;
  detsizeS: number;
  distance: number;
  closeDistance: number;
  Xbeam: number;
  Ybeam: number;
  Xclose: number;
  Yclose: number;
  ORGX: number;
  ORGY: number;
  detectorRotx: number;
  detectorRoty: number;
  detectorRotz: number;
  twotheta: number;
  curvedDetector: boolean;
  pointPixel: boolean;
  detectorMu: number;
  detectorThick: number;
  detectorThickstep: number;
  detectorThicksteps: number;

  // sampling
  oversample: number;
  oversampleThick: boolean;
  oversamplePolar: boolean;
  oversampleOmega: boolean;
  phi0: number;
  osc: number;
  phistep: number;
  phisteps: number;
  dmin: number;
  roi: { xmin: number; xmax: number; ymin: number; ymax: number };

  // seeds (stored negated, as the C does)
  seed: number;
  mosaicSeed: number;
  missetSeed: number;
  missetSeedGiven: boolean;

  // outputs and diagnostics
  floatFile: string;
  intFile: string;
  pgmFile: string;
  noiseFile: string;
  /** Each output is written when asked for by name, or by default where the profile says so. */
  writeFloat: boolean;
  writeInt: boolean;
  writePgm: boolean;
  calculateNoise: boolean;
  intfileScale: number;
  pgmScale: number;
  adcOffset: number;
  imgFile: string | null;
  maskFile: string | null;
  /** The -img and -mask files in the order they were read (the C says "reading FILE" first of all). */
  headerFilesRead: string[];
  /** Pixel values of the -mask image (0: skip the pixel), row-major, and its size. */
  mask: { data: Uint16Array; width: number; height: number } | null;
  stolFile: string | null;
  tracePixel: { slow: number; fast: number } | null;
  printout: boolean;
  printoutPixel: { fast: number; slow: number } | null;
  progress: boolean;
  /** Compute threads (the main thread included), exactly as given by -workers; null: all cores, as useful. */
  workers: number | null;
}

/** The C program's defaults, before any flag is applied. */
export function defaultConfig(profile: ProfileRules = PROFILES.c, now = Date.now()): SimConfig {
  const timeSeed = -Math.floor(now / 1000);
  return {
    profile,
    hklFile: null,
    dumpFile: "Fdump.bin",
    matFile: null,
    cell: null,
    misset: { kind: "none" },
    defaultF: 0,
    Na: 1,
    Nb: 1,
    Nc: 1,
    sampleX: 0,
    sampleY: 0,
    sampleZ: 0,
    shape: "SQUARE",
    fudge: 1,
    mosaicSpread: -1,
    mosaicDomains: -1,
    interpolate: 2,
    waterSize: 0,
    lambda0: 1.0e-10,
    dispersion: 0,
    dispstep: -1,
    dispsteps: -1,
    hdivrange: -1,
    hdivstep: -1,
    hdivsteps: -1,
    vdivrange: -1,
    vdivstep: -1,
    vdivsteps: -1,
    roundDiv: true,
    sourceFile: null,
    fluence: 1.2593201528622709e29,
    flux: 0,
    exposure: 1,
    beamsize: 1e-4,
    polarization: 0,
    nopolar: false,
    convention: "MOSFLM",
    pivot: "BEAM",
    pivotRequested: null,
    beamVector: [1, 0, 0],
    polarVector: [0, 0, 1],
    spindleVector: [0, 0, 1],
    fdetVector: [0, 0, 1],
    sdetVector: [0, -1, 0],
    odetVector: [1, 0, 0],
    twothetaAxis: [0, 1, 0],
    pix0Vector: null,
    pixelSize: 0.1e-3,
    fpixels: 0,
    spixels: 0,
    detsizeF: 102.4e-3,
    detsizeS: 102.4e-3,
    distance: 100.0e-3,
    closeDistance: Number.NaN,
    Xbeam: Number.NaN,
    Ybeam: Number.NaN,
    Xclose: Number.NaN,
    Yclose: Number.NaN,
    ORGX: Number.NaN,
    ORGY: Number.NaN,
    detectorRotx: 0,
    detectorRoty: 0,
    detectorRotz: 0,
    twotheta: 0,
    curvedDetector: false,
    pointPixel: false,
    detectorMu: -1,
    detectorThick: 0,
    detectorThickstep: -1,
    detectorThicksteps: -1,
    oversample: -1,
    oversampleThick: false,
    oversamplePolar: false,
    oversampleOmega: false,
    phi0: 0,
    osc: -1,
    phistep: -1,
    phisteps: -1,
    dmin: 0,
    roi: { xmin: -1, xmax: -1, ymin: -1, ymax: -1 },
    seed: timeSeed,
    mosaicSeed: -12345678,
    missetSeed: timeSeed,
    missetSeedGiven: false,
    floatFile: "floatimage.bin",
    intFile: "intimage.img",
    pgmFile: "image.pgm",
    noiseFile: "noiseimage.img",
    writeFloat: profile.writesDefaultOutputs,
    writeInt: profile.writesDefaultOutputs,
    writePgm: profile.writesDefaultOutputs,
    calculateNoise: profile.writesDefaultOutputs,
    intfileScale: 0,
    pgmScale: 0,
    adcOffset: 40,
    imgFile: null,
    maskFile: null,
    headerFilesRead: [],
    mask: null,
    stolFile: null,
    tracePixel: null,
    printout: false,
    printoutPixel: null,
    progress: true,
    workers: null,
  };
}
