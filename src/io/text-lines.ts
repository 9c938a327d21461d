/** Reading a user's text input file with errors that name the file. */

import { readFileSync } from "node:fs";
import { InputError } from "../util/input-error.js";

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, "latin1");
  } catch (error) {
    throw new InputError(`${what} ${path}: ${describeFsError(error)}`);
  }
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
