/**
 * The integer images made from the float image, as the C makes them: the scaled SMV image, the PGM
 * preview and the photon-counting noise image. Pixels outside the ROI stay 0; masked pixels inside it
 * get the ADC offset (and a noise draw) where the profile says the C's way.
 */

import { INTEGER_IMAGES_WASM } from "./integer-images-wasm.generated.js";
import type { KernelPlan } from "./kernel.js";
import type { PhotonNoise } from "./noise.js";
import { type RowBuffers, rowBuffers } from "./wasm-memory.js";

function roiBounds(p: KernelPlan): [number, number, number, number] {
  return [
    Math.max(0, p.roiXmin),
    Math.min(p.fpixels - 1, p.roiXmax),
    Math.max(0, p.roiYmin),
    Math.min(p.spixels - 1, p.roiYmax),
  ];
}

/** -scale, or the C's automatic scale putting the brightest pixel at 55000 counts. */
export function intfileScale(requested: number, maxI: number): number {
  if (requested > 0.0) return requested;
  return maxI > 0.0 ? 55000.0 / maxI : 1.0;
}

/** -pgmscale, or the C's automatic scale: 250 / (5 RMSD), or the int scale for a flat image. */
export function pgmScale(requested: number, intScale: number, rmsd: number): number {
  if (requested > 0.0) return requested;
  return rmsd > 0.0 ? 250.0 / (5.0 * rmsd) : intScale;
}

/** The row conversions of integer-images.as.ts (one instance per thread) and its row buffers. */
interface Conversions {
  memory: WebAssembly.Memory;
  heapBase(): number;
  intRow(values: number, mask: number, out: number, count: number, scale: number, adc: number): void;
  pgmRow(values: number, out: number, count: number, scale: number): void;
}

let conversions: { module: Conversions; buffers: RowBuffers } | null = null;

function conversionsFor(length: number): { module: Conversions; buffers: RowBuffers } {
  const module =
    conversions?.module ??
    (new WebAssembly.Instance(new WebAssembly.Module(INTEGER_IMAGES_WASM), {})
      .exports as unknown as Conversions);
  if (conversions === null || conversions.buffers.values.length < length)
    conversions = { module, buffers: rowBuffers(module.memory, module.heapBase(), length) };
  return conversions;
}

/**
 * The SMV image: each ROI pixel scaled, offset by `adc`, clipped to 0..65535 and rounded as the C
 * does; masked pixels stay 0 unless `maskedGetAdc`. Into `out` when given (zeros outside the ROI).
 */
export function intImage(
  image: Float32Array,
  p: KernelPlan,
  scale: number,
  adc: number,
  maskedGetAdc: boolean,
  out: Uint16Array = new Uint16Array(image.length),
): Uint16Array {
  const [x0, x1, y0, y1] = roiBounds(p);
  if (x1 < x0) return out;
  const count = x1 - x0 + 1;
  const { module, buffers } = conversionsFor(count);
  const { values, mask, out: counts } = buffers;
  const skip = maskedGetAdc ? null : p.mask;
  for (let s = y0; s <= y1; s++) {
    const first = s * p.fpixels + x0;
    values.set(image.subarray(first, first + count));
    if (skip !== null) mask.set(skip.subarray(first, first + count));
    module.intRow(
      values.byteOffset,
      skip === null ? 0 : mask.byteOffset,
      counts.byteOffset,
      count,
      scale,
      adc,
    );
    out.set(counts.subarray(0, count), first);
  }
  return out;
}

/** The PGM image: each ROI pixel scaled, clipped at 255 and truncated, as the C does. */
export function pgmImage(image: Float32Array, p: KernelPlan, scale: number): Uint8Array {
  const out = new Uint8Array(image.length);
  const [x0, x1, y0, y1] = roiBounds(p);
  if (x1 < x0) return out;
  const count = x1 - x0 + 1;
  const { module, buffers } = conversionsFor(count);
  const { values, out: counts } = buffers;
  const bytes = new Uint8Array(counts.buffer, counts.byteOffset, count);
  for (let s = y0; s <= y1; s++) {
    const first = s * p.fpixels + x0;
    values.set(image.subarray(first, first + count));
    module.pgmRow(values.byteOffset, bytes.byteOffset, count, scale);
    out.set(bytes, first);
  }
  return out;
}

/**
 * The noise image, built row by row in row-major order (the generator is serial): Poisson photons for
 * each ROI pixel plus the ADC offset, clipped at 65535.
 */
export class NoiseImage {
  readonly data: Uint16Array;
  /** Photons drawn over the image. */
  photons = 0.0;
  private readonly buffers: RowBuffers;
  private readonly overloadsBefore: number;

  constructor(
    private readonly p: KernelPlan,
    private readonly noise: PhotonNoise,
    private readonly adc: number,
    private readonly maskedGetAdc: boolean,
  ) {
    this.data = new Uint16Array(p.fpixels * p.spixels);
    this.buffers = noise.rowBuffers(p.fpixels);
    this.overloadsBefore = noise.overloads;
  }

  /** Pixels clipped at 65535. */
  get overloads(): number {
    return this.noise.overloads - this.overloadsBefore;
  }

  /** Add row `slow` of the float image; rows must come in increasing order. */
  addRow(image: Float32Array, slow: number): void {
    const { p, buffers } = this;
    const [x0, x1] = roiBounds(p);
    if (x1 < x0) return;
    const first = slow * p.fpixels + x0;
    const count = x1 - x0 + 1;
    const mask = this.maskedGetAdc ? null : p.mask;
    buffers.values.set(image.subarray(first, first + count));
    if (mask !== null) buffers.mask.set(mask.subarray(first, first + count));
    this.photons += this.noise.row(buffers, count, mask !== null, this.adc);
    this.data.set(buffers.out.subarray(0, count), first);
  }
}
