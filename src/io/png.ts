/**
 * PNG pictures: 8-bit RGB, not interlaced, one IDAT chunk (zlib from node:zlib). Each row gets the
 * PNG filter (None, Sub, Up, Average, Paeth) with the smallest sum of absolute signed bytes, the
 * usual heuristic: smooth images then compress several times smaller than with filter None alone.
 */

import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { InputError } from "../util/input-error.js";
import { describeFsError } from "./text-lines.js";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BYTES_PER_PIXEL = 3;
const FILTERS = 5;
/** PNG limits a dimension to 2^31 - 1. */
const MAX_DIMENSION = 0x7fffffff;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG specifies) of the bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** The filtered scanlines (filter byte + row), each row with its best filter. */
function filterRows(width: number, height: number, rgb: Uint8Array): Buffer {
  const rowBytes = width * BYTES_PER_PIXEL;
  const out = Buffer.alloc(height * (rowBytes + 1));
  const candidates = new Uint8Array(FILTERS * rowBytes);
  const zeroRow = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const row = rgb.subarray(y * rowBytes, (y + 1) * rowBytes);
    const above = y > 0 ? rgb.subarray((y - 1) * rowBytes, y * rowBytes) : zeroRow;
    let best = 0;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let filter = 0; filter < FILTERS; filter++) {
      const base = filter * rowBytes;
      let cost = 0;
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= BYTES_PER_PIXEL ? row[i - BYTES_PER_PIXEL] : 0;
        const b = above[i];
        const c = i >= BYTES_PER_PIXEL ? above[i - BYTES_PER_PIXEL] : 0;
        let predicted = 0;
        if (filter === 1) predicted = a;
        else if (filter === 2) predicted = b;
        else if (filter === 3) predicted = (a + b) >>> 1;
        else if (filter === 4) predicted = paeth(a, b, c);
        const v = (row[i] - predicted) & 0xff;
        candidates[base + i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = filter;
      }
    }
    const at = y * (rowBytes + 1);
    out[at] = best;
    out.set(candidates.subarray(best * rowBytes, (best + 1) * rowBytes), at + 1);
  }
  return out;
}

/** A PNG file of an RGB picture: 3 bytes per pixel, row-major, top row first. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  for (const [name, n] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_DIMENSION) {
      throw new Error(`PNG ${name} must be an integer from 1 to ${MAX_DIMENSION}, not ${n}`);
    }
  }
  if (rgb.length !== width * height * BYTES_PER_PIXEL) {
    throw new Error(
      `PNG of ${width}x${height} pixels needs ${width * height * BYTES_PER_PIXEL} RGB bytes, got ${rgb.length}`,
    );
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  // compression, filter method and interlace stay 0 (deflate, adaptive filtering, none)
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(filterRows(width, height, rgb))),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

export function writePng(path: string, width: number, height: number, rgb: Uint8Array): void {
  const bytes = encodePng(width, height, rgb);
  try {
    writeFileSync(path, bytes);
  } catch (error) {
    throw new InputError(`${path}: ${describeFsError(error)}`);
  }
}
