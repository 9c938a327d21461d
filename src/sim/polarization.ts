/**
 * The normalisations of the polarization factor (computed by the kernel, kernel.as.ts): the C
 * normalises the incident and diffracted vectors it is given in place, and their later use sees the
 * re-normalised values, so the plan holds the incident vectors already re-normalised.
 */

function normalise(v: Float64Array): void {
  const len = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (len !== 0.0) {
    v[0] /= len;
    v[1] /= len;
    v[2] /= len;
  } else {
    v[0] = v[1] = v[2] = 0;
  }
}

/** One more normalisation of a vector, as the C applies to its vectors at every polarization call. */
export function unitAgain(x: number, y: number, z: number): [number, number, number] {
  const v = Float64Array.of(x, y, z);
  normalise(v);
  return [v[0], v[1], v[2]];
}

/** Repeated normalisation until it no longer changes the vector (the C re-normalises at every call). */
export function stableUnit(x: number, y: number, z: number): [number, number, number] {
  let v: [number, number, number] = [x, y, z];
  for (let i = 0; i < 8; i++) {
    const next = unitAgain(...v);
    if (next[0] === v[0] && next[1] === v[1] && next[2] === v[2]) break;
    v = next;
  }
  return v;
}
