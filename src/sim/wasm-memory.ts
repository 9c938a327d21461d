/** Sizing the memories of the WebAssembly modules (kernel.as.ts, noise.as.ts). */

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
