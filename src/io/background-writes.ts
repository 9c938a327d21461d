/**
 * Output files written in the background, so that the main thread goes on making the next image while
 * the last one reaches the disk: on a writer thread when one is given (a render worker, idle once the
 * image is made, which writes each file in one go with synchronous calls, then stops), else on
 * libuv's thread pool, whose writes advance a step (open, a chunk, close) only when the main thread's
 * event loop turns. Each file is replaced whole (src/io/replace-file.ts). Writes to one path keep their
 * order (the last one wins, as in the C); an error names the option and the file.
 */

import type { Worker } from "node:worker_threads";
import { InputError } from "../util/input-error.js";
import { noteTemporaryName, replaceFile, replaceFileSync } from "./replace-file.js";
import { describeFsError } from "./text-lines.js";

/** A file for a writer thread to write. */
export interface FileWrite {
  kind: "write";
  id: number;
  path: string;
  chunks: Uint8Array[];
  /** Shared cell the thread sets once the file is written (WRITTEN) or has failed (FAILED). */
  status: Int32Array;
}

export const WRITTEN = 1;
export const FAILED = 2;

/** Tells a writer thread that no FileWrite follows: it stops once it has answered the last. */
export interface WritesDone {
  kind: "done";
}

/** A writer thread's outcome of a FileWrite; it answers with it where the write failed. */
export interface FileWritten {
  kind: "written";
  id: number;
  /** The failure's code and message, or null. */
  error: { code?: string; message: string } | null;
}

/** Write a file on this thread, as a writer thread does with each FileWrite it gets. */
export function writeFileNow(request: FileWrite): FileWritten {
  try {
    replaceFileSync(request.path, request.chunks);
    return { kind: "written", id: request.id, error: null };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { kind: "written", id: request.id, error: { code, message } };
  }
}

/** The buffers of `chunks` that can move to another thread: not shared, and wholly the chunk's. */
function movable(chunks: readonly Uint8Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const chunk of chunks) {
    const buffer = chunk.buffer;
    if (buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === buffer.byteLength)
      buffers.add(buffer);
  }
  return [...buffers];
}

/** How long a wait for the writer thread blocks before this thread looks at its events. */
const BLOCK_MS = 20;

export class BackgroundWrites {
  private readonly results: Promise<InputError | null>[] = [];
  private readonly lastByPath = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<number, (error: FileWritten["error"]) => void>();
  /** The status cells of the writer thread's files, in order. */
  private readonly statuses: { id: number; status: Int32Array }[] = [];
  private stopped = false;
  private readonly onMessage = (message: FileWritten | unknown) => {
    const answer = message as FileWritten;
    if (answer?.kind !== "written") return;
    this.pending.get(answer.id)?.(answer.error);
    this.pending.delete(answer.id);
  };
  /**
   * The thread stops once it has written the last file, and its exit may be seen before the status
   * cells are read: a file whose cell says WRITTEN was written; only the others failed.
   */
  private readonly onStop = () => {
    this.stopped = true;
    for (const { id, status } of this.statuses) {
      const written = Atomics.load(status, 0) === WRITTEN;
      this.pending.get(id)?.(written ? null : { message: "the writer thread stopped" });
    }
    this.pending.clear();
  };

  /**
   * `thread`, when given, runs writeFileNow for every FileWrite message, sets its status cell and
   * answers each failure.
   */
  constructor(private readonly thread: Worker | null = null) {
    thread?.on("message", this.onMessage).on("exit", this.onStop).on("error", this.onStop);
  }

  /**
   * Start writing `chunks`, one after another, as the file `path` of option `flag`. The chunks are the
   * write's from now on: memory that is theirs alone moves to the writer thread (no copy), leaving
   * them empty here.
   */
  write(path: string, flag: string, chunks: readonly Uint8Array[]): void {
    const failure = (error: unknown) => new InputError(`${flag} ${path}: ${describeFsError(error)}`);
    noteTemporaryName(path);
    let result: Promise<InputError | null>;
    if (this.thread) {
      const id = this.statuses.length;
      const status = new Int32Array(new SharedArrayBuffer(4));
      result = new Promise((resolve) => {
        this.pending.set(id, (error) => resolve(error ? failure(error) : null));
      });
      const request: FileWrite = { kind: "write", id, path, chunks: [...chunks], status };
      this.thread.postMessage(request, movable(chunks));
      this.statuses.push({ id, status });
    } else {
      const previous = this.lastByPath.get(path) ?? Promise.resolve();
      result = previous.then(() => replaceFile(path, chunks)).then(() => null, failure);
      this.lastByPath.set(path, result);
    }
    this.results.push(result);
  }

  /**
   * Settle the writer thread's writes as it finishes them, read from their status cells: waking at
   * once, where a message waits for this thread's event loop (a millisecond or more). Failures are
   * settled by the thread's answers, which say why. Blocks BLOCK_MS at most between looks at this thread's
   * events, so that a thread that stops is noticed.
   */
  private async threadWritten(): Promise<void> {
    for (const { id, status } of this.statuses) {
      while (Atomics.load(status, 0) === 0 && !this.stopped) {
        if (Atomics.wait(status, 0, 0, BLOCK_MS) === "timed-out") await new Promise(setImmediate);
      }
      if (Atomics.load(status, 0) === WRITTEN) {
        this.pending.get(id)?.(null);
        this.pending.delete(id);
      }
    }
  }

  /**
   * Wait for every write, the writer thread stopping after the last; throws the first failure in the
   * order the writes were started.
   */
  async finish(): Promise<void> {
    const done: WritesDone = { kind: "done" };
    this.thread?.postMessage(done);
    try {
      await this.threadWritten();
      for (const failure of await Promise.all(this.results)) if (failure) throw failure;
    } finally {
      this.thread?.off("message", this.onMessage).off("exit", this.onStop).off("error", this.onStop);
    }
  }
}
