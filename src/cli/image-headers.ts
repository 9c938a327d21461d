/**
 * -img and -mask: before any flag is applied (so that flags override them), the SMV headers named on
 * the command line initialise the detector, beam and spindle, as in the C: pixel count and size,
 * distances, wavelength, beam centre (the mask's BEAM_CENTER_Y counted from the far edge), ORGX/ORGY,
 * phi and oscillation. The mask's pixels (0: skip) are kept.
 */

import { readSmv, type SmvImage } from "../io/smv.js";
import type { SimConfig } from "../sim/config.js";

const RTD = 180.0 * (1 / Math.PI);

interface Named {
  kind: "img" | "mask";
  flag: string;
  path: string;
  position: number;
}

/** The file names as the C's pre-scan finds them: the last -img and the last -mask (by substring). */
function namedFiles(argv: readonly string[]): Named[] {
  const found = new Map<string, Named>();
  argv.forEach((arg, i) => {
    if (!arg.startsWith("-") || i + 1 >= argv.length) return;
    if (arg.includes("-img")) found.set("img", { kind: "img", flag: arg, path: argv[i + 1], position: i });
    if (arg.includes("-mask")) found.set("mask", { kind: "mask", flag: arg, path: argv[i + 1], position: i });
  });
  return [...found.values()];
}

function apply(c: SimConfig, kind: "img" | "mask", smv: SmvImage): void {
  c.fpixels = smv.width;
  c.spixels = smv.height;
  const v = smv.value;
  const set = (key: string, assign: (x: number) => void) => {
    const x = v(key);
    if (!Number.isNaN(x)) assign(x);
  };
  set("PIXEL_SIZE", (x) => {
    c.pixelSize = x / 1000.0;
  });
  c.detsizeF = c.pixelSize * c.fpixels;
  c.detsizeS = c.pixelSize * c.spixels;
  set("DISTANCE", (x) => {
    c.distance = x / 1000.0;
  });
  set("CLOSE_DISTANCE", (x) => {
    c.closeDistance = x / 1000.0;
  });
  set("WAVELENGTH", (x) => {
    c.lambda0 = x / 1e10;
  });
  set("BEAM_CENTER_X", (x) => {
    c.Xbeam = x / 1000.0;
  });
  set("BEAM_CENTER_Y", (x) => {
    c.Ybeam = kind === "mask" ? c.detsizeS - x / 1000.0 : x / 1000.0;
  });
  set("ORGX", (x) => {
    c.ORGX = x;
  });
  set("ORGY", (x) => {
    c.ORGY = x;
  });
  set("PHI", (x) => {
    c.phi0 = x / RTD;
  });
  set("OSC_RANGE", (x) => {
    c.osc = x / RTD;
  });
  if (!c.profile.headerTwothetaIgnored) {
    set("TWOTHETA", (x) => {
      c.twotheta = x / RTD;
    });
  }
  if (kind === "mask") c.mask = { data: smv.data, width: smv.width, height: smv.height };
}

export function ingestImageHeaders(c: SimConfig, argv: readonly string[]): void {
  const files = namedFiles(argv);
  if (c.profile.maskHeaderReadFirst)
    files.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "mask" ? -1 : 1));
  else files.sort((a, b) => a.position - b.position);
  for (const f of files) {
    apply(c, f.kind, readSmv(f.path, f.flag, c.profile.headerKeysBySubstring));
    c.headerFilesRead.push(f.path);
    if (f.kind === "img") c.imgFile = f.path;
    else c.maskFile = f.path;
  }
}
