/**
 * PNG writing, checked by an independent decoder (pngjs, CRCs verified) and against the PNG
 * specification's chunk layout and the standard CRC-32 check values.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { crc32, encodePng, writePng } from "../../src/io/png.js";
import { InputError } from "../../src/util/input-error.js";
import { scratchDir } from "../support/run.js";

/** Deterministic pseudo-random bytes (a 32-bit LCG), so that failures reproduce. */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A smooth picture (gradients and rings), where every PNG filter has something to gain. */
function smooth(width: number, height: number): Uint8Array {
  const out = new Uint8Array(3 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = 3 * (y * width + x);
      out[at] = (x * 255) / Math.max(1, width - 1);
      out[at + 1] = (y * 255) / Math.max(1, height - 1);
      out[at + 2] = 128 + 127 * Math.sin(Math.hypot(x - width / 3, y - height / 2) / 3);
    }
  }
  return out;
}

/** The RGB bytes of a decoded PNG (pngjs gives RGBA; alpha must be opaque). */
function decodedRgb(png: PNG): Uint8Array {
  const rgb = new Uint8Array((png.data.length / 4) * 3);
  let transparent = 0;
  for (let i = 0, j = 0; i < png.data.length; i += 4, j += 3) {
    if (png.data[i + 3] !== 255) transparent++;
    rgb[j] = png.data[i];
    rgb[j + 1] = png.data[i + 1];
    rgb[j + 2] = png.data[i + 2];
  }
  expect(transparent).toBe(0);
  return rgb;
}

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

function chunks(bytes: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    out.push({
      type: bytes.toString("latin1", at + 4, at + 8),
      data: bytes.subarray(at + 8, at + 8 + length),
      crc: bytes.readUInt32BE(at + 8 + length),
    });
    at += 12 + length;
  }
  return out;
}

describe("PNG writing", () => {
  it("computes the standard CRC-32 check values", () => {
    expect(crc32(Buffer.from("123456789", "latin1"))).toBe(0xcbf43926);
    expect(crc32(Buffer.from("IEND", "latin1"))).toBe(0xae426082);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  for (const [width, height] of [
    [1, 1],
    [37, 23],
    [200, 1],
    [1, 150],
    [256, 192],
  ]) {
    it(`round-trips a ${width}x${height} picture through pngjs (CRCs checked)`, () => {
      for (const rgb of [noise(3 * width * height, width + height), smooth(width, height)]) {
        const png = PNG.sync.read(encodePng(width, height, rgb), { checkCRC: true });
        expect([png.width, png.height]).toEqual([width, height]);
        expect(Buffer.from(decodedRgb(png)).equals(Buffer.from(rgb))).toBe(true);
      }
    });
  }

  it("lays out signature, IHDR (8-bit RGB, no interlace), IDAT and IEND with valid CRCs", () => {
    const bytes = encodePng(30, 20, smooth(30, 20));
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const list = chunks(bytes);
    expect(list.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    for (const c of list) {
      expect(c.crc).toBe(crc32(Buffer.concat([Buffer.from(c.type, "latin1"), c.data])));
    }
    const ihdr = list[0].data;
    expect(ihdr.length).toBe(13);
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)]).toEqual([30, 20]);
    expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    expect(list[2].data.length).toBe(0);
    expect(list[2].crc).toBe(0xae426082);
    // Every scanline starts with a filter type 0-4, and the smooth picture uses more than one.
    const scanlines = inflateSync(list[1].data);
    expect(scanlines.length).toBe(20 * (1 + 30 * 3));
    const filters = new Set<number>();
    for (let y = 0; y < 20; y++) filters.add(scanlines[y * (1 + 30 * 3)]);
    expect([...filters].every((f) => f >= 0 && f <= 4)).toBe(true);
    expect(filters.size).toBeGreaterThan(1);
  });

  it("is refused by pngjs when a CRC is damaged (so the CRC check above is real)", () => {
    const bytes = Buffer.from(encodePng(4, 4, noise(48)));
    bytes[bytes.length - 1] ^= 0xff; // IEND's CRC
    expect(() => PNG.sync.read(bytes, { checkCRC: true })).toThrow(/crc/i);
  });

  it("refuses pixel data of the wrong length and sizes PNG cannot hold", () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow(/2x2 pixels needs 12 RGB bytes, got 11/);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(/width/);
    expect(() => encodePng(2, 1.5, new Uint8Array(9))).toThrow(/height/);
  });

  it("writes a file, and names the path when it cannot", () => {
    const dir = scratchDir("nb-png-");
    const path = join(dir, "picture.png");
    const rgb = smooth(12, 9);
    writePng(path, 12, 9, rgb);
    const png = PNG.sync.read(readFileSync(path), { checkCRC: true });
    expect(Buffer.from(decodedRgb(png)).equals(Buffer.from(rgb))).toBe(true);
    const missing = join(dir, "no-such-folder", "picture.png");
    expect(() => writePng(missing, 12, 9, rgb)).toThrow(InputError);
    expect(() => writePng(missing, 12, 9, rgb)).toThrow(`${missing}: no such file`);
    expect(existsSync(missing)).toBe(false);
  });
});
