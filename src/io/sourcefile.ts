/**
 * -sourcefile: one source per non-blank line, up to five numbers X Y Z weight lambda (metres),
 * separated by any of " \t,;:!" as in the C. Missing trailing columns are NaN (the caller applies
 * defaults); a token that is not a number is an error naming file:line.
 */

import { InputError } from "../util/input-error.js";
import { isNumber, readTextFile } from "./text-lines.js";

export interface SourceRow {
  X: number;
  Y: number;
  Z: number;
  weight: number;
  lambda: number;
}

export function parseColumns(text: string, source: string, columns: number): number[][] {
  const rows: number[][] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const tokens = lines[n].split(/[ \t,;:!\r]+/).filter((t) => t !== "");
    if (tokens.length === 0) continue;
    const row: number[] = [];
    for (const token of tokens.slice(0, columns)) {
      if (!isNumber(token)) throw new InputError(`${source}:${n + 1}: expected a number, got "${token}"`);
      row.push(Number(token));
    }
    while (row.length < columns) row.push(Number.NaN);
    rows.push(row);
  }
  return rows;
}

export function readSourceFile(path: string): SourceRow[] {
  const rows = parseColumns(readTextFile(path, "-sourcefile"), path, 5);
  if (rows.length === 0) throw new InputError(`-sourcefile ${path}: no sources in file`);
  return rows.map(([X, Y, Z, weight, lambda]) => ({ X, Y, Z, weight, lambda }));
}
