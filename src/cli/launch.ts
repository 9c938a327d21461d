/**
 * The simulator's entry point (bin/nanoBragg runs it): runs the bundle nanoBragg.cjs beside it from
 * V8's code cache, written next to the bundle by the build (scripts/build-code-cache.mjs) after a
 * typical run, so that a run starts with the bytecode of every function such a run calls instead of
 * compiling each on its first call (about 6 ms, a tenth of a small run). The cache records the
 * bundle's size and modification time; a cache of another build, or one V8 refuses (another Node
 * version or flags), is ignored and the bundle compiled as usual.
 *
 * With NANOBRAGG_WRITE_CODE_CACHE set, the run writes the cache when it exits (what the build does).
 */

import { readFileSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, Script } from "node:vm";

const bundle = join(dirname(fileURLToPath(import.meta.url)), "nanoBragg.cjs");
const cacheFile = `${bundle}.codecache`;

/** The line that ties a cache to one build of the bundle. */
function stamp(): string {
  const { size, mtimeMs } = statSync(bundle);
  return `nanoBragg.cjs ${size} ${mtimeMs}\n`;
}

/** The cached bytecode, where the cache belongs to this bundle. */
function readCache(expected: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const head = Buffer.byteLength(expected);
  return bytes.toString("latin1", 0, head) === expected ? bytes.subarray(head) : undefined;
}

const writing = process.env.NANOBRAGG_WRITE_CODE_CACHE !== undefined;
const expected = stamp();
// the bundle starts with a #! line, valid only at the very start of a script: keep the line count
const source = readFileSync(bundle, "utf8").replace(/^#!.*/, "");
const script = new Script(Module.wrap(source), {
  filename: bundle,
  cachedData: writing ? undefined : readCache(expected),
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (writing) {
  process.on("exit", () => {
    writeFileSync(cacheFile, Buffer.concat([Buffer.from(expected, "latin1"), script.createCachedData()]));
  });
}
const module = { exports: {} };
const wrapper = script.runInThisContext() as (
  exports: object,
  require: NodeJS.Require,
  module: object,
  filename: string,
  dirname: string,
) => void;
wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
