/**
 * Output files written in the background, on libuv's thread pool, so that the main thread goes on
 * making the next image while the last one reaches the disk. Writes to one path keep their order (the
 * last one wins, as in the C); an error names the option and the file.
 */

import { writeFile } from "node:fs/promises";
import { InputError } from "../util/input-error.js";
import { describeFsError } from "./text-lines.js";

export class BackgroundWrites {
  private readonly results: Promise<InputError | null>[] = [];
  private readonly lastByPath = new Map<string, Promise<unknown>>();

  /** Start writing `chunks`, one after another, as the file `path` of option `flag`. */
  write(path: string, flag: string, chunks: readonly Uint8Array[]): void {
    const previous = this.lastByPath.get(path) ?? Promise.resolve();
    const result = previous
      .then(() => writeFile(path, chunks))
      .then(
        () => null,
        (error: unknown) => new InputError(`${flag} ${path}: ${describeFsError(error)}`),
      );
    this.lastByPath.set(path, result);
    this.results.push(result);
  }

  /** Wait for every write; throws the first failure in the order the writes were started. */
  async finish(): Promise<void> {
    for (const failure of await Promise.all(this.results)) if (failure) throw failure;
  }
}
