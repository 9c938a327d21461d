/**
 * Fdump.bin, the C's structure-factor cache: the ASCII header "h_min h_max k_min k_max l_min l_max\n\f"
 * then the padded grid as little-endian float64, l fastest (see HklGrid). Byte-compatible with the C
 * in both directions.
 */

import { allocateGrid, type HklGrid } from "../sim/structure-factors.js";
import { InputError } from "../util/input-error.js";
import { replaceFileSync } from "./replace-file.js";
import { describeFsError, readBinaryFile } from "./text-lines.js";

export function encodeFdump(grid: HklGrid): Buffer {
  const header = Buffer.from(
    `${grid.hMin} ${grid.hMax} ${grid.kMin} ${grid.kMax} ${grid.lMin} ${grid.lMax}\n\f`,
    "latin1",
  );
  const data = Buffer.alloc(grid.values.length * 8);
  for (let i = 0; i < grid.values.length; i++) data.writeDoubleLE(grid.values[i], i * 8);
  return Buffer.concat([header, data]);
}

export function decodeFdump(bytes: Buffer, source: string): HklGrid {
  const formFeed = bytes.indexOf(0x0c);
  const headerText = bytes
    .subarray(0, formFeed < 0 ? Math.min(bytes.length, 200) : formFeed)
    .toString("latin1");
  const fields = headerText.trim().split(/\s+/);
  if (formFeed < 0 || fields.length !== 6 || !fields.every((f) => /^[+-]?\d+$/.test(f))) {
    throw new InputError(`${source}: not an Fdump.bin file (expected six integers and a form feed)`);
  }
  const [hMin, hMax, kMin, kMax, lMin, lMax] = fields.map(Number);
  if (hMax < hMin || kMax < kMin || lMax < lMin)
    throw new InputError(`${source}: empty index ranges in header`);
  const grid = allocateGrid(hMin, hMax, kMin, kMax, lMin, lMax);
  const start = formFeed + 1;
  const expected = grid.values.length * 8;
  if (bytes.length - start < expected) {
    throw new InputError(`${source}: truncated (${bytes.length - start} data bytes, expected ${expected})`);
  }
  for (let i = 0; i < grid.values.length; i++) grid.values[i] = bytes.readDoubleLE(start + i * 8);
  grid.count = grid.hRange * grid.kRange * grid.lRange;
  return grid;
}

export function readFdump(path: string): HklGrid {
  return decodeFdump(readBinaryFile(path, "structure-factor cache"), path);
}

/** Write the cache; a failure is reported, not fatal, as in the C. */
export function writeFdump(path: string, grid: HklGrid): string | null {
  try {
    replaceFileSync(path, [encodeFdump(grid)]);
    return null;
  } catch (error) {
    return `WARNING: unable to open dump file: ${path} (${describeFsError(error)})`;
  }
}
