/**
 * The crystal: reciprocal and real cell vectors from -cell or a MOSFLM matrix, the misset rotation
 * (explicit or random from the C's generator), and the crystal size in unit cells. Arithmetic follows
 * the C step by step so that the cell vectors are bit-identical.
 */

import type { Misset } from "./config.js";
import { mosaicRotationUmat, type RandomSource, type SeedStream, umat2misset } from "./rng.js";
import { cross, dot, magnitude, rescale, rotateXYZ, scale, type Vec3 } from "./vec.js";

const RTD = 180.0 * (1 / Math.PI);
const DBL_MIN = 2.2250738585072014e-308;

export interface CellInput {
  /** a, b, c (Angstrom), alpha, beta, gamma (radians) from -cell. */
  cell: readonly [number, number, number, number, number, number] | null;
  /** The nine numbers of a MOSFLM matrix file: rows x, y, z; columns a*, b*, c* (times lambda). */
  matrix: readonly number[] | null;
  lambda0: number;
  misset: Misset;
}

export interface Crystal {
  /** Real-space cell vectors in metres. */
  a: Vec3;
  b: Vec3;
  c: Vec3;
  /** Reciprocal vectors in 1/Angstrom (misset applied, never phi- or mosaic-rotated). */
  aStar: Vec3;
  bStar: Vec3;
  cStar: Vec3;
  /** Cell volume in Angstrom^3. */
  volume: number;
  /** Lengths (Angstrom, 1/Angstrom) and angles (degrees) for the report. */
  cellReport: [number, number, number, number, number, number];
  reciprocalReport: [number, number, number, number, number, number];
  /** Real vectors in Angstrom, for the report. */
  aAngstrom: Vec3;
  bAngstrom: Vec3;
  cAngstrom: Vec3;
  /** Misset angles actually applied (radians), or null. */
  missetAngles: [number, number, number] | null;
  missetWasRandom: boolean;
  warnings: string[];
}

function clampUnit(x: number): number {
  return x > 1.0 ? 1.0 : x < -1.0 ? -1.0 : x;
}

function clampCos(x: number): number {
  return x * x > 1.0 ? 1.0 : x;
}

function angle(sinValue: number, cosValue: number): number {
  return Math.atan2(clampUnit(sinValue), clampCos(cosValue));
}

export function buildCrystal(input: CellInput, rng: RandomSource, missetSeed: SeedStream): Crystal {
  const warnings: string[] = [];
  let aStar: Vec3 = [0, 0, 0];
  let bStar: Vec3 = [0, 0, 0];
  let cStar: Vec3 = [0, 0, 0];
  let userCell: { a: number; b: number; c: number; V: number } | null = null;

  if (input.cell) {
    const [a, b, c, alpha, beta, gamma] = input.cell;
    const aavg = (alpha + beta + gamma) / 2;
    let skew = Math.sin(aavg) * Math.sin(aavg - alpha) * Math.sin(aavg - beta) * Math.sin(aavg - gamma);
    if (skew < 0.0) skew = -skew;
    let V = 2.0 * a * b * c * Math.sqrt(skew);
    if (V <= 0.0) {
      warnings.push(`WARNING: impossible unit cell volume: ${V}`);
      V = DBL_MIN;
    }
    const Vstar = 1.0 / V;
    let aStarLen = b * c * Math.sin(alpha) * Vstar;
    let bStarLen = c * a * Math.sin(beta) * Vstar;
    let cStarLen = a * b * Math.sin(gamma) * Vstar;
    if (aStarLen <= 0.0 || bStarLen <= 0.0 || cStarLen <= 0.0) {
      warnings.push("WARNING: impossible reciprocal cell lengths");
      aStarLen = Math.abs(aStarLen) || DBL_MIN;
      bStarLen = Math.abs(bStarLen) || DBL_MIN;
      cStarLen = Math.abs(cStarLen) || DBL_MIN;
    }
    const sinGammaStar = clampUnit((c * Vstar) / aStarLen / bStarLen);
    let cosAlphaStar =
      (Math.cos(beta) * Math.cos(gamma) - Math.cos(alpha)) / (Math.sin(beta) * Math.sin(gamma));
    let cosBetaStar =
      (Math.cos(gamma) * Math.cos(alpha) - Math.cos(beta)) / (Math.sin(gamma) * Math.sin(alpha));
    let cosGammaStar =
      (Math.cos(alpha) * Math.cos(beta) - Math.cos(gamma)) / (Math.sin(alpha) * Math.sin(beta));
    cosAlphaStar = clampCos(cosAlphaStar);
    cosBetaStar = clampCos(cosBetaStar);
    cosGammaStar = clampCos(cosGammaStar);
    aStar = [aStarLen, 0.0, 0.0];
    bStar = [bStarLen * cosGammaStar, bStarLen * sinGammaStar, 0.0];
    cStar = [
      cStarLen * cosBetaStar,
      (cStarLen * (cosAlphaStar - cosBetaStar * cosGammaStar)) / sinGammaStar,
      (cStarLen * V) / (a * b * c * sinGammaStar),
    ];
    userCell = { a, b, c, V };
  }

  if (input.matrix) {
    const m = input.matrix;
    const s = 1e-10 / input.lambda0;
    aStar = scale([m[0], m[3], m[6]], s);
    bStar = scale([m[1], m[4], m[7]], s);
    cStar = scale([m[2], m[5], m[8]], s);
  }

  let missetAngles: [number, number, number] | null = null;
  if (input.misset.kind === "random") {
    missetAngles = umat2misset(mosaicRotationUmat(90.0, rng, missetSeed));
  } else if (input.misset.kind === "angles") {
    missetAngles = [input.misset.rx, input.misset.ry, input.misset.rz];
  }
  if (missetAngles) {
    const [rx, ry, rz] = missetAngles;
    aStar = rotateXYZ(aStar, rx, ry, rz);
    bStar = rotateXYZ(bStar, rx, ry, rz);
    cStar = rotateXYZ(cStar, rx, ry, rz);
  }

  let aStarXbStar = cross(aStar, bStar);
  let bStarXcStar = cross(bStar, cStar);
  let cStarXaStar = cross(cStar, aStar);
  let Vstar = dot(aStar, bStarXcStar);
  if (userCell) {
    bStarXcStar = rescale(bStarXcStar, userCell.a / userCell.V);
    cStarXaStar = rescale(cStarXaStar, userCell.b / userCell.V);
    aStarXbStar = rescale(aStarXbStar, userCell.c / userCell.V);
    Vstar = 1.0 / userCell.V;
  }
  const V = 1.0 / Vstar;
  const a = scale(bStarXcStar, V);
  const b = scale(cStarXaStar, V);
  const c = scale(aStarXbStar, V);
  aStar = scale(cross(b, c), Vstar);
  bStar = scale(cross(c, a), Vstar);
  cStar = scale(cross(a, b), Vstar);

  const [la, lb, lc] = [magnitude(a), magnitude(b), magnitude(c)];
  const [lsa, lsb, lsc] = [magnitude(aStar), magnitude(bStar), magnitude(cStar)];
  const cellReport: Crystal["cellReport"] = [
    la,
    lb,
    lc,
    angle((lsa * V) / lb / lc, dot(b, c) / lb / lc) * RTD,
    angle((lsb * V) / la / lc, dot(a, c) / la / lc) * RTD,
    angle((lsc * V) / la / lb, dot(a, b) / la / lb) * RTD,
  ];
  const reciprocalReport: Crystal["reciprocalReport"] = [
    lsa,
    lsb,
    lsc,
    angle((la * Vstar) / lsb / lsc, dot(bStar, cStar) / lsb / lsc) * RTD,
    angle((lb * Vstar) / lsa / lsc, dot(aStar, cStar) / lsa / lsc) * RTD,
    angle((lc * Vstar) / lsa / lsb, dot(aStar, bStar) / lsa / lsb) * RTD,
  ];

  return {
    a: scale(a, 1e-10),
    b: scale(b, 1e-10),
    c: scale(c, 1e-10),
    aStar,
    bStar,
    cStar,
    volume: V,
    cellReport,
    reciprocalReport,
    aAngstrom: a,
    bAngstrom: b,
    cAngstrom: c,
    missetAngles,
    missetWasRandom: input.misset.kind === "random",
    warnings,
  };
}

export interface CrystalSize {
  Na: number;
  Nb: number;
  Nc: number;
  /** Crystal extent along a, b, c in metres. */
  xtal: Vec3;
  xtalMax: number;
}

/** Unit cells along each axis: from -N/-Na.. or from a sample size, clamped to at least 1. */
export function crystalSize(crystal: Crystal, N: Vec3, sample: Vec3): CrystalSize {
  const lengths = [magnitude(crystal.a), magnitude(crystal.b), magnitude(crystal.c)];
  const n = [0, 1, 2].map((i) => {
    let v = N[i];
    if (sample[i] > 0) v = Math.ceil(sample[i] / lengths[i]);
    return v <= 1.0 ? 1.0 : v;
  });
  const xtal: Vec3 = [lengths[0] * n[0], lengths[1] * n[1], lengths[2] * n[2]];
  let xtalMax = xtal[0];
  if (xtalMax < xtal[1]) xtalMax = xtal[1];
  if (xtalMax < xtal[2]) xtalMax = xtal[2];
  return { Na: n[0], Nb: n[1], Nc: n[2], xtal, xtalMax };
}
