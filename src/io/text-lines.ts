/** Reading a user's text input file with errors that name the file. */

import { readFileSync } from "node:fs";
import { InputError } from "../util/input-error.js";

/** A text input; a file with NUL bytes or mostly control bytes is binary, named as such rather than echoed. */
export function readTextFile(path: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(`${what} ${path}: ${describeFsError(error)}`);
  }
  if (isBinary(bytes)) throw new InputError(`${what} ${path}: a binary file, not text`);
  return bytes.toString("latin1");
}

/** NUL bytes, or more than a tenth control bytes, in the first 4 KiB. */
export function isBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) return true;
  let control = 0;
  for (const b of head) if (b < 9 || (b > 13 && b < 32) || b === 127) control++;
  return control > head.length / 10;
}

export function readBinaryFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InputError(`${what} ${path}: ${describeFsError(error)}`);
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (error as Error).message;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Strict decimal number (what the C's atof would read in full). */
export function isNumber(token: string): boolean {
  return NUMBER.test(token);
}
