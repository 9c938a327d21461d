/**
 * The files a run writes and the lines the C prints about them, in the C's order: float image,
 * statistics, SMV int image, PGM preview, noise image.
 */

import type { Worker } from "node:worker_threads";
import type { RenderResult } from "../backends/cpu.js";
import { BackgroundWrites } from "../io/background-writes.js";
import { pgmChunks } from "../io/pgm.js";
import { encodeRawFloat } from "../io/raw-float.js";
import { countsWrittenInPlace, type NanoBraggHeader, smvChunks } from "../io/smv.js";
import { intfileScale, intImage, NoiseImage, pgmImage, pgmScale } from "../sim/integer-images.js";
import type { KernelPlan } from "../sim/kernel.js";
import { PhotonNoise } from "../sim/noise.js";
import type { Simulation } from "../sim/setup.js";
import { cprintf } from "../util/cformat.js";

const RTD = 180.0 * (1 / Math.PI);

/** The header values of the C's SMV images for this simulation. */
export function imageHeader(sim: Simulation): NanoBraggHeader {
  const d = sim.detector;
  const c = sim.config;
  return {
    fpixels: d.fpixels,
    spixels: d.spixels,
    pixelMm: d.pixelSize * 1000.0,
    distanceMm: d.distance * 1000.0,
    wavelengthA: c.lambda0 * 1e10,
    beamCenterXMm: d.Xbeam * 1000.0,
    beamCenterYMm: d.Ybeam * 1000,
    adxvCenterXMm: d.Fbeam * 1000.0,
    adxvCenterYMm: (d.detsizeS - d.Sbeam) * 1000,
    mosflmCenterXMm: (d.Sbeam - 0.5 * d.pixelSize) * 1000.0,
    mosflmCenterYMm: (d.Fbeam - 0.5 * d.pixelSize) * 1000,
    denzoXBeamMm: (d.Sbeam - 0.0 * d.pixelSize) * 1000.0,
    denzoYBeamMm: (d.Fbeam - 0.0 * d.pixelSize) * 1000,
    dialsOriginMm: d.dialsOrigin,
    xdsOrgX: d.ORGX,
    xdsOrgY: d.ORGY,
    closeDistanceMm: d.closeDistance * 1000.0,
    phiDeg: c.phi0 * RTD,
    oscRangeDeg: sim.phi.range * RTD,
    twothetaDeg: d.twotheta * RTD,
  };
}

export interface Written {
  /** Lines for stdout, the C's. */
  lines: string[];
  /** Notes of this port, for stderr. */
  notes: string[];
}

function smvNote(path: string, enlarged: boolean, notes: string[]): void {
  if (enlarged) {
    notes.push(
      `the header of ${path} is longer than 512 bytes: written with HEADER_BYTES a multiple of 512 (the C declares 512 and writes the pixels late, a file readers refuse)`,
    );
  }
}

/** The noise image (profile and flags permitting), to be filled row by row as the render finishes rows. */
export function noiseImageFor(sim: Simulation, plan: KernelPlan): NoiseImage | null {
  const c = sim.config;
  if (!c.calculateNoise) return null;
  const noise = new PhotonNoise(sim.rng, { value: c.seed });
  return new NoiseImage(plan, noise, c.adcOffset, c.profile.maskedPixelsGetAdcOffset);
}

/** What a render backend lends the outputs: a thread that writes files, and makes the SMV counts there. */
export interface OutputThread {
  fileWriter(): Worker | null;
  smvCounts(scale: number, adc: number, maskedGetAdc: boolean): Uint16Array | null;
}

/**
 * Write the output files in the C's order and make the C's lines about them. Each file goes to disk
 * in the background (on the backend's writer thread when it has one, see BackgroundWrites) while the
 * next image is made; the promise settles when all are written.
 */
export async function writeOutputs(
  sim: Simulation,
  plan: KernelPlan,
  render: RenderResult,
  noise: NoiseImage | null,
  backend: OutputThread,
): Promise<Written> {
  const c = sim.config;
  const d = sim.detector;
  const stats = render.stats;
  const lines: string[] = [];
  const notes: string[] = [];
  const files = new BackgroundWrites(backend.fileWriter());
  const solid = render.omegaSum / sim.steps;
  lines.push(
    "",
    cprintf(
      "solid angle subtended by detector = %g steradian ( %g%% sphere)",
      solid,
      (100 * solid) / 4 / Math.PI,
    ),
  );
  if (c.writeFloat) {
    lines.push(cprintf("writing %s as %d %lu-byte floats", c.floatFile, d.fpixels * d.spixels, 4));
    files.write(c.floatFile, "-floatfile", [encodeRawFloat(render.image)]);
  }
  lines.push(cprintf("max_I = %g  at %g %g", stats.maxI, stats.maxFdet, stats.maxSdet));
  lines.push(cprintf("mean= %g rms= %g rmsd= %g", stats.mean, stats.rms, stats.rmsd));
  const maskedGetAdc = c.profile.maskedPixelsGetAdcOffset;
  const header = imageHeader(sim);
  const intScale = intfileScale(c.intfileScale, stats.maxI);
  if (c.writeInt) {
    lines.push(
      cprintf("intfile_scale = %g", intScale),
      cprintf("writing %s as %lu-byte integers", c.intFile, 2),
    );
    // made by the writer thread (before it writes them) where there is one, while this thread goes on
    const counts =
      (countsWrittenInPlace ? backend.smvCounts(intScale, c.adcOffset, maskedGetAdc) : null) ??
      intImage(render.image, plan, intScale, c.adcOffset, maskedGetAdc);
    const smv = smvChunks(header, counts);
    files.write(c.intFile, "-intfile", smv.chunks);
    smvNote(c.intFile, smv.enlarged, notes);
  }
  if (c.writePgm) {
    const scale = pgmScale(c.pgmScale, intScale, stats.rmsd);
    lines.push(cprintf("pgm_scale = %g", scale), cprintf("writing %s as %lu-byte integers", c.pgmFile, 1));
    files.write(
      c.pgmFile,
      "-pgmfile",
      pgmChunks(d.fpixels, d.spixels, scale, pgmImage(render.image, plan, scale)),
    );
  }
  if (noise) {
    lines.push(
      cprintf("%.0f photons on noise image (%d overloads)", noise.photons, noise.overloads),
      cprintf("writing %s as %lu-byte integers", c.noiseFile, 2),
    );
    const smv = smvChunks(header, noise.data);
    files.write(c.noiseFile, "-noisefile", smv.chunks);
    smvNote(c.noiseFile, smv.enlarged, notes);
  }
  await files.finish();
  return { lines, notes };
}
