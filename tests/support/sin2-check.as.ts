/**
 * Holds the kernel's two-lane sine (src/sim/sin2.as.ts) to AssemblyScript's Math.sin, whose bits the
 * one-pixel kernel gets: arguments of every kind, each pair of kinds in the two lanes. Compiled and
 * run by tests/sim/sin2.test.ts.
 */

import { sin2 } from "../../src/sim/sin2.as";

let state: u64 = 88172645463325252;

function uniform(): f64 {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return <f64>(state >> 11) / 9007199254740992.0;
}

/** An argument of kind 0..4: small, any magnitude, near a multiple of pi/4, near pi/2, large. */
function argument(kind: i32): f64 {
  const sign: f64 = uniform() < 0.5 ? -1.0 : 1.0;
  if (kind === 0) return (uniform() * 2.0 - 1.0) * 4.0;
  if (kind === 1) return sign * Math.pow(2.0, uniform() * 51.0 - 30.0);
  if (kind === 2) {
    const k = <f64>(<i32>(uniform() * 16.0));
    return sign * ((k * Math.PI) / 4.0 + (uniform() * 2.0 - 1.0) * Math.pow(2.0, -uniform() * 40.0));
  }
  if (kind === 3) return sign * (Math.PI / 2.0 + (uniform() * 2.0 - 1.0) * 1e-4);
  return (uniform() * 2.0 - 1.0) * 2e6;
}

/** Lanes of `pairs` argument pairs where sin2 differs from Math.sin in any bit. */
export function mismatches(pairs: i32): i32 {
  let bad = 0;
  for (let i = 0; i < pairs; i++) {
    const a = argument(i % 5);
    const b = argument((i / 5) % 5);
    const v = sin2(f64x2(a, b));
    if (reinterpret<u64>(f64x2.extract_lane(v, 0)) !== reinterpret<u64>(Math.sin(a))) bad++;
    if (reinterpret<u64>(f64x2.extract_lane(v, 1)) !== reinterpret<u64>(Math.sin(b))) bad++;
  }
  return bad;
}
