/**
 * Two sines at once on a 128-bit vector, for the kernel's two-pixel path: the operations of
 * AssemblyScript's Math.sin (musl's algorithm) on both lanes, so that each lane has the bits Math.sin
 * gives it. The vector path covers the usual arguments, 3 pi/4 <= |x| < 2^20 pi/2 reduced in one
 * Cody-Waite step, and evaluates only the polynomials the lanes' quadrants need (sine, cosine, or
 * both); a pair with a lane outside it (small or huge arguments, or a reduction that cancels and
 * needs more steps) goes to Math.sin lane by lane. tests/sim/sin2.test.ts holds it to Math.sin.
 */

const PIO2_1: f64 = reinterpret<f64>(0x3ff921fb54400000);
const PIO2_1T: f64 = reinterpret<f64>(0x3dd0b4611a626331);
const INVPIO2: f64 = reinterpret<f64>(0x3fe45f306dc9c883);
const S1: f64 = reinterpret<f64>(0xbfc5555555555549);
const S2: f64 = reinterpret<f64>(0x3f8111111110f8a6);
const S3: f64 = reinterpret<f64>(0xbf2a01a019c161d5);
const S4: f64 = reinterpret<f64>(0x3ec71de357b1fe7d);
const S5: f64 = reinterpret<f64>(0xbe5ae5e68a2b9ceb);
const S6: f64 = reinterpret<f64>(0x3de5d93a5acfd57c);
const C1: f64 = reinterpret<f64>(0x3fa555555555554c);
const C2: f64 = reinterpret<f64>(0xbf56c16c16c15177);
const C3: f64 = reinterpret<f64>(0x3efa01a019cb1590);
const C4: f64 = reinterpret<f64>(0xbe927e4f809c52ad);
const C5: f64 = reinterpret<f64>(0x3e21ee9ebdb4b1c4);
const C6: f64 = reinterpret<f64>(0xbda8fae9be8838d4);

@inline
function highWord(x: f64): u32 {
  return <u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff;
}

@inline
function splat(x: f64): v128 {
  return f64x2.splat(x);
}

/** sin of each lane of x. */
export function sin2(x: v128): v128 {
  const a = f64x2.extract_lane(x, 0);
  const b = f64x2.extract_lane(x, 1);
  const ha = highWord(a);
  const hb = highWord(b);
  if (ha >= 0x4002d97c && hb >= 0x4002d97c && ha < 0x413921fb && hb < 0x413921fb) {
    // musl's __rem_pio2, medium case: x - q pi/2 = y0 + y1
    const q = f64x2.nearest(f64x2.mul(x, splat(INVPIO2)));
    const r = f64x2.sub(x, f64x2.mul(q, splat(PIO2_1)));
    const w = f64x2.mul(q, splat(PIO2_1T));
    const y0 = f64x2.sub(r, w);
    // a second reduction step is needed where the first cancelled more than 16 bits
    const ca = <i32>(ha >> 20) - <i32>((highWord(f64x2.extract_lane(y0, 0)) >> 20) & 0x7ff);
    const cb = <i32>(hb >> 20) - <i32>((highWord(f64x2.extract_lane(y0, 1)) >> 20) & 0x7ff);
    if (ca <= 16 && cb <= 16) {
      const y1 = f64x2.sub(f64x2.sub(r, y0), w);
      // quadrant: cos for odd q, negated for q & 2; a polynomial only where a lane needs it
      const n = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(q));
      const odd = i64x2.ne(v128.and(n, i64x2.splat(1)), i64x2.splat(0));
      const negative = i64x2.ne(v128.and(n, i64x2.splat(2)), i64x2.splat(0));
      let value: v128;
      if (i64x2.all_true(odd)) value = cosKernel(y0, y1);
      else if (!v128.any_true(odd)) value = sinKernel(y0, y1);
      else value = v128.bitselect(cosKernel(y0, y1), sinKernel(y0, y1), odd);
      return v128.bitselect(f64x2.neg(value), value, negative);
    }
  }
  return f64x2(Math.sin(a), Math.sin(b));
}

/** musl's __sin(y0, y1, 1) on both lanes. */
@inline
function sinKernel(y0: v128, y1: v128): v128 {
  const z = f64x2.mul(y0, y0);
  const zz = f64x2.mul(z, z);
  const rs = f64x2.add(
    f64x2.add(splat(S2), f64x2.mul(z, f64x2.add(splat(S3), f64x2.mul(z, splat(S4))))),
    f64x2.mul(f64x2.mul(z, zz), f64x2.add(splat(S5), f64x2.mul(z, splat(S6)))),
  );
  const v = f64x2.mul(z, y0);
  return f64x2.sub(
    y0,
    f64x2.sub(
      f64x2.sub(f64x2.mul(z, f64x2.sub(f64x2.mul(splat(0.5), y1), f64x2.mul(v, rs))), y1),
      f64x2.mul(v, splat(S1)),
    ),
  );
}

/** musl's __cos(y0, y1) on both lanes. */
@inline
function cosKernel(y0: v128, y1: v128): v128 {
  const z = f64x2.mul(y0, y0);
  const zz = f64x2.mul(z, z);
  const rc = f64x2.add(
    f64x2.mul(z, f64x2.add(splat(C1), f64x2.mul(z, f64x2.add(splat(C2), f64x2.mul(z, splat(C3)))))),
    f64x2.mul(f64x2.mul(zz, zz), f64x2.add(splat(C4), f64x2.mul(z, f64x2.add(splat(C5), f64x2.mul(z, splat(C6)))))),
  );
  const hz = f64x2.mul(splat(0.5), z);
  const wc = f64x2.sub(splat(1.0), hz);
  return f64x2.add(
    wc,
    f64x2.add(f64x2.sub(f64x2.sub(splat(1.0), wc), hz), f64x2.sub(f64x2.mul(z, rc), f64x2.mul(y0, y1))),
  );
}
