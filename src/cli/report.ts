/**
 * The console summary the C prints: effective parameters after all automatic rules (set-up), then
 * the solid angle and image statistics (after rendering), with the C's printf formats so that the
 * lines can be compared with a C run's stdout.
 */

import type { Simulation } from "../sim/setup.js";
import { cross } from "../sim/vec.js";
import { cprintf } from "../util/cformat.js";

const RTD = 180.0 * (1 / Math.PI);
const AVOGADRO = 6.02214179e23;

const SHAPE_NAMES = {
  SQUARE: "parallelpiped",
  ROUND: "ellipsoidal",
  GAUSS: "gaussian",
  TOPHAT: "tophat-spot",
};

export function setupReport(sim: Simulation): string[] {
  const c = sim.config;
  const d = sim.detector;
  const x = sim.crystal;
  const m = sim.messages;
  const out: string[] = [
    ...c.headerFilesRead.map((file) => `reading ${file}`),
    ...m.preamble,
    "nanoBragg nanocrystal diffraction simulator - James Holton and Ken Frankel 5-17-17",
  ];
  out.push(...m.sampling);
  out.push(`${d.convention.toLowerCase()} convention selected.`);
  out.push(
    d.pivot === "SAMPLE" ? "pivoting detector around sample" : "pivoting detector around direct beam spot",
  );
  const beamInDetector = [0, 1, 2].map((i) => {
    const axis = [d.fdet, d.sdet, d.odet][i];
    return d.beam[0] * axis[0] + d.beam[1] * axis[1] + d.beam[2] * axis[2];
  });
  out.push(cprintf("XDS incident beam: %g %g %g", ...beamInDetector));
  if (c.interpolate === 2) {
    const auto = c.Na <= 2 || c.Nb <= 2 || c.Nc <= 2;
    out.push(
      auto ? "auto-selected tricubic interpolation of structure factors" : "auto-selected no interpolation",
    );
  }
  out.push(...m.cell);
  if (c.matFile !== null) out.push(`reading ${c.matFile}`);
  if (x.missetWasRandom && x.missetAngles) {
    out.push(
      cprintf("random orientation misset angles: %f %f %f deg", ...x.missetAngles.map((a) => a * RTD)),
    );
  }
  out.push(cprintf("Unit Cell: %g %g %g %g %g %g", ...x.cellReport));
  out.push(cprintf("Recp Cell: %g %g %g %g %g %g", ...x.reciprocalReport));
  out.push(cprintf("volume = %g A^3", x.volume));
  out.push("real-space cell vectors (Angstrom):");
  out.push(cprintf("     %-10s  %-10s  %-10s", "a", "b", "c"));
  for (let i = 0; i < 3; i++) {
    out.push(cprintf("%s: %11.8f %11.8f %11.8f", "XYZ"[i], x.aAngstrom[i], x.bAngstrom[i], x.cAngstrom[i]));
  }
  out.push("reciprocal-space cell vectors (Angstrom^-1):");
  out.push(cprintf("     %-10s  %-10s  %-10s", "a_star", "b_star", "c_star"));
  for (let i = 0; i < 3; i++) {
    out.push(cprintf("%s: %11.8f %11.8f %11.8f", "XYZ"[i], x.aStar[i], x.bStar[i], x.cStar[i]));
  }
  const s = sim.size;
  out.push(cprintf("crystal is %g x %g x %g microns", s.xtal[0] * 1e6, s.xtal[1] * 1e6, s.xtal[2] * 1e6));
  if (sim.oversampleAuto) out.push(cprintf("auto-selected %d-fold oversampling", sim.oversample));
  out.push(...m.oversampling);
  const volume = s.xtal[0] * s.xtal[1] * s.xtal[2];
  out.push(cprintf("approximate MW = %g", (volume * 1.2e6 * AVOGADRO) / (s.Na * s.Nb * s.Nc)));
  if (sim.structureFactorSource === "fdump") out.push(`reading Fs from ${c.dumpFile}`);
  if (sim.structureFactorSource === "hkl") {
    out.push(`counting entries in ${c.hklFile}`);
    if (c.defaultF !== 0.0)
      out.push(cprintf("initializing to default_F = %g:", c.defaultF), "done initializing:");
    out.push(`re-reading ${c.hklFile}`, sim.dumpFailure ?? `writing dump file for next time: ${c.dumpFile}`);
  }
  for (let t = 0; t < sim.thickness.count; t++) {
    out.push(cprintf("thick%d = %g um", t, sim.thickness.step * t * 1e6));
  }
  for (let t = 0; t < sim.phi.count; t++)
    out.push(cprintf("phi%d = %g", t, (c.phi0 + sim.phi.step * t) * RTD));
  if (c.sourceFile === null) {
    for (const [hdiv, vdiv] of sim.sources.divergence)
      out.push(cprintf("divergence deviation: %g %g", hdiv, vdiv));
    for (let k = 0; k < sim.dispersion.count; k++) {
      const lambda = c.lambda0 * (1.0 + sim.dispersion.step * k - sim.dispersion.range / 2.0);
      out.push(cprintf("lambda%d = %.15g", k, lambda));
    }
  }
  out.push(cprintf("  created a total of %d sources:", sim.sources.count));
  for (const [X, Y, Z, w, lambda] of sim.sources.listing)
    out.push(cprintf("%g %g %g   %g %g", X, Y, Z, w, lambda));
  out.push(cprintf("  created a total of %d mosaic domains", sim.mosaicDomains));
  out.push(cprintf("  %d initialized hkls (all others =%g)", sim.grid.count, c.defaultF));
  out.push(cprintf("  %s xtal: %.0fx%.0fx%.0f cells", SHAPE_NAMES[c.shape], s.Na, s.Nb, s.Nc));
  out.push(
    cprintf(
      "  wave=%g meters +/- %g%% in %d steps",
      c.lambda0,
      sim.dispersion.range * 100,
      sim.dispersion.count,
    ),
  );
  out.push(
    c.nopolar ? "  polarization effect disabled" : cprintf("  Kahn polarization factor: %f", c.polarization),
  );
  if (c.curvedDetector) out.push("  curved detector: all pixels same distance from origin");
  if (c.pointPixel) out.push("  pixel obliquity effect disabled");
  out.push(cprintf("  incident fluence: %lg photons/m^2", sim.fluence));
  out.push(
    cprintf(
      "  distance=%lg detsize=%lgx%lg  pixel=%lg meters (%dx%d pixels)",
      d.distance,
      d.detsizeF,
      d.detsizeS,
      d.pixelSize,
      d.fpixels,
      d.spixels,
    ),
  );
  out.push(
    cprintf(
      "  sensor is %lg m thick in %d layers with mu= %lg",
      sim.thickness.range,
      sim.thickness.count,
      sim.detectorMu,
    ),
  );
  out.push(cprintf("  Xbeam=%lg Ybeam=%lg", d.Xbeam, d.Ybeam));
  out.push(cprintf("  Fbeam=%lg Sbeam=%lg", d.Fbeam, d.Sbeam));
  out.push(cprintf("  Xclose=%lg Yclose=%lg", d.Xclose, d.Yclose));
  out.push(cprintf("  Fclose=%lg Sclose=%lg", d.Fclose, d.Sclose));
  out.push(cprintf("  DIRECTION_OF_DETECTOR_X-AXIS= %g %g %g", ...d.fdet));
  out.push(cprintf("  DIRECTION_OF_DETECTOR_Y-AXIS= %g %g %g", ...d.sdet));
  out.push(cprintf("  DIRECTION_OF_DETECTOR_Z-AXIS= %g %g %g", ...d.odet));
  out.push(cprintf("  INCIDENT_BEAM_DIRECTION= %g %g %g", ...d.beam));
  out.push(cprintf("  spindle ROTATION_AXIS= %g %g %g", ...d.spindle));
  out.push(cprintf("  POLARIZATION_PLANE_NORMAL= %g %g %g", ...cross(d.beam, d.polar)));
  out.push(cprintf("  dials origin= %g %g %g", ...d.dialsOrigin));
  out.push(cprintf("  roi: %d < x < %d && %d < y < %d", d.roi.xmin, d.roi.xmax, d.roi.ymin, d.roi.ymax));
  out.push(cprintf("  hdivrange=%g hdivstep=%g  radians", sim.hdiv.range, sim.hdiv.step));
  out.push(cprintf("  vdivrange=%g vdivstep=%g  radians", sim.vdiv.range, sim.vdiv.step));
  out.push(cprintf("  %d divergence steps", sim.sources.divergenceSteps));
  out.push(cprintf("  %d sources", sim.sources.count));
  out.push(
    cprintf(
      "  %d mosaic domains over mosaic spread of %g degrees",
      sim.mosaicDomains,
      sim.mosaicSpread * RTD,
    ),
  );
  out.push(
    cprintf(
      "  %d phi steps from %g to %g degrees",
      sim.phi.count,
      c.phi0 * RTD,
      (c.phi0 + sim.phi.range) * RTD,
    ),
  );
  let oversampleLine = cprintf("  %dx%d pixel oversample steps", sim.oversample, sim.oversample);
  if (c.oversampleThick) oversampleLine += " +thick";
  if (c.oversamplePolar) oversampleLine += " +polar";
  if (c.oversampleOmega) oversampleLine += " +omega";
  out.push(oversampleLine);
  if (c.maskFile !== null) out.push(`  skipping zero-flagged pixels in ${c.maskFile}`);
  if (c.calculateNoise) {
    out.push(
      "",
      "  noise image paramters:",
      cprintf("  seed: %ld", c.seed),
      cprintf("  water droplet size: %g m", c.waterSize),
    );
  }
  return out;
}
