/**
 * The nanoBragg command line, read with the C program's semantics: every argument that starts with
 * '-' is tested against each flag rule in the C's order, by substring (so `-mosaic_domains` is
 * `-mosaic_dom`, `-matrix` is `-mat`), and every rule that matches applies, unless the C stops
 * there. Unlike the C, a missing or malformed value is an error naming the flag, and an argument that
 * matches nothing is reported as a warning instead of passing silently.
 */

import { type Convention, defaultConfig, type Pivot, type SimConfig } from "../sim/config.js";
import { PROFILES, type ProfileName } from "../sim/profile.js";
import type { Vec3 } from "../sim/vec.js";
import { InputError } from "../util/input-error.js";
import { ingestImageHeaders } from "./image-headers.js";

const RTD = 180.0 * (1 / Math.PI);

export interface ParsedArgs {
  config: SimConfig;
  warnings: string[];
  help: boolean;
  /** -backend: the CPU workers, gpu.js, or gpu.js where it runs on a hardware GPU (else the CPU). */
  backend: BackendChoice;
  /** Per configuration field, what set it last: so that a value the engine cannot use names its flag. */
  origins: Origins;
}

/** What set a configuration field: the flag (or header file) and the words it was given. */
export type Origins = Partial<Record<keyof SimConfig, { flag: string; got: string }>>;

/** Record in `origins` the fields that `change` gives new values. */
function noting(
  config: SimConfig,
  origins: Origins,
  origin: { flag: string; got: string },
  change: () => void,
) {
  const before = { ...config };
  change();
  for (const key of Object.keys(config) as Array<keyof SimConfig>)
    if (!Object.is(config[key], before[key])) origins[key] = origin;
}

export type BackendChoice = "cpu" | "gpu" | "auto";
const BACKENDS: readonly string[] = ["cpu", "gpu", "auto"] satisfies BackendChoice[];

interface Values {
  readonly flag: string;
  num(i: number): number;
  int(i: number): number;
  str(i: number): string;
  vec(): Vec3;
}

interface Rule {
  match(flag: string): boolean;
  /** The C requires this many arguments after the flag. */
  needs: number;
  /** Arguments consumed as values (default: `needs`). */
  takes?: number;
  /** When the count depends on the first value (`-misset random` or three angles). */
  arity?: (following: readonly string[]) => number;
  apply(c: SimConfig, v: Values, w: string[]): void;
  /** The C `continue`s after this rule: no later rule sees the flag. */
  stop?: boolean;
}

const has = (s: string) => (flag: string) => flag.includes(s);
const is = (s: string) => (flag: string) => flag === s;
const hasLen = (s: string, len: number) => (flag: string) => flag.includes(s) && flag.length === len;
const any =
  (...tests: Array<(f: string) => boolean>) =>
  (flag: string) =>
    tests.some((t) => t(flag));

/** A flag, as opposed to a value (negative numbers are values). */
function isFlag(token: string): boolean {
  return token.startsWith("-") && /[a-zA-Z]/.test(token) && !NUMBER.test(token);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function readerFor(flag: string, values: string[]): Values {
  const str = (i: number) => values[i];
  const malformed = (i: number, what: string) =>
    new InputError(`${flag}: expected ${what}, got "${values[i]}"`);
  const num = (i: number) => {
    if (!NUMBER.test(values[i])) throw malformed(i, "a number");
    return Number(values[i]);
  };
  const int = (i: number) => {
    if (!INTEGER.test(values[i])) throw malformed(i, "an integer");
    return Number(values[i]);
  };
  return { flag, str, num, int, vec: () => [num(0), num(1), num(2)] };
}

function setVector(c: SimConfig, key: keyof SimConfig, v: Values): void {
  c.convention = "CUSTOM";
  (c as unknown as Record<string, Vec3>)[key] = v.vec();
}

function conventionRule(name: string, convention: Convention, pivot: Pivot): Rule {
  return {
    match: has(name),
    needs: 0,
    apply: (c) => {
      c.convention = convention;
      c.pivot = pivot;
    },
  };
}

/** The C's flag rules, in the C's order. */
function rules(profile: ProfileName): Rule[] {
  const p = PROFILES[profile];
  return [
    {
      match: has("-Na"),
      needs: 1,
      stop: true,
      apply: (c, v) => {
        c.Na = v.int(0);
      },
    },
    {
      match: has("-Nb"),
      needs: 1,
      stop: true,
      apply: (c, v) => {
        c.Nb = v.int(0);
      },
    },
    {
      match: has("-Nc"),
      needs: 1,
      stop: true,
      apply: (c, v) => {
        c.Nc = v.int(0);
      },
    },
    {
      match: is("-N"),
      needs: 1,
      stop: true,
      apply: (c, v) => {
        c.Na = c.Nb = c.Nc = v.int(0);
      },
    },
    {
      match: has("-cell"),
      needs: 6,
      apply: (c, v) => {
        const n = [0, 1, 2, 3, 4, 5].map((i) => v.num(i));
        if (n.some((x) => x <= 0))
          throw new InputError(`${v.flag}: expected six positive numbers (a b c alpha beta gamma)`);
        c.cell = [n[0], n[1], n[2], n[3] / RTD, n[4] / RTD, n[5] / RTD];
      },
    },
    {
      match: is("-misset"),
      needs: 1,
      arity: (values) => (values[0]?.includes("rand") ? 1 : 3),
      apply: (c, v) => {
        if (v.str(0).includes("rand")) c.misset = { kind: "random" };
        else c.misset = { kind: "angles", rx: v.num(0) / RTD, ry: v.num(1) / RTD, rz: v.num(2) / RTD };
      },
    },
    {
      match: any(has("-samplesize"), has("-sample_size")),
      needs: 1,
      apply: (c, v) => {
        c.sampleX = c.sampleY = c.sampleZ = v.num(0) / 1000;
      },
    },
    {
      match: any(has("-sample_thick"), has("-sample_x")),
      needs: 1,
      apply: (c, v) => {
        c.sampleX = v.num(0) / 1000;
      },
    },
    {
      match: any(has("-sample_width"), has("-sample_y"), has("-width")),
      needs: 1,
      apply: (c, v) => {
        c.sampleY = v.num(0) / 1000;
      },
    },
    {
      match: any(has("-sample_heigh"), has("-sample_z"), has("-heigh")),
      needs: 1,
      apply: (c, v) => {
        c.sampleZ = v.num(0) / 1000;
      },
    },
    {
      match: any(has("-xtalsize"), has("-xtal_size")),
      needs: 1,
      apply: (c, v) => {
        c.sampleX = c.sampleY = c.sampleZ = v.num(0) / 1000;
      },
    },
    {
      match: any(has("-xtal_thick"), has("-xtal_x")),
      needs: 1,
      apply: (c, v) => {
        c.sampleX = v.num(0) / 1000;
      },
    },
    {
      match: any(has("-xtal_width"), has("-xtal_y"), has("-width")),
      needs: 1,
      apply: (c, v) => {
        c.sampleY = v.num(0) / 1000;
      },
    },
    {
      match: any(has("-xtal_heigh"), has("-xtal_z"), has("-heigh")),
      needs: 1,
      apply: (c, v) => {
        c.sampleZ = v.num(0) / 1000;
      },
    },
    // parsed by the C but without effect on the simulation
    {
      match: any(has("-density"), has("-sample_den")),
      needs: 1,
      apply: (_c, v) => {
        v.num(0);
      },
    },
    {
      match: any(is("-MW"), has("-molec")),
      needs: 1,
      apply: (_c, v) => {
        v.num(0);
      },
    },
    {
      match: has("-Xbeam"),
      needs: 1,
      apply: (c, v) => {
        c.Xbeam = v.num(0) / 1000;
        c.pivot = "BEAM";
      },
    },
    {
      match: has("-Ybeam"),
      needs: 1,
      apply: (c, v) => {
        c.Ybeam = v.num(0) / 1000;
        c.pivot = "BEAM";
      },
    },
    {
      match: has("-Xclose"),
      needs: 1,
      apply: (c, v) => {
        c.Xclose = v.num(0) / 1000;
        c.pivot = "SAMPLE";
      },
    },
    {
      match: has("-Yclose"),
      needs: 1,
      apply: (c, v) => {
        c.Yclose = v.num(0) / 1000;
        c.pivot = "SAMPLE";
      },
    },
    {
      match: has("-ORGX"),
      needs: 1,
      apply: (c, v) => {
        c.ORGX = v.num(0);
        c.pivot = "SAMPLE";
      },
    },
    {
      match: has("-ORGY"),
      needs: 1,
      apply: (c, v) => {
        c.ORGY = v.num(0);
        c.pivot = "SAMPLE";
      },
    },
    {
      match: has("-pivot"),
      needs: 1,
      apply: (c, v) => {
        const s = v.str(0);
        if (!s.includes("sample") && !s.includes("beam")) {
          throw new InputError(`${v.flag}: expected "beam" or "sample", got "${s}"`);
        }
        if (s.includes("sample")) c.pivot = "SAMPLE";
        if (s.includes("beam")) c.pivot = "BEAM";
        c.pivotRequested = c.pivot;
      },
    },
    conventionRule("-mosflm", "MOSFLM", "BEAM"),
    conventionRule("-xds", "XDS", "SAMPLE"),
    conventionRule("-adxv", "ADXV", "BEAM"),
    conventionRule("-denzo", "DENZO", "BEAM"),
    conventionRule("-dials", "DIALS", p.conventionForcesPivot ? "BEAM" : "SAMPLE"),
    { match: has("-fdet_vector"), needs: 3, apply: (c, v) => setVector(c, "fdetVector", v) },
    { match: has("-sdet_vector"), needs: 3, apply: (c, v) => setVector(c, "sdetVector", v) },
    { match: has("-odet_vector"), needs: 3, apply: (c, v) => setVector(c, "odetVector", v) },
    { match: has("-beam_vector"), needs: 3, apply: (c, v) => setVector(c, "beamVector", v) },
    { match: has("-polar_vector"), needs: 3, apply: (c, v) => setVector(c, "polarVector", v) },
    { match: has("-spindle_axis"), needs: 3, apply: (c, v) => setVector(c, "spindleVector", v) },
    { match: has("-twotheta_axis"), needs: 3, apply: (c, v) => setVector(c, "twothetaAxis", v) },
    {
      match: has("-pix0_vector"),
      needs: 3,
      apply: (c, v) => {
        c.convention = "CUSTOM";
        const unit = v.flag.includes("_mm") ? 1e-3 : 1;
        const [x, y, z] = v.vec();
        c.pix0Vector = [x * unit, y * unit, z * unit];
      },
    },
    {
      match: has("-distance"),
      needs: 1,
      apply: (c, v) => {
        c.distance = v.num(0) / 1000;
        c.pivot = "BEAM";
      },
    },
    {
      match: has("-close_distance"),
      needs: 1,
      apply: (c, v) => {
        c.closeDistance = v.num(0) / 1000;
        c.pivot = "SAMPLE";
      },
    },
    {
      match: has("-detector_abs"),
      needs: 1,
      apply: (c, v) => {
        const s = v.str(0);
        if (s.includes("inf") || v.num(0) === 0) {
          c.detectorThick = 0;
          c.detectorMu = 0;
        } else {
          c.detectorMu = 1.0 / (v.num(0) * 1e-6);
        }
      },
    },
    {
      match: hasLen("-detector_thick", 15),
      needs: 1,
      apply: (c, v) => {
        c.detectorThick = v.num(0) * 1e-6;
      },
    },
    {
      match: has("-detector_thicksteps"),
      needs: 1,
      apply: (c, v) => {
        c.detectorThicksteps = v.int(0);
      },
    },
    {
      match: has("-thicksteps"),
      needs: 1,
      apply: (c, v) => {
        c.detectorThicksteps = v.int(0);
      },
    },
    {
      match: p.twothetaAxisSetsTwotheta
        ? has("-twotheta")
        : (f) => f.includes("-twotheta") && !f.includes("-twotheta_axis"),
      needs: 1,
      apply: (c, v, w) => {
        if (v.flag.includes("-twotheta_axis")) {
          w.push(
            `${v.flag} also sets the detector two-theta to ${v.str(0)} degrees and the SAMPLE pivot (as the C does); use -profile spec to avoid this`,
          );
        }
        c.twotheta = v.num(0) / RTD;
        c.pivot = "SAMPLE";
      },
    },
    {
      match: has("-detector_rotx"),
      needs: 1,
      apply: (c, v) => {
        c.detectorRotx = v.num(0) / RTD;
      },
    },
    {
      match: has("-detector_roty"),
      needs: 1,
      apply: (c, v) => {
        c.detectorRoty = v.num(0) / RTD;
      },
    },
    {
      match: has("-detector_rotz"),
      needs: 1,
      apply: (c, v) => {
        c.detectorRotz = v.num(0) / RTD;
      },
    },
    {
      match: hasLen("-detsize", 8),
      needs: 1,
      apply: (c, v) => {
        c.detsizeF = c.detsizeS = v.num(0) / 1000;
      },
    },
    {
      match: has("-detsize_f"),
      needs: 1,
      apply: (c, v) => {
        c.detsizeF = v.num(0) / 1000;
      },
    },
    {
      match: has("-detsize_s"),
      needs: 1,
      apply: (c, v) => {
        c.detsizeS = v.num(0) / 1000;
      },
    },
    {
      match: hasLen("-detpixels", 10),
      needs: 1,
      apply: (c, v) => {
        c.fpixels = c.spixels = v.int(0);
      },
    },
    {
      match: any(has("-detpixels_f"), has("-detpixels_x")),
      needs: 1,
      apply: (c, v) => {
        c.fpixels = v.int(0);
      },
    },
    {
      match: any(has("-detpixels_s"), has("-detpixels_y")),
      needs: 1,
      apply: (c, v) => {
        c.spixels = v.int(0);
      },
    },
    {
      match: has("-curved_det"),
      needs: p.curvedDetNeedsFollowingToken ? 1 : 0,
      takes: 0,
      apply: (c) => {
        c.curvedDetector = true;
      },
    },
    {
      match: has("-pixel"),
      needs: 1,
      apply: (c, v) => {
        c.pixelSize = v.num(0) / 1000;
      },
    },
    {
      match: has("-point_pixel"),
      needs: 0,
      apply: (c) => {
        c.pointPixel = true;
      },
    },
    {
      match: hasLen("-polar", 6),
      needs: 1,
      apply: (c, v) => {
        c.polarization = v.num(0);
        c.nopolar = false;
      },
    },
    {
      match: has("-nopolar"),
      needs: 0,
      apply: (c) => {
        c.nopolar = true;
      },
    },
    {
      match: has("-oversample_thick"),
      needs: 0,
      stop: true,
      apply: (c) => {
        c.oversampleThick = true;
      },
    },
    {
      match: has("-oversample_polar"),
      needs: 0,
      stop: true,
      apply: (c) => {
        c.oversamplePolar = true;
      },
    },
    {
      match: has("-oversample_omega"),
      needs: 0,
      stop: true,
      apply: (c) => {
        c.oversampleOmega = true;
      },
    },
    {
      match: has("-oversample"),
      needs: 1,
      apply: (c, v) => {
        c.oversample = v.int(0);
      },
    },
    {
      match: has("-roi"),
      needs: 4,
      apply: (c, v) => {
        c.roi = { xmin: v.int(0), xmax: v.int(1), ymin: v.int(2), ymax: v.int(3) };
      },
    },
    {
      match: any(has("-lambda"), has("-wave")),
      needs: 1,
      apply: (c, v) => {
        c.lambda0 = v.num(0) / 1.0e10;
      },
    },
    {
      match: has("-energy"),
      needs: 1,
      apply: (c, v) => {
        c.lambda0 = 12398.42 / v.num(0) / 1.0e10;
      },
    },
    {
      match: has("-fluence"),
      needs: 1,
      apply: (c, v) => {
        c.fluence = v.num(0);
      },
    },
    {
      match: has("-flux"),
      needs: 1,
      apply: (c, v) => {
        c.flux = v.num(0);
      },
    },
    {
      match: has("-exposure"),
      needs: 1,
      apply: (c, v) => {
        c.exposure = v.num(0);
      },
    },
    {
      match: has("-beamsize"),
      needs: 1,
      apply: (c, v) => {
        c.beamsize = v.num(0) / 1000;
      },
    },
    {
      match: any(hasLen("-mosaic", 7), has("-mosaici"), has("-mosaic_spr")),
      needs: 1,
      apply: (c, v) => {
        c.mosaicSpread = v.num(0) / RTD;
      },
    },
    {
      match: has("-mosaic_dom"),
      needs: 1,
      apply: (c, v) => {
        c.mosaicDomains = v.int(0);
      },
    },
    {
      match: has("-dispersion"),
      needs: 1,
      apply: (c, v) => {
        c.dispersion = v.num(0) / 100.0;
      },
    },
    {
      match: has("-dispsteps"),
      needs: 1,
      apply: (c, v) => {
        c.dispsteps = v.int(0);
      },
    },
    {
      match: has("-divergence"),
      needs: 1,
      apply: (c, v) => {
        c.hdivrange = c.vdivrange = v.num(0) / 1000.0;
      },
    },
    {
      match: has("-hdivrange"),
      needs: 1,
      apply: (c, v) => {
        c.hdivrange = v.num(0) / 1000.0;
      },
    },
    {
      match: has("-vdivrange"),
      needs: 1,
      apply: (c, v) => {
        c.vdivrange = v.num(0) / 1000.0;
      },
    },
    {
      match: hasLen("-hdivstep", 9),
      needs: 1,
      apply: (c, v) => {
        c.hdivstep = v.num(0) / 1000.0;
      },
    },
    {
      match: has("-hdivsteps"),
      needs: 1,
      apply: (c, v) => {
        c.hdivsteps = v.int(0);
      },
    },
    {
      match: hasLen("-vdivstep", 9),
      needs: 1,
      apply: (c, v) => {
        c.vdivstep = v.num(0) / 1000.0;
      },
    },
    {
      match: has("-vdivsteps"),
      needs: 1,
      apply: (c, v) => {
        c.vdivsteps = v.int(0);
      },
    },
    {
      match: has("-divsteps"),
      needs: 1,
      apply: (c, v) => {
        c.hdivsteps = c.vdivsteps = v.int(0);
      },
    },
    {
      match: has("-round_div"),
      needs: 0,
      apply: (c) => {
        c.roundDiv = true;
      },
    },
    {
      match: has("-square_div"),
      needs: 0,
      apply: (c) => {
        c.roundDiv = false;
      },
    },
    {
      match: has("-adc"),
      needs: 1,
      apply: (c, v) => {
        c.adcOffset = v.num(0);
      },
    },
    {
      match: hasLen("-phi", 4),
      needs: 1,
      apply: (c, v) => {
        c.phi0 = v.num(0) / RTD;
      },
    },
    {
      match: has("-osc"),
      needs: 1,
      apply: (c, v) => {
        c.osc = v.num(0) / RTD;
      },
    },
    {
      match: hasLen("-phistep", 8),
      needs: 1,
      apply: (c, v) => {
        c.phistep = v.num(0) / RTD;
      },
    },
    {
      match: has("-phisteps"),
      needs: 1,
      apply: (c, v) => {
        c.phisteps = v.int(0);
      },
    },
    {
      match: has("-dmin"),
      needs: 1,
      apply: (c, v) => {
        c.dmin = v.num(0) * 1e-10;
      },
    },
    {
      match: has("-mat"),
      needs: 1,
      apply: (c, v) => {
        c.matFile = v.str(0);
      },
    },
    {
      match: has("-hkl"),
      needs: 1,
      apply: (c, v) => {
        c.hklFile = v.str(0);
      },
    },
    {
      match: has("-default_F"),
      needs: 1,
      apply: (c, v) => {
        c.defaultF = v.num(0);
      },
    },
    // -img and -mask are read before any flag (see image-headers.ts); here they only take their value
    {
      match: has("-img"),
      needs: 1,
      apply: () => {},
    },
    {
      match: has("-mask"),
      needs: 1,
      apply: () => {},
    },
    { match: (f) => f.includes("-stolout") && f.length > 7, needs: 1, apply: () => {} },
    {
      match: hasLen("-stol", 5),
      needs: 1,
      apply: (c, v) => {
        c.stolFile = v.str(0);
      },
    },
    {
      match: hasLen("-4stol", 6),
      needs: 1,
      apply: (c, v) => {
        c.stolFile = v.str(0);
      },
    },
    {
      match: hasLen("-Q", 2),
      needs: 1,
      apply: (c, v) => {
        c.stolFile = v.str(0);
      },
    },
    {
      match: has("-sourcefile"),
      needs: 1,
      apply: (c, v) => {
        c.sourceFile = v.str(0);
      },
    },
    {
      match: any(has("-floatfile"), has("-floatimage")),
      needs: 1,
      apply: (c, v) => {
        c.floatFile = v.str(0);
        c.writeFloat = true;
      },
    },
    {
      match: any(has("-intfile"), has("-intimage")),
      needs: 1,
      apply: (c, v) => {
        c.intFile = v.str(0);
        c.writeInt = true;
      },
    },
    {
      match: any(has("-pgmfile"), has("-pgmimage")),
      needs: 1,
      apply: (c, v) => {
        c.pgmFile = v.str(0);
        c.writePgm = true;
      },
    },
    {
      match: any(has("-noisefile"), has("-noiseimage")),
      needs: 1,
      apply: (c, v) => {
        c.noiseFile = v.str(0);
        c.calculateNoise = true;
      },
    },
    {
      match: has("-nonoise"),
      needs: 0,
      apply: (c) => {
        c.calculateNoise = false;
      },
    },
    {
      match: has("-nopgm"),
      needs: 0,
      apply: (c) => {
        c.writePgm = false;
      },
    },
    {
      match: has("-scale"),
      needs: 1,
      apply: (c, v) => {
        c.intfileScale = v.num(0);
      },
    },
    {
      match: has("-pgmscale"),
      needs: 1,
      apply: (c, v) => {
        c.pgmScale = v.num(0);
        c.writePgm = true;
      },
    },
    { match: has("-coherent"), needs: 0, apply: () => {} },
    {
      match: has("-printout"),
      needs: 0,
      apply: (c) => {
        c.printout = true;
      },
    },
    {
      match: has("-noprogress"),
      needs: 0,
      apply: (c) => {
        c.progress = false;
      },
    },
    {
      match: has("-progress"),
      needs: 0,
      apply: (c) => {
        c.progress = true;
      },
    },
    {
      match: has("-interpolate"),
      needs: 0,
      apply: (c) => {
        c.interpolate = 1;
      },
    },
    {
      match: has("-nointerpolate"),
      needs: 0,
      apply: (c) => {
        c.interpolate = 0;
      },
    },
    {
      match: has("-round_xtal"),
      needs: 0,
      apply: (c) => {
        c.shape = "ROUND";
      },
    },
    {
      match: has("-square_xtal"),
      needs: 0,
      apply: (c) => {
        c.shape = "SQUARE";
      },
    },
    {
      match: has("-gauss_xtal"),
      needs: 0,
      apply: (c) => {
        c.shape = "GAUSS";
      },
    },
    {
      match: any(has("-binary_spots"), has("-tophat_spots")),
      needs: 0,
      apply: (c) => {
        c.shape = "TOPHAT";
      },
    },
    {
      match: has("-fudge"),
      needs: 1,
      apply: (c, v) => {
        c.fudge = v.num(0);
      },
    },
    {
      match: has("-printout_pixel"),
      needs: 2,
      apply: (c, v) => {
        c.printoutPixel = { fast: v.int(0), slow: v.int(1) };
      },
    },
    {
      match: any(has("-trace_pixel"), has("-dump_pixel")),
      needs: 2,
      apply: (c, v) => {
        c.tracePixel = { slow: v.int(0), fast: v.int(1) };
      },
    },
    {
      match: has("-seed"),
      needs: 1,
      apply: (c, v) => {
        c.seed = -v.int(0);
      },
    },
    {
      match: has("-mosaic_seed"),
      needs: 1,
      apply: (c, v) => {
        c.mosaicSeed = -v.int(0);
      },
    },
    {
      match: has("-misset_seed"),
      needs: 1,
      apply: (c, v) => {
        c.missetSeed = -v.int(0);
        c.missetSeedGiven = true;
      },
    },
    {
      match: has("-water"),
      needs: 1,
      apply: (c, v) => {
        c.waterSize = v.num(0) / 1e6;
      },
    },
    // options of this port, not of the C
    {
      match: is("-workers"),
      needs: 1,
      apply: (c, v) => {
        const n = v.int(0);
        if (n < 1) throw new InputError(`${v.flag}: expected a positive integer, got "${v.str(0)}"`);
        c.workers = n;
      },
    },
    { match: is("-profile"), needs: 1, apply: () => {} },
    { match: is("-backend"), needs: 1, apply: () => {} },
  ];
}

/** -backend, read before the flag rules like -profile (the rule above only claims its value). */
function backendOf(argv: readonly string[]): BackendChoice {
  let backend: BackendChoice = "cpu";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== "-backend") continue;
    const value = argv[i + 1];
    if (!BACKENDS.includes(value)) {
      throw new InputError(
        `-backend: expected "cpu", "gpu" or "auto", got ${value === undefined ? "nothing" : `"${value}"`}`,
      );
    }
    backend = value as BackendChoice;
  }
  return backend;
}

function profileOf(argv: readonly string[]): ProfileName {
  let profile: ProfileName = "c";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== "-profile") continue;
    const value = argv[i + 1];
    if (value !== "c" && value !== "spec") {
      throw new InputError(
        `-profile: expected "c" or "spec", got ${value === undefined ? "nothing" : `"${value}"`}`,
      );
    }
    profile = value;
  }
  return profile;
}

/**
 * Parse nanoBragg's argv (without the program name). `now` (ms) makes the time-based default seeds.
 * Throws InputError for malformed input.
 */
export function parseArgs(argv: readonly string[], now = Date.now()): ParsedArgs {
  const help = argv.some((a) => a === "-h" || a === "--help" || a === "-help");
  const profile = profileOf(argv);
  const config = defaultConfig(PROFILES[profile], now);
  const backend = backendOf(argv);
  const warnings: string[] = [];
  const origins: Origins = {};
  if (help) return { config, warnings, help, backend, origins };
  noting(config, origins, { flag: "-img/-mask", got: "the SMV header" }, () =>
    ingestImageHeaders(config, argv),
  );
  const table = rules(profile);
  const consumed = new Set<number>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (consumed.has(i)) continue;
    if (!flag.startsWith("-")) {
      warnings.push(`ignoring stray argument "${flag}"`);
      continue;
    }
    let matched = false;
    for (const rule of table) {
      if (!rule.match(flag)) continue;
      matched = true;
      const following = argv.slice(i + 1);
      const needs = rule.arity ? rule.arity(following) : rule.needs;
      if (rule.takes === 0) {
        // the C only asks for a following argument, it does not read it
        if (following.length < needs) {
          warnings.push(
            `${flag} is ignored when it is the last argument (as in the C); use -profile spec to honour it`,
          );
          break;
        }
      } else {
        const flagAt = following.slice(0, needs).findIndex(isFlag);
        if (following.length < needs || flagAt >= 0) {
          const got = flagAt >= 0 ? flagAt : following.length;
          const before = flagAt >= 0 ? ` before "${following[flagAt]}"` : "";
          throw new InputError(
            `${flag}: expected ${needs} value${needs > 1 ? "s" : ""}, got ${got}${before}`,
          );
        }
      }
      const takes = rule.takes ?? needs;
      const values = following.slice(0, needs);
      noting(config, origins, { flag, got: values.join(" ") }, () =>
        rule.apply(config, readerFor(flag, values), warnings),
      );
      for (let k = 1; k <= takes; k++) consumed.add(i + k);
      if (rule.stop) break;
    }
    if (!matched && !NUMBER.test(flag)) warnings.push(`unknown flag ${flag} ignored`);
  }
  return { config, warnings, help, backend, origins };
}
