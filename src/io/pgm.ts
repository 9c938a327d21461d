/** PGM (P5) previews: "P5\n<w> <h>\n# pixels scaled by <scale>\n255\n", then one byte per pixel. */

import { cprintf } from "../util/cformat.js";

/** The header and the pixels of a PGM file, to be written one after the other. */
export function pgmChunks(width: number, height: number, scale: number, data: Uint8Array): Uint8Array[] {
  const header = Buffer.from(
    `P5\n${width} ${height}\n${cprintf("# pixels scaled by %lg", scale)}\n255\n`,
    "latin1",
  );
  return [header, data];
}
