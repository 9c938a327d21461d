/**
 * What this machine can hold, checked before anything large is allocated: the memory it has, and
 * the longest typed array V8 makes. An input that needs more is the user's problem to hear about,
 * named with its size and the limit, never a RangeError from deep inside.
 */

import { totalmem } from "node:os";

/** V8's longest typed array, in elements. */
export const MAX_ARRAY_ELEMENTS = 2 ** 32 - 1;

export function machineMemory(): number {
  return totalmem();
}

/** Bytes in words: 1.6 TiB, 23.5 GiB, 512 MiB. */
export function bytesText(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toPrecision(3)} ${units[unit]}`;
}

/**
 * Why `elements` of `bytesEach` (plus `extra` bytes) cannot be had here, or null: more elements than
 * one array holds, or more memory than the machine has.
 */
export function allocationProblem(elements: number, bytesEach: number, extra = 0): string | null {
  const bytes = elements * bytesEach + extra;
  if (elements > MAX_ARRAY_ELEMENTS)
    return `would take ${elements.toPrecision(3)} elements in one array (${bytesText(bytes)}), more than the ${MAX_ARRAY_ELEMENTS} an array can hold`;
  if (bytes > machineMemory())
    return `would take about ${bytesText(bytes)}, more than this machine's ${bytesText(machineMemory())} of memory`;
  return null;
}
