/** PGM (P5) previews: "P5\n<w> <h>\n# pixels scaled by <scale>\n255\n", then one byte per pixel. */

import { writeFileSync } from "node:fs";
import { cprintf } from "../util/cformat.js";
import { InputError } from "../util/input-error.js";
import { describeFsError } from "./text-lines.js";

export function encodePgm(width: number, height: number, scale: number, data: Uint8Array): Buffer {
  const header = Buffer.from(
    `P5\n${width} ${height}\n${cprintf("# pixels scaled by %lg", scale)}\n255\n`,
    "latin1",
  );
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function writePgm(path: string, width: number, height: number, scale: number, data: Uint8Array): void {
  try {
    writeFileSync(path, encodePgm(width, height, scale, data));
  } catch (error) {
    throw new InputError(`-pgmfile ${path}: ${describeFsError(error)}`);
  }
}
