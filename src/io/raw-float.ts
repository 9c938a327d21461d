/** Raw float images: fpixels*spixels float32 little-endian, row-major [slow][fast], no header. */

import { readFileSync } from "node:fs";
import { InputError } from "../util/input-error.js";
import { describeFsError } from "./text-lines.js";

const littleEndianHost = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

export function encodeRawFloat(image: Float32Array): Buffer {
  if (littleEndianHost) return Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const bytes = Buffer.alloc(image.length * 4);
  for (let i = 0; i < image.length; i++) bytes.writeFloatLE(image[i], i * 4);
  return bytes;
}

export function decodeRawFloat(bytes: Uint8Array, pixels?: number): Float32Array {
  if (bytes.length % 4 !== 0 || (pixels !== undefined && bytes.length !== 4 * pixels)) {
    const expected = pixels === undefined ? "a multiple of 4" : `${4 * pixels}`;
    throw new InputError(`raw float image has ${bytes.length} bytes, expected ${expected}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const image = new Float32Array(bytes.length / 4);
  for (let i = 0; i < image.length; i++) image[i] = view.getFloat32(4 * i, true);
  return image;
}

export function readRawFloat(path: string, pixels?: number): Float32Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: ${describeFsError(error)}`);
  }
  try {
    return decodeRawFloat(bytes, pixels);
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message}`);
  }
}
