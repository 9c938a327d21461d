/**
 * Crash- and concurrency-safe updates of a shared text file: a lock file that two runs cannot both
 * hold (and that a dead run does not keep), and writes that replace the file whole by a rename.
 */

import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const STALE_AGE_MS = 10 * 60 * 1000;
/** Filling a lock takes microseconds; one still empty or unreadable after this was left by a dead writer. */
const UNREADABLE_STALE_MS = 2000;
/** The takeover guard is held for two file operations; one older than this was left by a dead process. */
const GUARD_STALE_MS = 5000;

/** Writes to a temporary file beside `path`, then renames it over `path`: readers see old or new, never half. */
export function writeFileAtomic(path: string, content: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", modeOf(path));
  try {
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
}

/**
 * Runs `action` while holding `${path}.lock`. A lock whose process is gone, or older than 10 minutes,
 * is taken over. Not re-entrant: a nested call on the same path waits until it times out.
 */
export async function withFileLock<T>(
  path: string,
  action: () => T | Promise<T>,
  timeoutMs = 30000,
): Promise<T> {
  const lockPath = `${path}.lock`;
  const mine = await acquire(lockPath, timeoutMs);
  try {
    return await action();
  } finally {
    // A lock taken over from us (we outlived the stale age) now belongs to another run: leave it.
    if (readOrNull(lockPath) === mine) removeQuietly(lockPath);
  }
}

/** Under the lock: reads `path` (null when absent), transforms it, writes the result atomically. */
export async function updateFile(path: string, transform: (old: string | null) => string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await withFileLock(path, () => {
    const old = readOrNull(path);
    const next = transform(old);
    if (next !== old) writeFileAtomic(path, next);
  });
}

async function acquire(lockPath: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const content = `${JSON.stringify({ pid: process.pid, time: new Date().toISOString(), token: randomBytes(6).toString("hex") })}\n`;
    try {
      const fd = openSync(lockPath, "wx");
      try {
        writeFileSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return content;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const held = readOrNull(lockPath);
    if (held !== null && isStale(lockPath, held) && takeOver(lockPath, held)) continue;
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for the lock ${lockPath} (held: ${held?.trim()})`,
      );
    }
    await sleep(10 + Math.random() * 40);
  }
}

function isStale(lockPath: string, held: string): boolean {
  const { pid, time } = lockOwner(held);
  // Creating and filling the lock are two steps: a writer killed between them leaves it empty.
  if (pid === null && time === null) return Date.now() - mtimeOrNow(lockPath) > UNREADABLE_STALE_MS;
  if (pid !== null && !isAlive(pid)) return true;
  const since = time ?? mtimeOrNow(lockPath);
  return Date.now() - since > STALE_AGE_MS;
}

/** The pid and time a lock records: our JSON, or a bare pid written by hand or by another tool. */
function lockOwner(held: string): { pid: number | null; time: number | null } {
  const bare = /^\s*(\d+)\s*$/.exec(held);
  if (bare) return { pid: Number(bare[1]), time: null };
  try {
    const parsed = JSON.parse(held);
    const pid = Number.isInteger(parsed?.pid) ? parsed.pid : null;
    const time = typeof parsed?.time === "string" ? Date.parse(parsed.time) : Number.NaN;
    return { pid, time: Number.isNaN(time) ? null : time };
  } catch {
    return { pid: null, time: null };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

/**
 * Removes a stale lock unless it changed since it was judged stale, and says whether it did. A guard
 * file makes the check and the removal one step, so that of two waiters that judged the same lock
 * stale, the second cannot remove the fresh lock the first one has taken since.
 */
function takeOver(lockPath: string, stale: string): boolean {
  const guard = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, "wx");
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
    if (Date.now() - mtimeOrNow(guard) > GUARD_STALE_MS) removeQuietly(guard);
    return false;
  }
  try {
    if (readOrNull(lockPath) !== stale) return false;
    removeQuietly(lockPath);
    return true;
  } finally {
    closeSync(fd);
    removeQuietly(guard);
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw error;
  }
}

function modeOf(path: string): number {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return 0o666;
  }
}

function mtimeOrNow(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: the outcome wanted.
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
