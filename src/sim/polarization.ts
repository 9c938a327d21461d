/**
 * Kahn polarization factor. Like the C, it normalises the incident and diffracted vectors it is given
 * in place (their later use sees the re-normalised values), so they travel in a scratch array:
 * [incident x y z, diffracted x y z].
 */

export function polarizationFactor(kahn: number, v: Float64Array, ax: number, ay: number, az: number): number {
  normalise(v, 0);
  normalise(v, 3);
  const ix = v[0];
  const iy = v[1];
  const iz = v[2];
  const dx = v[3];
  const dy = v[4];
  const dz = v[5];
  const cos2theta = ix * dx + iy * dy + iz * dz;
  const cos2thetaSqr = cos2theta * cos2theta;
  const sin2thetaSqr = 1 - cos2thetaSqr;
  let psi = 0;
  if (kahn !== 0.0) {
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
    const eOut = dx * ex + dy * ey + dz * ez;
    const bOut = dx * bx + dy * by + dz * bz;
    psi = -Math.atan2(bOut, eOut);
  }
  return 0.5 * (1.0 + cos2thetaSqr - kahn * Math.cos(2 * psi) * sin2thetaSqr);
}

function normalise(v: Float64Array, o: number): void {
  const len = Math.sqrt(v[o] * v[o] + v[o + 1] * v[o + 1] + v[o + 2] * v[o + 2]);
  if (len !== 0.0) {
    v[o] /= len;
    v[o + 1] /= len;
    v[o + 2] /= len;
  } else {
    v[o] = v[o + 1] = v[o + 2] = 0;
  }
}

/** Repeated normalisation until it no longer changes the vector (the C re-normalises at every call). */
export function stableUnit(x: number, y: number, z: number): [number, number, number] {
  const v = Float64Array.of(x, y, z);
  for (let i = 0; i < 8; i++) {
    const before = [v[0], v[1], v[2]];
    normalise(v, 0);
    if (v[0] === before[0] && v[1] === before[1] && v[2] === before[2]) break;
  }
  return [v[0], v[1], v[2]];
}
