/** The memories of the WebAssembly modules: grown to what a plan needs, or a message saying why not. */

import { describe, expect, it } from "vitest";
import { growTo } from "../../src/sim/wasm-memory.js";

describe("growTo", () => {
  it("grows a memory to whole pages holding the bytes asked for", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    growTo(memory, 3 * 65536 + 1, "a test plan");
    expect(memory.buffer.byteLength).toBe(4 * 65536);
    growTo(memory, 100, "a test plan");
    expect(memory.buffer.byteLength).toBe(4 * 65536);
  });

  it("names what does not fit in WebAssembly's 4 GiB", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(() => growTo(memory, 5 * 2 ** 30, "the plan (600000000 structure factors)")).toThrow(
      "the plan (600000000 structure factors) needs 5.0 GiB, more than the 4 GiB a WebAssembly memory holds",
    );
  });

  it("reports a memory that cannot grow", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    expect(() => growTo(memory, 3 * 65536, "a noise row of 100000 pixels")).toThrow(
      /^a noise row of 100000 pixels needs 0\.0 GiB of WebAssembly memory, which could not be had: /,
    );
  });
});
