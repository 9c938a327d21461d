/**
 * Kahn polarization factor. The C normalises the incident and diffracted vectors it is given in
 * place, and their later use sees the re-normalised values: the caller passes the incident vector
 * already re-normalised (see `unitAgain`) and the diffracted vector in `d`, normalised here.
 */

export function polarizationFactor(
  kahn: number,
  ix: number,
  iy: number,
  iz: number,
  d: Float64Array,
  ax: number,
  ay: number,
  az: number,
): number {
  normalise(d);
  const dx = d[0];
  const dy = d[1];
  const dz = d[2];
  const cos2theta = ix * dx + iy * dy + iz * dz;
  const cos2thetaSqr = cos2theta * cos2theta;
  const sin2thetaSqr = 1 - cos2thetaSqr;
  // without a Kahn factor psi is 0 and the last term is exactly 0
  if (kahn === 0.0) return 0.5 * (1.0 + cos2thetaSqr);
  // B = unit(axis x incident), E = unit(incident x B); a zero vector stays zero
  let bx = ay * iz - az * iy;
  let by = az * ix - ax * iz;
  let bz = ax * iy - ay * ix;
  const bLen = Math.sqrt(bx * bx + by * by + bz * bz);
  if (bLen !== 0) {
    bx /= bLen;
    by /= bLen;
    bz /= bLen;
  }
  let ex = iy * bz - iz * by;
  let ey = iz * bx - ix * bz;
  let ez = ix * by - iy * bx;
  const eLen = Math.sqrt(ex * ex + ey * ey + ez * ez);
  if (eLen !== 0) {
    ex /= eLen;
    ey /= eLen;
    ez /= eLen;
  }
  const psi = -Math.atan2(dx * bx + dy * by + dz * bz, dx * ex + dy * ey + dz * ez);
  return 0.5 * (1.0 + cos2thetaSqr - kahn * Math.cos(2 * psi) * sin2thetaSqr);
}

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
