/**
 * The image audit:
 * - every corpus case, run by the TS engine, against the C's float image: correlation >= 0.999999
 *   and every one of the brightest reference peaks at the same pixel;
 * - a reference image with its brightest peak moved by one column: that peak is reported moved by
 *   exactly 1 pixel (still matched), the correlation drops;
 * - closed forms: identical, scaled, negated, constant and hand-computed images;
 * - pictures: sizes as documented, shared scale, the diff of identical images white, PNGs that
 *   pngjs decodes;
 * - readImage on the engine's SMV and raw float files.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditImages,
  GAP_COLOUR,
  type ImageAudit,
  imageAuditMetrics,
  imageAuditSummary,
  pictureLayout,
  readImage,
  renderPictures,
} from "../../src/audit/image-audit.js";
import { encodePng } from "../../src/io/png.js";
import { readSmv } from "../../src/io/smv.js";
import { InputError } from "../../src/util/input-error.js";
import { referenceCases } from "../support/paths.js";
import {
  type CliResult,
  caseFolder,
  nanoBragg,
  readFloat,
  referenceFloat,
  scratchDir,
} from "../support/run.js";

/** Gaussian spots [slow, fast, height, sigma] on a flat background of 1: a small diffraction-like image. */
function spotImage(
  fpixels: number,
  spixels: number,
  spots: [number, number, number, number][],
): Float32Array {
  const image = new Float32Array(fpixels * spixels);
  for (let s = 0; s < spixels; s++) {
    for (let f = 0; f < fpixels; f++) {
      let v = 1;
      for (const [ss, sf, height, sigma] of spots) {
        v += height * Math.exp(-((s - ss) ** 2 + (f - sf) ** 2) / (2 * sigma * sigma));
      }
      image[s * fpixels + f] = v;
    }
  }
  return image;
}

const SPOTS: [number, number, number, number][] = [
  [10, 12, 500, 1.2],
  [30, 40, 300, 1.5],
  [12, 50, 200, 1.0],
  [35, 8, 100, 1.3],
];
const W = 64;
const H = 48;

/** A copy with the 5x5 block around (s, f) moved one column towards +fast (the block's old left column stays). */
function shiftBlock(image: Float32Array, fpixels: number, s: number, f: number): Float32Array {
  const out = image.slice();
  for (let ds = -2; ds <= 2; ds++) {
    for (let df = 2; df >= -2; df--)
      out[(s + ds) * fpixels + f + df + 1] = image[(s + ds) * fpixels + f + df];
  }
  return out;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

function expectFinite(value: unknown): void {
  const text = JSON.stringify(value);
  expect(text).not.toMatch(/NaN|Infinity/);
  JSON.parse(text, (_key, v) => {
    if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
    return v;
  });
}

/** Tables printed after the run: the corpus audit, and the moved-peak audits. */
const rows: string[] = [];
const shifted: string[] = [];
afterAll(() => {
  if (rows.length > 0)
    console.log(["case | correlation | peaks at distance 0 | max rel error", ...rows].join("\n"));
  if (shifted.length > 0) {
    console.log(["case | peak moved | peaks matched | correlation", ...shifted].join("\n"));
  }
});

describe("image audit: closed forms", () => {
  const a = spotImage(W, H, SPOTS);

  it("identical images: correlation 1, no error, every peak in place", () => {
    const audit = auditImages(a, a.slice(), W, H);
    expect(audit.correlation).toBe(1);
    expect([audit.maxAbsError, audit.maxRelError, audit.rmsDifference]).toEqual([0, 0, 0]);
    expect(audit.sumRatio).toBe(1);
    expect(audit.pixels).toBe(W * H);
    expect(audit.peaks.map((p) => p.ref)).toEqual(SPOTS.map(([s, f]) => [s, f]));
    expect(audit.peaks.every((p) => p.distance === 0)).toBe(true);
    expect(audit.peaksMatched).toBe(SPOTS.length);
    expect(audit.peaksMoved).toEqual([]);
  });

  it("a copy scaled by 2: correlation 1, sum ratio 2, max relative error 1", () => {
    const twice = a.map((v) => 2 * v);
    const audit = auditImages(a, twice, W, H);
    expect(audit.correlation).toBeCloseTo(1, 12);
    expect(audit.sumRatio).toBe(2);
    expect(audit.maxRelError).toBe(1);
    let squares = 0;
    for (const v of a) squares += v * v;
    expect(audit.rmsDifference).toBeCloseTo(Math.sqrt(squares / a.length), 9);
    expect(audit.peaksMatched).toBe(SPOTS.length);
  });

  it("an image against its negative: correlation -1", () => {
    const audit = auditImages(
      a,
      a.map((v) => -v),
      W,
      H,
    );
    expect(audit.correlation).toBeCloseTo(-1, 12);
    expect(audit.sumRatio).toBe(-1);
    expect(audit.peaksMatched).toBe(0);
  });

  it("a hand-computed correlation: [1 2; 3 4] against [1 3; 2 4] is 0.8", () => {
    const audit = auditImages(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 3, 2, 4), 2, 2);
    expect(audit.correlation).toBeCloseTo(0.8, 14);
    expect(audit.rmsDifference).toBeCloseTo(Math.sqrt(0.5), 14);
    expect(audit.maxRelError).toBe(0.25);
  });

  it("constant images: 1 when identical, 0 otherwise, no NaN anywhere", () => {
    const zero = new Float32Array(W * H);
    const tenth = new Float32Array(W * H).fill(0.1);
    const cases: [Float32Array, Float32Array, number][] = [
      [tenth, tenth.slice(), 1],
      [zero, zero.slice(), 1],
      [tenth, zero, 0],
      [zero, tenth, 0],
      [tenth, a, 0],
      [a, tenth, 0],
    ];
    for (const [ref, port, correlation] of cases) {
      const audit = auditImages(ref, port, W, H);
      expect(audit.correlation).toBe(correlation);
      expectFinite(imageAuditMetrics(audit));
      expect(imageAuditSummary(audit, "ref", "port")).not.toMatch(/NaN/);
    }
    expect(auditImages(zero, zero, W, H).peaks).toEqual([]); // a flat image has no peaks
    expect(imageAuditMetrics(auditImages(zero, tenth, W, H))).toMatchObject({ sum_ratio: null });
  });

  it("counts NaN and infinite pixels, leaves them out, and fails the verdict", () => {
    const port = a.slice();
    port[5] = Number.NaN;
    port[6] = Number.POSITIVE_INFINITY;
    const audit = auditImages(a, port, W, H);
    expect(audit.nonFinite).toBe(2);
    expect(audit.pixels).toBe(W * H - 2);
    expect(audit.correlation).toBe(1);
    expectFinite(imageAuditMetrics(audit));
    expect(imageAuditMetrics(audit)).toMatchObject({ verdict: "differs", non_finite_pixels: 2 });
    expect(imageAuditSummary(audit, "c.bin", "ts.bin")).toContain("2 pixels are NaN or infinite");
  });

  it("refuses images whose sizes disagree, naming both", () => {
    expect(() => auditImages(a, new Float32Array(W * H - W), W, H)).toThrow(
      `image sizes disagree: reference ${W * H} pixels, port ${W * H - W} pixels, ${W}x${H} = ${W * H} expected`,
    );
    expect(() => auditImages(a, a, W, H + 1)).toThrow(/reference 3072 pixels, port 3072 pixels, 64x49/);
    expect(() => auditImages(a, a, W, H, { roi: { xmin: 0, xmax: W, ymin: 0, ymax: 3 } })).toThrow(/ROI/);
  });

  it("compares only the region of interest (x fast, y slow, inclusive)", () => {
    const port = a.slice();
    port[40 * W + 60] += 1000; // outside the ROI
    const roi = { xmin: 5, xmax: 42, ymin: 2, ymax: 39 };
    const audit = auditImages(a, port, W, H, { roi });
    expect(audit.pixels).toBe(38 * 38);
    expect(audit.correlation).toBe(1);
    expect(audit.maxAbsError).toBe(0);
    expect(audit.peaks.map((p) => p.ref)).toEqual([
      [10, 12],
      [30, 40],
      [35, 8],
    ]);
    expect(auditImages(a, port, W, H).maxAbsError).toBeCloseTo(1000, 3);
  });

  it("counts a peak spread over two equal pixels once, at the first, and honours peaks and peakRadius", () => {
    const image = spotImage(W, H, SPOTS);
    image[20 * W + 20] = 900;
    image[20 * W + 21] = 900;
    const audit = auditImages(image, image, W, H, { peaks: 2 });
    expect(audit.peaks.map((p) => p.ref)).toEqual([
      [20, 20],
      [10, 12],
    ]);
    // with a radius wider than the distance between spots, the weaker of two nearby spots is no peak
    const close = spotImage(W, H, [
      [20, 20, 500, 1],
      [20, 26, 400, 1],
    ]);
    expect(auditImages(close, close, W, H, { peakRadius: 3 }).peaks).toHaveLength(2);
    expect(auditImages(close, close, W, H, { peakRadius: 6 }).peaks).toHaveLength(1);
  });
});

describe("image audit: a peak moved by one pixel", () => {
  it("reports the moved spot at distance 1, still matched, in a synthetic image", () => {
    const ref = spotImage(W, H, SPOTS);
    const port = shiftBlock(ref, W, 10, 12);
    const audit = auditImages(ref, port, W, H);
    expect(audit.peaksMoved).toEqual([
      { ref: [10, 12], port: [10, 13], distance: 1, refValue: ref[10 * W + 12], portValue: ref[10 * W + 12] },
    ]);
    expect(audit.peaksMatched).toBe(SPOTS.length);
    expect(audit.correlation).toBeLessThan(1);
    expect(audit.correlation).toBeCloseTo(pearson(ref, port), 12);
    const summary = imageAuditSummary(audit, "ref.bin", "port.bin");
    expect(summary).toContain("**Verdict: differs.**");
    expect(summary).toContain("| (10, 12) | (10, 13) | 1 |");
    expect(imageAuditMetrics(audit)).toMatchObject({ peaks_matched: SPOTS.length, peaks_moved: 1 });
  });

  it("reports a missing spot as unmatched", () => {
    const ref = spotImage(W, H, SPOTS);
    const port = spotImage(W, H, SPOTS.slice(1));
    const audit = auditImages(ref, port, W, H);
    expect(audit.peaksMoved.map((p) => [p.ref, p.port, p.distance, p.portValue])).toEqual([
      [[10, 12], null, null, null],
    ]);
    expect(audit.peaksMatched).toBe(SPOTS.length - 1);
    expect(imageAuditSummary(audit, "ref.bin", "port.bin")).toContain("| (10, 12) | none | - |");
  });

  for (const c of referenceCases()) {
    it(`reports the brightest peak of the C's ${c.id} image moved by one column`, () => {
      const { fpixels, spixels } = c.detector;
      const ref = referenceFloat(c);
      // the brightest peak whose 5x5 block, moved, stays inside the image
      const [s, f] = auditImages(ref, ref, fpixels, spixels).peaks.find(
        ({ ref: [s, f] }) => s >= 2 && s < spixels - 2 && f >= 2 && f < fpixels - 3,
      )!.ref;
      const audit = auditImages(ref, shiftBlock(ref, fpixels, s, f), fpixels, spixels);
      const moved = audit.peaks.find((p) => p.ref[0] === s && p.ref[1] === f);
      expect(moved).toMatchObject({ port: [s, f + 1], distance: 1 });
      expect(audit.peaksMoved).toEqual([moved]);
      expect(audit.peaksMatched).toBe(audit.peaks.length);
      expect(audit.correlation).toBeLessThan(1);
      shifted.push(
        `${c.id} | (${s}, ${f}) -> (${s}, ${f + 1}) | ${audit.peaksMatched}/${audit.peaks.length} | ${audit.correlation}`,
      );
    });
  }
});

describe("image audit: the TS engine against every C reference image", () => {
  for (const c of referenceCases()) {
    it(c.id, () => {
      const dir = caseFolder(c);
      const r = nanoBragg(
        [...c.argv, "-floatfile", "ts.bin", "-intfile", "int.img", "-nonoise", "-nopgm"],
        dir,
      );
      expect(r.code, r.stderr).toBe(0);
      const { fpixels, spixels } = c.detector;
      const audit: ImageAudit = auditImages(
        referenceFloat(c),
        readFloat(join(dir, "ts.bin")),
        fpixels,
        spixels,
      );
      rows.push(
        `${c.id} | ${audit.correlation} | ${audit.peaks.filter((p) => p.distance === 0).length}/${audit.peaks.length} | ${audit.maxRelError}`,
      );
      expect(audit.correlation).toBeGreaterThanOrEqual(0.999999);
      expect(audit.peaks.length).toBeGreaterThan(0);
      expect(audit.peaksMoved).toEqual([]);
      expect(audit.peaksMatched).toBe(audit.peaks.length);
    });
  }
});

describe("image audit: pictures", () => {
  const a = spotImage(W, H, SPOTS);

  function decode(width: number, height: number, rgb: Uint8Array): PNG {
    const png = PNG.sync.read(encodePng(width, height, rgb), { checkCRC: true });
    expect([png.width, png.height]).toEqual([width, height]);
    return png;
  }

  function colour(png: PNG, x: number, y: number): number[] {
    const at = 4 * (y * png.width + x);
    return [png.data[at], png.data[at + 1], png.data[at + 2]];
  }

  it("lays out image, black gap and colour bar as documented", () => {
    expect(pictureLayout(48)).toEqual({ image: 48, gap: 2, bar: 6, total: 56 });
    expect(pictureLayout(2527)).toEqual({ image: 2527, gap: 40, bar: 158, total: 2725 });
  });

  it("draws identical images identically, and their difference white", () => {
    const pictures = renderPictures(a, a.slice(), W, H);
    const layout = pictureLayout(H);
    expect([pictures.width, pictures.height]).toEqual([W, layout.total]);
    const ref = decode(W, layout.total, pictures.ref);
    const port = decode(W, layout.total, pictures.port);
    const diff = decode(W, layout.total, pictures.diff);
    expect(Buffer.from(ref.data).equals(Buffer.from(port.data))).toBe(true);
    let notWhite = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) if (colour(diff, x, y).join() !== "255,255,255") notWhite++;
    }
    expect(notWhite).toBe(0);
    for (const png of [ref, diff]) {
      for (let y = H; y < H + layout.gap; y++) expect(colour(png, W - 1, y)).toEqual([...GAP_COLOUR]);
    }
    const bar = layout.total - 1;
    expect([colour(ref, 0, bar), colour(ref, W - 1, bar)]).toEqual([
      [68, 1, 84],
      [253, 231, 37],
    ]);
    expect([colour(diff, 0, bar), colour(diff, W - 1, bar)]).toEqual([
      [33, 102, 172],
      [178, 24, 43],
    ]);
    // the scale: lowest pixel at the dark end, the brightest spot clipped to the bright end
    expect(pictures.intensityRange[0]).toBe(1);
    expect(colour(ref, 0, 0)).toEqual([68, 1, 84]);
    expect(colour(ref, 12, 10)).toEqual([253, 231, 37]);
    expect(pictures.diffLimit).toBe(0);
  });

  it("puts ref and port on one scale, and signs the difference (red: port brighter)", () => {
    const port = a.slice();
    port[10 * W + 12] += 50;
    port[30 * W + 40] -= 20;
    const pictures = renderPictures(a, port, W, H);
    expect(pictures.diffLimit).toBeCloseTo(50, 4);
    const diff = decode(pictures.width, pictures.height, pictures.diff);
    expect(colour(diff, 12, 10)).toEqual([178, 24, 43]);
    const blue = colour(diff, 40, 30);
    expect(blue[2]).toBeGreaterThan(blue[0]);
    expect(colour(diff, 0, 0)).toEqual([255, 255, 255]);
    // a port twice as bright is drawn brighter than the reference, not rescaled to look the same
    const twice = renderPictures(
      a,
      a.map((v) => 2 * v),
      W,
      H,
    );
    expect(Buffer.from(twice.ref).equals(Buffer.from(twice.port))).toBe(false);
  });

  it("crops to a region of interest", () => {
    const pictures = renderPictures(a, a, W, H, { xmin: 4, xmax: 23, ymin: 3, ymax: 17 });
    expect([pictures.width, pictures.height]).toEqual([20, pictureLayout(15).total]);
    decode(pictures.width, pictures.height, pictures.ref);
  });
});

describe("image audit: reading images", () => {
  const dir = scratchDir("nb-audit-read-");
  let run: CliResult;
  beforeAll(() => {
    // a non-square detector, so that fast and slow cannot be swapped unnoticed
    run = nanoBragg(
      [
        ...["-default_F", "100", "-cell", "100", "100", "100", "90", "90", "90", "-lambda", "6.2", "-N", "5"],
        ...["-distance", "100", "-pixel", "0.1", "-detpixels_x", "80", "-detpixels_y", "48", "-mosflm"],
        ...["-nonoise", "-nopgm", "-floatfile", "float.bin", "-intfile", "int.img"],
      ],
      dir,
    );
  });

  it("reads the engine's SMV (size from its header) and raw float (size given or from the length)", () => {
    expect(run.code, run.stderr).toBe(0);
    const smv = readImage(join(dir, "int.img"));
    expect([smv.fpixels, smv.spixels]).toEqual([80, 48]);
    expect(Array.from(smv.data)).toEqual(Array.from(readSmv(join(dir, "int.img"), "-intfile").data));
    const float = readImage(join(dir, "float.bin"), 80);
    expect([float.fpixels, float.spixels]).toEqual([80, 48]);
    expect(Buffer.from(float.data.buffer).equals(Buffer.from(readFloat(join(dir, "float.bin")).buffer))).toBe(
      true,
    );
    expect(readImage(join(dir, "float.bin"), 80, 48).data).toEqual(float.data);
    // the integer image is the float image scaled: same shape, same brightest pixel
    const audit = auditImages(float.data, smv.data, 80, 48);
    expect(audit.correlation).toBeGreaterThan(0.9999);
    expect(audit.peaks[0].port).toEqual(audit.peaks[0].ref);
  });

  it("reads gzip-compressed images, as the corpus stores them", () => {
    const gz = join(dir, "float.bin.gz");
    writeFileSync(gz, gzipSync(Buffer.from(readFloat(join(dir, "float.bin")).buffer)));
    expect(readImage(gz, 80, 48).data).toEqual(readFloat(join(dir, "float.bin")));
  });

  it("says what is wrong, naming the file", () => {
    const float = join(dir, "float.bin");
    expect(() => readImage(float)).toThrow(InputError);
    expect(() => readImage(float)).toThrow(`${float}: a raw float image needs its size`);
    expect(() => readImage(float, 81)).toThrow(
      `${float}: 15360 bytes are not whole rows of 81 float32 pixels`,
    );
    expect(() => readImage(float, 80, 40)).toThrow(
      `${float}: raw float image has 15360 bytes, expected 12800`,
    );
    expect(() => readImage(join(dir, "int.img"), 64, 64)).toThrow(
      "the SMV header says 80x48 pixels, not 64x64",
    );
    expect(() => readImage(join(dir, "absent.bin"), 8)).toThrow(
      `image ${join(dir, "absent.bin")}: no such file`,
    );
  });
});
