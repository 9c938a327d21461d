/**
 * A file replaced whole: written under a temporary name beside it, then renamed over it, so that a
 * reader, or a run stopped on the way, finds the old file or the new one and never new bytes followed
 * by old ones. A pipe or a device (`-floatfile /dev/stdout`) has no name to rename over: it is written
 * as it is. The temporary names this thread has started are known, so that a signal handler can
 * remove them.
 */

import { closeSync, constants, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;
const started = new Set<string>();

/** The hidden name the new contents of `path` are written under. */
export function temporaryNameOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Where the bytes go first: the path itself for a pipe or device, else its temporary name. */
function targetOf(path: string, kind: "file" | "special" | "none"): string {
  return kind === "special" ? path : temporaryNameOf(path);
}

function kindOf(path: string): "file" | "special" | "none" {
  try {
    return statSync(path).isFile() ? "file" : "special";
  } catch {
    return "none";
  }
}

/**
 * While temporary files may exist, SIGINT and SIGTERM remove them before the process ends (as a shell
 * reports it: 130, 143). Only then: a handler cannot run while the main thread renders, and the
 * default of ending at once is what a render needs.
 */
function removeOnSignal(): void {
  // signals reach the main thread only; a writer thread's names are noted there too
  if (started.size > 0 || !isMainThread) return;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      removeTemporaryFiles();
      process.exit(code);
    });
  }
}

/** Remember a temporary name before its file exists (the writer may be another thread). */
export function noteTemporaryName(path: string): void {
  removeOnSignal();
  started.add(temporaryNameOf(path));
}

/** Remove every temporary file this thread's writes started (those already renamed are gone). */
export function removeTemporaryFiles(): void {
  for (const name of started) {
    try {
      unlinkSync(name);
    } catch {
      // renamed already, or never made
    }
  }
  started.clear();
}

export function replaceFileSync(path: string, chunks: readonly Uint8Array[]): void {
  const kind = kindOf(path);
  const target = targetOf(path, kind);
  if (target !== path) noteTemporaryName(path);
  try {
    const fd = openSync(target, kind === "special" ? constants.O_WRONLY : CREATE, 0o666);
    try {
      for (const chunk of chunks)
        for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done);
    } finally {
      closeSync(fd);
    }
    if (target !== path) renameSync(target, path);
  } catch (error) {
    if (target !== path) unlinkQuietly(target);
    throw error;
  }
}

export async function replaceFile(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const kind = await stat(path).then(
    (s) => (s.isFile() ? "file" : "special"),
    () => "none" as const,
  );
  const target = targetOf(path, kind);
  try {
    const file = await open(target, kind === "special" ? constants.O_WRONLY : CREATE, 0o666);
    try {
      for (const chunk of chunks) await file.write(chunk);
    } finally {
      await file.close();
    }
    if (target !== path) await rename(target, path);
  } catch (error) {
    if (target !== path) await unlink(target).catch(() => {});
    throw error;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // it was not made
  }
}
