/**
 * MOSFLM orientation matrix files: the first nine numbers are the reciprocal cell vectors times the
 * wavelength (rows x, y, z; columns a*, b*, c*). Whatever follows (U matrix, cell, missets) is ignored.
 */

import { InputError } from "../util/input-error.js";
import { isNumber, readTextFile } from "./text-lines.js";

export function parseMatrix(text: string, source: string): number[] {
  const numbers: number[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length && numbers.length < 9; n++) {
    for (const token of lines[n].trim().split(/\s+/)) {
      if (token === "" || numbers.length === 9) continue;
      if (!isNumber(token)) throw new InputError(`${source}:${n + 1}: expected a number, got "${token}"`);
      numbers.push(Number(token));
    }
  }
  if (numbers.length < 9) {
    throw new InputError(`${source}: expected 9 numbers (a 3x3 orientation matrix), found ${numbers.length}`);
  }
  return numbers;
}

export function readMatrix(path: string): number[] {
  return parseMatrix(readTextFile(path, "-mat"), path);
}
