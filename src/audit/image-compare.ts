/**
 * Comparison of a port's float image with a reference image: the parity numbers of every loop
 * (maximum error relative to the reference maximum, sum ratio, bitwise-identical fraction).
 */

export interface ImageParity {
  /** max |port - ref| / max |ref| */
  relativeError: number;
  /** sum(port) / sum(ref) */
  sumRatio: number;
  /** Fraction of pixels whose float32 bits are identical. */
  bitwiseFraction: number;
  pixels: number;
}

export function compareImages(port: Float32Array, ref: Float32Array): ImageParity {
  if (port.length !== ref.length) {
    throw new Error(`image sizes differ: ${port.length} and ${ref.length} pixels`);
  }
  const portBits = new Uint32Array(port.buffer, port.byteOffset, port.length);
  const refBits = new Uint32Array(ref.buffer, ref.byteOffset, ref.length);
  let maxDiff = 0;
  let maxRef = 0;
  let sumPort = 0;
  let sumRef = 0;
  let same = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(port[i] - ref[i]);
    if (d > maxDiff) maxDiff = d;
    if (Math.abs(ref[i]) > maxRef) maxRef = Math.abs(ref[i]);
    sumPort += port[i];
    sumRef += ref[i];
    if (portBits[i] === refBits[i]) same++;
  }
  return {
    relativeError: maxRef > 0 ? maxDiff / maxRef : maxDiff,
    sumRatio: sumRef !== 0 ? sumPort / sumRef : sumPort === 0 ? 1 : Number.POSITIVE_INFINITY,
    bitwiseFraction: ref.length > 0 ? same / ref.length : 1,
    pixels: ref.length,
  };
}
