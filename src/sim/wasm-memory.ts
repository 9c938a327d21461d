/** Sizing the memories of the WebAssembly modules (kernel.as.ts, noise.as.ts, integer-images.as.ts). */

import { InputError } from "../util/input-error.js";

const PAGE = 65536;
/** WebAssembly's 32-bit address space. */
const MAX_BYTES = 2 ** 32;

/** Grow `memory` to hold `bytes`; `what` names the contents when they cannot fit. */
export function growTo(memory: WebAssembly.Memory, bytes: number, what: string): void {
  const gib = (bytes / 2 ** 30).toFixed(1);
  if (bytes > MAX_BYTES)
    throw new InputError(`${what} needs ${gib} GiB, more than the 4 GiB a WebAssembly memory holds`);
  try {
    memory.grow(Math.max(0, Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`${what} needs ${gib} GiB of WebAssembly memory, which could not be had: ${reason}`);
  }
}

/** Views of one row's buffers in a module's memory: float32 values, u16 mask, u16 (or byte) results. */
export interface RowBuffers {
  values: Float32Array;
  mask: Uint16Array;
  out: Uint16Array;
}

/** Buffers for rows of up to `length` pixels in `memory`, from `heapBase` (the module's data end). */
export function rowBuffers(memory: WebAssembly.Memory, heapBase: number, length: number): RowBuffers {
  const base = 8 * Math.ceil(heapBase / 8);
  const maskAt = base + 4 * length;
  const outAt = maskAt + 8 * Math.ceil((2 * length) / 8);
  const end = outAt + 2 * length;
  growTo(memory, end, `a row of ${length} pixels`);
  const buffer = memory.buffer;
  return {
    values: new Float32Array(buffer, base, length),
    mask: new Uint16Array(buffer, maskAt, length),
    out: new Uint16Array(buffer, outAt, length),
  };
}
