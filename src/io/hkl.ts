/**
 * HKL text files: one reflection "h k l F" per line. Blank lines are skipped; anything else is an
 * error naming file:line (the C instead stops reading at the first token it cannot parse, silently).
 * With `lenient`, '#' comment lines are skipped and a phase and a sigma column after F are ignored.
 */

import type { Reflection } from "../sim/structure-factors.js";
import { InputError } from "../util/input-error.js";
import { isNumber, readTextFile } from "./text-lines.js";

export function parseHkl(text: string, source: string, lenient: boolean): Reflection[] {
  const reflections: Reflection[] = [];
  const lines = text.split("\n");
  const maxColumns = lenient ? 6 : 4;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "" || (lenient && line.startsWith("#"))) continue;
    const tokens = line.split(/\s+/);
    const where = `${source}:${n + 1}`;
    if (tokens.length < 4 || tokens.length > maxColumns || !tokens.every(isNumber)) {
      const expected = lenient ? '"h k l F" (optionally followed by phase and sigma)' : '"h k l F"';
      throw new InputError(`${where}: expected ${expected}, got "${line}"`);
    }
    const [h, k, l, F] = tokens.map(Number);
    if (!Number.isInteger(h) || !Number.isInteger(k) || !Number.isInteger(l)) {
      throw new InputError(`${where}: Miller indices must be integers, got "${line}"`);
    }
    reflections.push({ h, k, l, F });
  }
  return reflections;
}

export function readHkl(path: string, lenient: boolean): Reflection[] {
  return parseHkl(readTextFile(path, "-hkl"), path, lenient);
}
