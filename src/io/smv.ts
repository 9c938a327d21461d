/**
 * SMV (ADSC) images: a text header "{\nKEY=value;\n...}\f" padded with spaces to HEADER_BYTES, then
 * uint16 pixels, row-major [slow][fast]. The writer produces the C's header key for key; where the
 * header text outgrows 512 bytes (where the C declares 512 anyway and writes the pixels late, a file
 * readers refuse) HEADER_BYTES is rounded up to the next multiple of 512. The reader follows the C's
 * key lookup: the last occurrence of the key as a substring, then the next '='.
 */

import { readFileSync } from "node:fs";
import { cprintf } from "../util/cformat.js";
import { InputError } from "../util/input-error.js";
import { describeFsError } from "./text-lines.js";

/** The values of a nanoBragg image header, in the units the header uses (mm, degrees, Angstrom). */
export interface NanoBraggHeader {
  fpixels: number;
  spixels: number;
  pixelMm: number;
  distanceMm: number;
  wavelengthA: number;
  beamCenterXMm: number;
  beamCenterYMm: number;
  adxvCenterXMm: number;
  adxvCenterYMm: number;
  mosflmCenterXMm: number;
  mosflmCenterYMm: number;
  denzoXBeamMm: number;
  denzoYBeamMm: number;
  dialsOriginMm: readonly [number, number, number];
  xdsOrgX: number;
  xdsOrgY: number;
  closeDistanceMm: number;
  phiDeg: number;
  oscRangeDeg: number;
  twothetaDeg: number;
}

const BLOCK = 512;

const littleEndianHost = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Whether an SMV file's pixels are written from the counts' own memory (little-endian hosts), so that
 * counts another thread is still making can be handed to a write that thread does after.
 */
export const countsWrittenInPlace = littleEndianHost;

function littleEndianBytes(data: Uint16Array): Buffer {
  if (littleEndianHost) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bytes = Buffer.alloc(2 * data.length);
  for (let i = 0; i < data.length; i++) bytes.writeUInt16LE(data[i], 2 * i);
  return bytes;
}

function headerText(h: NanoBraggHeader, headerBytes: number): string {
  return [
    "{",
    `HEADER_BYTES=${headerBytes};`,
    "DIM=2;",
    "BYTE_ORDER=little_endian;",
    "TYPE=unsigned_short;",
    cprintf("SIZE1=%d;", h.fpixels),
    cprintf("SIZE2=%d;", h.spixels),
    cprintf("PIXEL_SIZE=%g;", h.pixelMm),
    cprintf("DISTANCE=%g;", h.distanceMm),
    cprintf("WAVELENGTH=%g;", h.wavelengthA),
    cprintf("BEAM_CENTER_X=%g;", h.beamCenterXMm),
    cprintf("BEAM_CENTER_Y=%g;", h.beamCenterYMm),
    cprintf("ADXV_CENTER_X=%g;", h.adxvCenterXMm),
    cprintf("ADXV_CENTER_Y=%g;", h.adxvCenterYMm),
    cprintf("MOSFLM_CENTER_X=%g;", h.mosflmCenterXMm),
    cprintf("MOSFLM_CENTER_Y=%g;", h.mosflmCenterYMm),
    cprintf("DENZO_X_BEAM=%g;", h.denzoXBeamMm),
    cprintf("DENZO_Y_BEAM=%g;", h.denzoYBeamMm),
    cprintf("DIALS_ORIGIN=%g,%g,%g", ...h.dialsOriginMm),
    cprintf("XDS_ORGX=%g;", h.xdsOrgX),
    cprintf("XDS_ORGY=%g;", h.xdsOrgY),
    cprintf("CLOSE_DISTANCE=%g;", h.closeDistanceMm),
    cprintf("PHI=%g;", h.phiDeg),
    cprintf("OSC_START=%g;", h.phiDeg),
    cprintf("OSC_RANGE=%g;", h.oscRangeDeg),
    cprintf("TWOTHETA=%g;", h.twothetaDeg),
    "DETECTOR_SN=000;",
    "BEAMLINE=fake;",
    "}\f",
  ].join("\n");
}

export interface EncodedSmv {
  bytes: Buffer;
  /** The header text did not fit in 512 bytes (the C would have written a corrupt file). */
  enlarged: boolean;
}

/** A little-endian SMV file of `data` (length fpixels * spixels). */
/** The header block and the pixels of an SMV file, to be written one after the other. */
export function smvChunks(
  h: NanoBraggHeader,
  data: Uint16Array,
): { chunks: Uint8Array[]; enlarged: boolean } {
  let headerBytes = BLOCK;
  let text = headerText(h, headerBytes);
  while (text.length > headerBytes) {
    headerBytes = Math.ceil(text.length / BLOCK) * BLOCK;
    text = headerText(h, headerBytes);
  }
  const header = Buffer.alloc(headerBytes, 0x20);
  header.write(text, 0, "latin1");
  return { chunks: [header, littleEndianBytes(data)], enlarged: headerBytes > BLOCK };
}

export function encodeSmv(h: NanoBraggHeader, data: Uint16Array): EncodedSmv {
  const { chunks, enlarged } = smvChunks(h, data);
  return { bytes: Buffer.concat(chunks), enlarged };
}

export interface SmvImage {
  header: string;
  headerBytes: number;
  width: number;
  height: number;
  /** Pixels in the host's order, row-major [slow][fast]. */
  data: Uint16Array;
  /** Value of a header key (C lookup: last occurrence as a substring), or NaN when absent. */
  value(key: string): number;
}

const HEADER_START = "{\nHEADER_BYT";

/**
 * Header value lookup. `substring`: the C's rule (the last place the key appears, even inside a
 * longer key, then the next '='); otherwise the exact KEY=value entry.
 */
export function headerValue(header: string, key: string, substring: boolean): number {
  let at: number;
  if (substring) {
    at = header.lastIndexOf(key);
    if (at < 0) return Number.NaN;
    const eq = header.indexOf("=", at + key.length);
    if (eq < 0) return 0.0;
    return leadingNumber(header.slice(eq + 1));
  }
  const m = new RegExp(`(?:^|[\\n;{])\\s*${key}\\s*=([^;\\n]*)`).exec(header);
  return m ? leadingNumber(m[1]) : Number.NaN;
}

/** The number at the start of the text, as C's atof reads it (0 when there is none). */
function leadingNumber(text: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return m ? Number(m[0]) : 0.0;
}

export function decodeSmv(bytes: Buffer, source: string, substringKeys = true): SmvImage {
  if (bytes.subarray(0, HEADER_START.length).toString("latin1") !== HEADER_START) {
    throw new InputError(`${source}: not an SMV image (it does not start with "{" and HEADER_BYTES)`);
  }
  const first = bytes.subarray(0, BLOCK).toString("latin1");
  const headerBytes = headerValue(first, "HEADER_BYTES", substringKeys);
  if (!(headerBytes >= 1) || !Number.isInteger(headerBytes)) {
    throw new InputError(`${source}: the SMV header has no valid HEADER_BYTES`);
  }
  if (bytes.length < headerBytes)
    throw new InputError(`${source}: truncated (${bytes.length} bytes, header alone ${headerBytes})`);
  const header = bytes.subarray(0, headerBytes).toString("latin1");
  const value = (key: string) => headerValue(header, key, substringKeys);
  let width = value("SIZE1");
  let height = value("SIZE2");
  if (!(width > 0)) width = height = value("DETECTOR_DIMENSIONS");
  if (!(width > 0 && height > 0))
    throw new InputError(`${source}: the SMV header gives no image size (SIZE1, SIZE2)`);
  const need = headerBytes + 2 * width * height;
  if (bytes.length < need) {
    throw new InputError(
      `${source}: truncated (${bytes.length} bytes, expected ${need} for ${width}x${height} pixels)`,
    );
  }
  const bigEndian = /BYTE_ORDER\s*=\s*big_endian/.test(header);
  const data = new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) {
    data[i] = bigEndian ? bytes.readUInt16BE(headerBytes + 2 * i) : bytes.readUInt16LE(headerBytes + 2 * i);
  }
  return { header, headerBytes, width, height, data, value };
}

export function readSmv(path: string, flag: string, substringKeys = true): SmvImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(`${flag} ${path}: ${describeFsError(error)}`);
  }
  return decodeSmv(bytes, `${flag} ${path}`, substringKeys);
}
