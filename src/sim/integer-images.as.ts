/**
 * The pixel conversions of the SMV and PGM images in AssemblyScript, compiled to WebAssembly by the
 * build (scripts/build-wasm.mjs); integer-images.ts drives them a row at a time. Each runs once per
 * image over every pixel, so that in JavaScript it ran mostly unoptimised (9 ms of a 1024x1024 run's
 * 130 for the SMV image); here it is compiled code from the first pixel.
 */

/** Where the module's own data ends: integer-images.ts places its row buffers from here. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * SMV counts of the `count` float32 values at `values` into the u16 at `out`: value * scale + adc,
 * clipped to 0..65535, rounded as the C's floorf(v + 0.5) (the sum rounded to float first). Where the
 * u16 at `mask` is 0 (no mask when `mask` is 0) the count is 0. Four pixels at a time where there is
 * no mask, each lane with the one-pixel operations.
 */
export function intRow(values: usize, mask: usize, out: usize, count: i32, scale: f64, adc: f64): void {
  let i = 0;
  if (mask === 0) {
    const s = f64x2.splat(scale);
    const a = f64x2.splat(adc);
    for (; i + 4 <= count; i += 4) {
      const x = v128.load(values + ((<usize>i) << 2));
      const low = countsOf(f64x2.promote_low_f32x4(x), s, a);
      const high = countsOf(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)), s, a);
      const rounded = f32x4.floor(i32x4.shuffle(low, high, 0, 1, 4, 5));
      // a NaN converts to 0, as JavaScript stores it into a Uint16Array
      const counts = i32x4.trunc_sat_f32x4_s(rounded);
      v128.store64_lane(out + ((<usize>i) << 1), i16x8.narrow_i32x4_u(counts, counts), 0);
    }
  }
  for (; i < count; i++) {
    const at = out + ((<usize>i) << 1);
    if (mask !== 0 && load<u16>(mask + ((<usize>i) << 1)) === 0) {
      store<u16>(at, 0);
      continue;
    }
    let v = <f64>load<f32>(values + ((<usize>i) << 2)) * scale + adc;
    if (v > 65535.0) v = 65535.0;
    if (v < 0.0) v = 0.0;
    store<u16>(at, <u16>(<i32>Mathf.floor(<f32>(v + 0.5))));
  }
}

/** Two lanes of intRow up to the float sum v + 0.5, in the low half of the result. */
@inline
function countsOf(values: v128, scale: v128, adc: v128): v128 {
  // pmin and pmax are the scalar comparisons: NaN and -0 pass through
  const v = f64x2.pmax(f64x2.pmin(f64x2.add(f64x2.mul(values, scale), adc), f64x2.splat(65535.0)), f64x2.splat(0.0));
  return f32x4.demote_f64x2_zero(f64x2.add(v, f64x2.splat(0.5)));
}

/**
 * PGM bytes of the `count` float32 values at `values` into the bytes at `out`: value * scale, clipped
 * at 255, truncated towards 0 and kept to its low 8 bits. Four pixels at a time where all four fit a
 * 32-bit integer.
 */
export function pgmRow(values: usize, out: usize, count: i32, scale: f64): void {
  const s = f64x2.splat(scale);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const x = v128.load(values + ((<usize>i) << 2));
    const low = f64x2.pmin(f64x2.mul(f64x2.promote_low_f32x4(x), s), f64x2.splat(255.0));
    const high = f64x2.pmin(f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)), s), f64x2.splat(255.0));
    const least = f64x2.splat(-2147483648.0);
    if (v128.any_true(v128.or(f64x2.lt(low, least), f64x2.lt(high, least)))) break;
    const whole = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(low), i32x4.trunc_sat_f64x2_s_zero(high), 0, 1, 4, 5);
    const bytes = i8x16.shuffle(whole, whole, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
    v128.store32_lane(out + <usize>i, bytes, 0);
  }
  for (; i < count; i++) {
    let v = <f64>load<f32>(values + ((<usize>i) << 2)) * scale;
    if (v > 255.0) v = 255.0;
    store<u8>(out + <usize>i, <u8>(<i64>v));
  }
}
