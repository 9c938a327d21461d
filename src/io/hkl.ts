/**
 * HKL text files: one reflection "h k l F" per line. Blank lines are skipped; anything else is an
 * error naming file:line (the C instead stops reading at the first token it cannot parse, silently).
 * With `lenient`, '#' comment lines are skipped and a phase and a sigma column after F are ignored.
 */

import type { Reflection } from "../sim/structure-factors.js";
import { InputError } from "../util/input-error.js";
import { allocationProblem } from "../util/machine-limits.js";
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
    if (!Number.isSafeInteger(h) || !Number.isSafeInteger(k) || !Number.isSafeInteger(l)) {
      throw new InputError(`${where}: Miller indices must be integers, got "${line}"`);
    }
    reflections.push({ h, k, l, F });
  }
  checkGrid(reflections, source);
  return reflections;
}

/** The structure-factor grid spans every index read: refused before it is allocated if it cannot be. */
function checkGrid(reflections: readonly Reflection[], source: string): void {
  if (reflections.length === 0) return;
  const span = (pick: (r: Reflection) => number) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of reflections) {
      lo = Math.min(lo, pick(r));
      hi = Math.max(hi, pick(r));
    }
    return { lo, hi, size: hi - lo + 2 };
  };
  const [h, k, l] = [span((r) => r.h), span((r) => r.k), span((r) => r.l)];
  const problem = allocationProblem(h.size * k.size * l.size, 8);
  if (problem) {
    const ranges = `h ${h.lo}..${h.hi}, k ${k.lo}..${k.hi}, l ${l.lo}..${l.hi}`;
    throw new InputError(
      `${source}: Miller indices out of any usable range (${ranges}): their grid ${problem}`,
    );
  }
}

export function readHkl(path: string, lenient: boolean): Reflection[] {
  return parseHkl(readTextFile(path, "-hkl"), path, lenient);
}
