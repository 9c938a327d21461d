/**
 * The part of the WebAssembly JavaScript API that kernel.ts uses: Node provides it, but the
 * TypeScript libraries declare it only with the DOM's.
 */

declare namespace WebAssembly {
  type ImportValue = Memory | ((...args: number[]) => unknown);
  type Imports = Record<string, Record<string, ImportValue>>;

  class Module {
    constructor(bytes: Uint8Array);
  }

  class Instance {
    constructor(module: Module, imports: Imports);
    readonly exports: Record<string, unknown>;
  }

  function compile(bytes: Uint8Array): Promise<Module>;

  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
