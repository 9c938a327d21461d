/** Small SMV files for tests, with header text chosen by the test. */

import { writeFileSync } from "node:fs";

/** An SMV file whose header holds exactly `keys` (plus HEADER_BYTES, SIZE1, SIZE2), pixels `data`. */
export function writeTestSmv(
  path: string,
  width: number,
  height: number,
  keys: string,
  data?: Uint16Array,
): void {
  const text = `{\nHEADER_BYTES=512;\nDIM=2;\nBYTE_ORDER=little_endian;\nTYPE=unsigned_short;\nSIZE1=${width};\nSIZE2=${height};\n${keys}}\f`;
  const bytes = Buffer.alloc(512 + 2 * width * height, 0x20);
  bytes.write(text, 0, "latin1");
  const pixels = data ?? new Uint16Array(width * height).fill(1);
  for (let i = 0; i < pixels.length; i++) bytes.writeUInt16LE(pixels[i], 512 + 2 * i);
  writeFileSync(path, bytes);
}
