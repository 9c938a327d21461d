/** SMV images: the C's header, round trips, both byte orders, and clear errors on damaged files. */

import { describe, expect, it } from "vitest";
import { decodeSmv, encodeSmv, headerValue, type NanoBraggHeader } from "../../src/io/smv.js";

const HEADER: NanoBraggHeader = {
  fpixels: 3,
  spixels: 2,
  pixelMm: 0.1,
  distanceMm: 100,
  wavelengthA: 1,
  beamCenterXMm: 0.15,
  beamCenterYMm: 0.1,
  adxvCenterXMm: 0.15,
  adxvCenterYMm: 0.1,
  mosflmCenterXMm: 0.1,
  mosflmCenterYMm: 0.15,
  denzoXBeamMm: 0.1,
  denzoYBeamMm: 0.15,
  dialsOriginMm: [-0.15, 0.1, -100],
  xdsOrgX: 2,
  xdsOrgY: 1.5,
  closeDistanceMm: 98.5,
  phiDeg: 0,
  oscRangeDeg: 0.1,
  twothetaDeg: 0,
};

describe("SMV images", () => {
  it("writes the C's header, padded with spaces to 512 bytes, then little-endian pixels", () => {
    const { bytes, enlarged } = encodeSmv(HEADER, Uint16Array.of(1, 2, 3, 400, 500, 65535));
    expect(enlarged).toBe(false);
    expect(bytes.length).toBe(512 + 12);
    const text = bytes.subarray(0, 512).toString("latin1");
    expect(
      text.startsWith(
        "{\nHEADER_BYTES=512;\nDIM=2;\nBYTE_ORDER=little_endian;\nTYPE=unsigned_short;\nSIZE1=3;\nSIZE2=2;\n",
      ),
    ).toBe(true);
    expect(text).toContain("\nDIALS_ORIGIN=-0.15,0.1,-100\nXDS_ORGX=2;\n");
    expect(text).toContain(
      "\nPHI=0;\nOSC_START=0;\nOSC_RANGE=0.1;\nTWOTHETA=0;\nDETECTOR_SN=000;\nBEAMLINE=fake;\n}\f ",
    );
    expect(bytes.readUInt16LE(512 + 6)).toBe(400);
  });

  it("rounds HEADER_BYTES up to a multiple of 512 when the header text is longer", () => {
    const long = {
      ...HEADER,
      dialsOriginMm: [-216.336293123456, 215.205512123456, -230.200866123456] as const,
    };
    const wide = {
      ...long,
      beamCenterXMm: 217.742295123,
      beamCenterYMm: 213.90708123,
      adxvCenterXMm: 1.23456789e-7,
      adxvCenterYMm: -1.23456789e-7,
    };
    const many = {
      ...wide,
      mosflmCenterXMm: -1.11111e-7,
      mosflmCenterYMm: -2.22222e-7,
      denzoXBeamMm: -3.33333e-7,
      denzoYBeamMm: -4.44444e-7,
      xdsOrgX: -1.2345e-8,
      xdsOrgY: -1.2345e-8,
      closeDistanceMm: -1.2345e-8,
    };
    const { bytes, enlarged } = encodeSmv(many, new Uint16Array(6).fill(7));
    expect(enlarged).toBe(true);
    const image = decodeSmv(bytes, "long.img");
    expect(image.headerBytes).toBe(1024);
    expect(Array.from(image.data)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it("reads back what it writes", () => {
    const { bytes } = encodeSmv(HEADER, Uint16Array.of(1, 2, 3, 4, 5, 6));
    const image = decodeSmv(bytes, "x.img");
    expect([image.width, image.height, image.headerBytes]).toEqual([3, 2, 512]);
    expect(Array.from(image.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(image.value("WAVELENGTH")).toBe(1);
    expect(image.value("NOT_A_KEY")).toBeNaN();
  });

  it("swaps big-endian pixels", () => {
    const { bytes } = encodeSmv(HEADER, Uint16Array.of(1, 2, 3, 4, 5, 0x0102));
    const text = bytes.subarray(0, 512).toString("latin1").replace("little_endian", "big_endian   ");
    bytes.write(text, 0, "latin1");
    for (let i = 0; i < 6; i++) bytes.writeUInt16BE(bytes.readUInt16LE(512 + 2 * i), 512 + 2 * i);
    expect(Array.from(decodeSmv(bytes, "be.img").data)).toEqual([1, 2, 3, 4, 5, 0x0102]);
  });

  it("looks keys up as the C does (last occurrence of the substring) or exactly", () => {
    const header = "{\nHEADER_BYTES=512;\nDISTANCE=100;\nCLOSE_DISTANCE=98.4808;\nPHI=10;\n}";
    expect(headerValue(header, "DISTANCE", true)).toBe(98.4808);
    expect(headerValue(header, "DISTANCE", false)).toBe(100);
    expect(headerValue(header, "PHI", false)).toBe(10);
  });

  it("reports damaged files clearly", () => {
    const { bytes } = encodeSmv(HEADER, new Uint16Array(6));
    expect(() => decodeSmv(bytes.subarray(0, 520), "short.img")).toThrow(
      "short.img: truncated (520 bytes, expected 524 for 3x2 pixels)",
    );
    const noHeaderBytes = Buffer.from(bytes);
    noHeaderBytes.write("{\nHEADER_BYTX=512;", 0, "latin1");
    expect(() => decodeSmv(noHeaderBytes, "nohb.img")).toThrow(
      "nohb.img: the SMV header has no valid HEADER_BYTES",
    );
    expect(() => decodeSmv(Buffer.from("P5\n3 2\n255\n"), "pgm.img")).toThrow(
      'pgm.img: not an SMV image (it does not start with "{" and HEADER_BYTES)',
    );
  });
});
