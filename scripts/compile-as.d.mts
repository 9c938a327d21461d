/** Types of compile-as.mjs, for the tests that import it. */
export function compileAssemblyScript(
  source: string,
  options?: { importMemory?: boolean },
): Promise<Uint8Array>;
