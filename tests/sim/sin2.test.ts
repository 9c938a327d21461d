/**
 * The two-pixel kernel path's sine (sin2.as.ts) gives each lane the bits of Math.sin, which the
 * one-pixel path uses: 2 million argument pairs of every kind, compiled as the build compiles the
 * kernel.
 */

import asc from "assemblyscript/asc";
import { describe, expect, it } from "vitest";

async function compileCheck(): Promise<{ mismatches(pairs: number): number }> {
  let binary: Uint8Array | null = null;
  const { error, stderr } = await asc.main(
    [
      "tests/support/sin2-check.as.ts",
      ...[
        "-O3",
        "--runtime",
        "stub",
        "--noAssert",
        "--enable",
        "simd",
        "--use",
        "abort=",
        "-o",
        "check.wasm",
      ],
    ],
    {
      writeFile(file: string, contents: string | Uint8Array) {
        if (file.endsWith(".wasm") && typeof contents !== "string") binary = contents;
      },
    },
  );
  if (error || !binary) throw new Error(`${error ?? "no WebAssembly output"}\n${stderr.toString()}`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), {});
  return instance.exports as unknown as { mismatches(pairs: number): number };
}

describe("two-lane sine", () => {
  it("matches Math.sin bit for bit on 2 million argument pairs", async () => {
    const check = await compileCheck();
    expect(check.mismatches(1_000_000)).toBe(0);
  }, 60_000);
});
