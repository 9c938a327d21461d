/**
 * Compiling an AssemblyScript module to WebAssembly with the options of the project's modules: -O3,
 * the stub runtime, no assertions, SIMD, no abort import. Used by the build (build-wasm.mjs) and by
 * the tests that compile checks against the modules.
 */

import asc from "assemblyscript/asc";

/** The WebAssembly bytes of `source`; with `importMemory`, over a memory its host gives it. */
export async function compileAssemblyScript(source, { importMemory = false } = {}) {
  let binary = null;
  const { error, stderr } = await asc.main(
    [
      source,
      ...["-O3", "--runtime", "stub", "--noAssert", "--enable", "simd", "--use", "abort="],
      ...(importMemory ? ["--importMemory"] : []),
      ...["-o", "module.wasm"],
    ],
    {
      writeFile(file, contents) {
        if (file.endsWith(".wasm")) binary = contents;
      },
    },
  );
  if (error || !binary) {
    process.stderr.write(stderr.toString());
    throw error ?? new Error(`${source}: no WebAssembly output`);
  }
  return binary;
}
