/**
 * A contact sheet: every frame of a series as one tile on a grid (row by row, in the series' order),
 * on one shared intensity scale (viridis on the square root, as the image audit's pictures), frames
 * larger than a tile shrunk by taking each block's brightest pixel, so that spots stay visible.
 */

import { intensityRange, paintColour, paintIntensity } from "./image-audit.js";

export interface Frame {
  data: Float32Array;
  fpixels: number;
  spixels: number;
}

/** Largest tile side in pixels. */
const TILE = 128;
const GAP = 4;
const BACKGROUND = [32, 32, 32] as const;

/** The frame shrunk by `factor` each way, each output pixel its block's brightest. */
function shrink(frame: Frame, factor: number): Frame {
  if (factor === 1) return frame;
  const fpixels = Math.ceil(frame.fpixels / factor);
  const spixels = Math.ceil(frame.spixels / factor);
  const data = new Float32Array(fpixels * spixels).fill(Number.NEGATIVE_INFINITY);
  for (let s = 0; s < frame.spixels; s++) {
    for (let f = 0; f < frame.fpixels; f++) {
      const at = Math.floor(s / factor) * fpixels + Math.floor(f / factor);
      const v = frame.data[s * frame.fpixels + f];
      if (v > data[at] || Number.isNaN(v)) data[at] = v;
    }
  }
  return { data, fpixels, spixels };
}

export interface Sheet {
  width: number;
  height: number;
  rgb: Uint8Array;
  columns: number;
  /** The shared scale's low and high ends. */
  range: [number, number];
}

/** The frames of a series share one size (the caller checks). */
export function contactSheet(frames: Frame[]): Sheet {
  const { fpixels, spixels } = frames[0];
  const factor = Math.max(1, Math.ceil(Math.max(fpixels, spixels) / TILE));
  const tiles = frames.map((f) => shrink(f, factor));
  const tileW = tiles[0].fpixels;
  const tileH = tiles[0].spixels;
  const columns = Math.ceil(Math.sqrt(frames.length));
  const rows = Math.ceil(frames.length / columns);
  const width = columns * tileW + (columns + 1) * GAP;
  const height = rows * tileH + (rows + 1) * GAP;
  const rgb = new Uint8Array(3 * width * height);
  for (let i = 0; i < width * height; i++) paintColour(rgb, i, BACKGROUND);
  const [lo, hi] = intensityRange(
    tiles.map((t) => t.data),
    tileW,
    { xmin: 0, xmax: tileW - 1, ymin: 0, ymax: tileH - 1 },
  );
  tiles.forEach((t, n) => {
    const x0 = GAP + (n % columns) * (tileW + GAP);
    const y0 = GAP + Math.floor(n / columns) * (tileH + GAP);
    for (let s = 0; s < tileH; s++)
      for (let f = 0; f < tileW; f++)
        paintIntensity(rgb, (y0 + s) * width + x0 + f, t.data[s * tileW + f], lo, hi - lo);
  });
  return { width, height, rgb, columns, range: [lo, hi] };
}
