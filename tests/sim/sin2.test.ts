/**
 * The two-pixel kernel path's sine (sin2.as.ts) gives each lane the bits of Math.sin, which the
 * one-pixel path uses: 2 million argument pairs of every kind, compiled as the build compiles the
 * kernel.
 */

import { describe, expect, it } from "vitest";
import { compileAssemblyScript } from "../../scripts/compile-as.mjs";

async function compileCheck(): Promise<{ mismatches(pairs: number): number }> {
  const binary = await compileAssemblyScript("tests/support/sin2-check.as.ts");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), {});
  return instance.exports as unknown as { mismatches(pairs: number): number };
}

describe("two-lane sine", () => {
  it("matches Math.sin bit for bit on 2 million argument pairs", async () => {
    const check = await compileCheck();
    expect(check.mismatches(1_000_000)).toBe(0);
  }, 60_000);
});
