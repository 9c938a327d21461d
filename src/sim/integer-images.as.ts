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
 * u16 at `mask` is 0 (no mask when `mask` is 0) the count is 0.
 */
export function intRow(values: usize, mask: usize, out: usize, count: i32, scale: f64, adc: f64): void {
  for (let i = 0; i < count; i++) {
    const at = out + ((<usize>i) << 1);
    if (mask !== 0 && load<u16>(mask + ((<usize>i) << 1)) === 0) {
      store<u16>(at, 0);
      continue;
    }
    let v = <f64>load<f32>(values + ((<usize>i) << 2)) * scale + adc;
    if (v > 65535.0) v = 65535.0;
    if (v < 0.0) v = 0.0;
    // a NaN converts to 0, as JavaScript stores it into a Uint16Array
    store<u16>(at, <u16>(<i32>Mathf.floor(<f32>(v + 0.5))));
  }
}

/**
 * PGM bytes of the `count` float32 values at `values` into the bytes at `out`: value * scale, clipped
 * at 255, truncated towards 0 and kept to its low 8 bits.
 */
export function pgmRow(values: usize, out: usize, count: i32, scale: f64): void {
  for (let i = 0; i < count; i++) {
    let v = <f64>load<f32>(values + ((<usize>i) << 2)) * scale;
    if (v > 255.0) v = 255.0;
    store<u8>(out + <usize>i, <u8>(<i64>v));
  }
}
