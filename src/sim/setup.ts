/**
 * Set-up: from a validated configuration to every number the simulation needs, in the C's order
 * (detector grid, fluence, conventions, sampling rules, geometry, crystal, structure factors, sources,
 * mosaic domains, normalisation). Input files are read here. The C's own messages are kept for the
 * points of its output where the C prints them; this port's notes (values a quirk ignores, images a
 * quirk blanks) are kept apart.
 */

import { existsSync } from "node:fs";
import { readFdump, writeFdump } from "../io/fdump.js";
import { readHkl } from "../io/hkl.js";
import { readMatrix } from "../io/matrix.js";
import { parseColumns, readSourceFile } from "../io/sourcefile.js";
import { readTextFile } from "../io/text-lines.js";
import { cprintf } from "../util/cformat.js";
import { InputError } from "../util/input-error.js";
import type { SimConfig } from "./config.js";
import { buildCrystal, type Crystal, type CrystalSize, crystalSize } from "./crystal.js";
import { buildDetector, type DetectorGeometry } from "./detector.js";
import { mosaicRotationUmat, RandomSource } from "./rng.js";
import { resolveBeamSweep, resolveMosaic, resolvePhi, resolveThickness, type Sweep } from "./sampling.js";
import { generateSources, type Sources, sourcesFromFile } from "./sources.js";
import { emptyGrid, gridFromReflections, type HklGrid } from "./structure-factors.js";

/** Thomson cross section of the electron, r_e^2 (m^2). */
export const R_E_SQR = 7.94079248018965e-30;
const AVOGADRO = 6.02214179e23;
const WATER_F = 2.57;
const WATER_MW = 18.0;

export interface Simulation {
  config: SimConfig;
  detector: DetectorGeometry;
  crystal: Crystal;
  size: CrystalSize;
  oversample: number;
  oversampleAuto: boolean;
  recommendedOversample: number;
  interpolate: boolean;
  phi: Sweep;
  hdiv: Sweep;
  vdiv: Sweep;
  dispersion: Sweep;
  thickness: Sweep;
  detectorMu: number;
  mosaicSpread: number;
  mosaicDomains: number;
  /** Row-major 3x3 per domain; domain 0 is the identity. */
  mosaicUmats: Float64Array;
  sources: Sources;
  grid: HklGrid;
  structureFactorSource: "hkl" | "fdump" | "default_F";
  fluence: number;
  flux: number;
  steps: number;
  Ibg: number;
  /** The dump file could not be written (the C goes on). */
  dumpFailure: string | null;
  /** The generator state after set-up (misset, mosaic), which the noise image continues. */
  rng: RandomSource;
  messages: SetupMessages;
}

/** Messages of set-up, by where the C prints them. */
export interface SetupMessages {
  /** Before the C's banner: sample clipping, odet regeneration. */
  preamble: string[];
  /** After the banner: the sampling rules' warnings. */
  sampling: string[];
  /** Before the cell listing: impossible cells. */
  cell: string[];
  /** After the oversampling line. */
  oversampling: string[];
  /** This port's own notes, not the C's: for stderr. */
  notes: string[];
}

/** No structure factors, or no cell: the C prints its usage and exits with status 9. */
export class MissingInputsError extends InputError {
  constructor(message: string) {
    super(message, 9);
    this.name = "MissingInputsError";
  }
}

export function setupSimulation(c: SimConfig): Simulation {
  const rules = c.profile;
  const messages: SetupMessages = { preamble: [], sampling: [], cell: [], oversampling: [], notes: [] };

  // fluence from flux, and the sample clipped to the beam
  let fluence = c.fluence;
  let flux = c.flux;
  let sampleY = c.sampleY;
  let sampleZ = c.sampleZ;
  if (flux !== 0.0 && c.exposure > 0.0 && c.beamsize >= 0)
    fluence = (flux * c.exposure) / c.beamsize / c.beamsize;
  if (c.beamsize >= 0) {
    if (c.beamsize < sampleY) {
      messages.preamble.push(
        cprintf("WARNING: clipping sample (%lg m high) with beam (%lg m)", sampleY, c.beamsize),
      );
      sampleY = c.beamsize;
    }
    if (c.beamsize < sampleZ) {
      messages.preamble.push(
        cprintf("WARNING: clipping sample (%lg m wide) with beam (%lg m)", sampleZ, c.beamsize),
      );
      sampleZ = c.beamsize;
    }
  }
  if (c.exposure > 0.0) flux = (fluence / c.exposure) * c.beamsize * c.beamsize;

  const dumpExists = c.hklFile === null && existsSync(c.dumpFile);
  if ((c.hklFile === null && !dumpExists && c.defaultF === 0.0) || (c.matFile === null && c.cell === null)) {
    throw new MissingInputsError(
      c.matFile === null && c.cell === null
        ? "no crystal: give -cell a b c alpha beta gamma or -mat FILE"
        : "no structure factors: give -hkl FILE or -default_F F (or run where Fdump.bin exists)",
    );
  }

  const phi = resolvePhi(c.osc, c.phistep, c.phisteps);
  const countOnly = rules.divergenceCountOnlyStepOverCount;
  const hdiv = resolveBeamSweep(c.hdivrange, c.hdivstep, c.hdivsteps, countOnly);
  const vdiv = resolveBeamSweep(c.vdivrange, c.vdivstep, c.vdivsteps, countOnly);
  const dispersion = resolveBeamSweep(c.dispersion, c.dispstep, c.dispsteps, countOnly);
  let detectorThick = c.detectorThick;
  let detectorMu = c.detectorMu;
  if (detectorMu === 0 && detectorThick > 0) {
    if (rules.zeroAttenuationBlanks) {
      messages.notes.push(
        "a sensor thickness with attenuation 0 (or inf) captures nothing: the image is blank (as in the C); use -profile spec for no absorption",
      );
    } else {
      detectorThick = 0;
    }
  }
  const thickness = resolveThickness(detectorThick, c.detectorThickstep, c.detectorThicksteps, rules);
  if (thickness.range > 0.0 && detectorMu < 0.0) {
    detectorMu = 1.0 / thickness.range;
    messages.sampling.push(cprintf("WARNING: setting detector attenuation depth to %g m", detectorMu));
  }
  const mosaic = resolveMosaic(c.mosaicSpread, c.mosaicDomains);
  if (mosaic.warning) messages.sampling.push(mosaic.warning);

  const detector = buildDetector(c, messages);
  if (c.mask !== null && (c.mask.width !== detector.fpixels || c.mask.height !== detector.spixels)) {
    throw new InputError(
      `-mask ${c.maskFile}: the mask is ${c.mask.width}x${c.mask.height} pixels but the detector ${detector.fpixels}x${detector.spixels}`,
    );
  }

  let interpolate: boolean;
  if (c.interpolate === 2) interpolate = c.Na <= 2 || c.Nb <= 2 || c.Nc <= 2;
  else interpolate = c.interpolate === 1;

  const rng = new RandomSource();
  const missetSeed = {
    value: !rules.missetSeedFromTime && !c.missetSeedGiven ? c.seed : c.missetSeed,
  };
  const crystal = buildCrystal(
    {
      cell: c.cell,
      matrix: c.matFile === null ? null : readMatrix(c.matFile),
      lambda0: c.lambda0,
      misset: c.misset,
    },
    rng,
    missetSeed,
  );
  messages.cell.push(...crystal.warnings);

  const size = crystalSize(crystal, [c.Na, c.Nb, c.Nc], [c.sampleX, sampleY, sampleZ]);
  const reciprocalPixelSize = (c.lambda0 * detector.distance) / detector.pixelSize;
  let recommendedOversample = Math.ceil((3.0 * size.xtalMax) / reciprocalPixelSize);
  if (recommendedOversample <= 0) recommendedOversample = 1;
  let oversample = c.oversample;
  const oversampleAuto = oversample <= 0;
  if (oversampleAuto) oversample = recommendedOversample;
  if (oversample < recommendedOversample) {
    messages.oversampling.push(
      cprintf("WARNING: maximum dimension of sample is %g A", size.xtalMax * 1e10),
      cprintf("         but reciprocal pixel size is %g A", reciprocalPixelSize * 1e10),
      "         intensity may vary significantly across a pixel!",
      cprintf("         recommend -oversample %d to work around this", recommendedOversample),
    );
  }

  let grid: HklGrid;
  let structureFactorSource: Simulation["structureFactorSource"];
  let dumpFailure: string | null = null;
  if (c.hklFile !== null) {
    grid = gridFromReflections(readHkl(c.hklFile, rules.hklCommentsAndExtraColumns), c.defaultF, c.hklFile);
    structureFactorSource = "hkl";
    dumpFailure = writeFdump(c.dumpFile, grid);
  } else if (dumpExists) {
    grid = readFdump(c.dumpFile);
    structureFactorSource = "fdump";
  } else {
    grid = emptyGrid();
    structureFactorSource = "default_F";
  }
  if (grid.count === 0) interpolate = false;

  if (c.stolFile !== null && parseColumns(readTextFile(c.stolFile, "-stol"), c.stolFile, 2).length === 0) {
    throw new InputError(`-stol ${c.stolFile}: no data in file`);
  }

  const axes = { beam: detector.beam, polar: detector.polar, vert: detector.vert };
  const sources =
    c.sourceFile !== null
      ? sourcesFromFile(readSourceFile(c.sourceFile), axes, c.lambda0, rules.sourceFileWavelength)
      : generateSources(axes, c.lambda0, hdiv, vdiv, dispersion, c.roundDiv);

  const mosaicSeed = { value: c.mosaicSeed };
  const mosaicUmats = new Float64Array(9 * mosaic.domains);
  for (let d = 0; d < mosaic.domains; d++) {
    // domain 0 is forced to the identity, after its draws
    const umat = mosaicRotationUmat(mosaic.spread, rng, mosaicSeed);
    mosaicUmats.set(d === 0 ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : umat, 9 * d);
  }

  const steps = sources.count * mosaic.domains * phi.count * oversample * oversample;
  const Ibg =
    (WATER_F * WATER_F * R_E_SQR * fluence * c.waterSize * c.waterSize * c.waterSize * 1e6 * AVOGADRO) /
    WATER_MW;

  if (c.oversampleThick && thickness.range === 0 && rules.oversampleThickWithoutThicknessBlanks) {
    messages.notes.push(
      "-oversample_thick without a sensor thickness multiplies by a capture fraction of 0: the image is blank (as in the C); use -profile spec",
    );
  }

  return {
    config: c,
    detector,
    crystal,
    size,
    oversample,
    oversampleAuto,
    recommendedOversample,
    interpolate,
    phi,
    hdiv,
    vdiv,
    dispersion,
    thickness,
    detectorMu,
    mosaicSpread: mosaic.spread,
    mosaicDomains: mosaic.domains,
    mosaicUmats,
    sources,
    grid,
    structureFactorSource,
    fluence,
    flux,
    steps,
    Ibg,
    dumpFailure,
    rng,
    messages,
  };
}
