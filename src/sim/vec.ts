/**
 * 3-vector helpers for set-up code. Each one evaluates its arithmetic in the same order as the C
 * helper of the same name, so that set-up numbers are bit-identical to the reference.
 */

export type Vec3 = readonly [number, number, number];

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function cross(x: Vec3, y: Vec3): Vec3 {
  return [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]];
}

export function magnitude(v: Vec3): number {
  return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

/** Unit vector and the original length; a zero vector stays zero. */
export function unitize(v: Vec3): { unit: Vec3; length: number } {
  const length = magnitude(v);
  if (length === 0) return { unit: [0, 0, 0], length };
  return { unit: [v[0] / length, v[1] / length, v[2] / length], length };
}

export function unit(v: Vec3): Vec3 {
  return unitize(v).unit;
}

export function scale(v: Vec3, s: number): Vec3 {
  return [s * v[0], s * v[1], s * v[2]];
}

/** C `vector_rescale`: same direction, given length (a zero vector is scaled as if of length 1). */
export function rescale(v: Vec3, length: number): Vec3 {
  let old = magnitude(v);
  if (old <= 0) old = 1;
  return [(length / old) * v[0], (length / old) * v[1], (length / old) * v[2]];
}

/** Rotation about lab x, then y, then z (right-handed); a zero angle skips its factor. */
export function rotateXYZ(v: Vec3, phix: number, phiy: number, phiz: number): Vec3 {
  let [x, y, z] = v;
  if (phix !== 0) {
    const ryy = Math.cos(phix);
    const ryz = -Math.sin(phix);
    const rzy = Math.sin(phix);
    const rzz = Math.cos(phix);
    const ny = y * ryy + z * ryz;
    const nz = y * rzy + z * rzz;
    y = ny;
    z = nz;
  }
  if (phiy !== 0) {
    const rxx = Math.cos(phiy);
    const rxy = 0;
    const rxz = Math.sin(phiy);
    const rzx = -Math.sin(phiy);
    const rzy = 0;
    const rzz = Math.cos(phiy);
    const nx = x * rxx + y * rxy + z * rxz;
    const nz = x * rzx + y * rzy + z * rzz;
    x = nx;
    z = nz;
  }
  if (phiz !== 0) {
    const rxx = Math.cos(phiz);
    const rxy = -Math.sin(phiz);
    const ryx = Math.sin(phiz);
    const ryy = Math.cos(phiz);
    const nx = x * rxx + y * rxy;
    const ny = x * ryx + y * ryy;
    x = nx;
    y = ny;
  }
  return [x, y, z];
}

/** Rodrigues rotation of v about the unit vector `axis` by `phi` (right-handed). */
export function rotateAxis(v: Vec3, axis: Vec3, phi: number): Vec3 {
  const sinphi = Math.sin(phi);
  const cosphi = Math.cos(phi);
  const d = (axis[0] * v[0] + axis[1] * v[1] + axis[2] * v[2]) * (1.0 - cosphi);
  return [
    axis[0] * d + v[0] * cosphi + (-axis[2] * v[1] + axis[1] * v[2]) * sinphi,
    axis[1] * d + v[1] * cosphi + (+axis[2] * v[0] - axis[0] * v[2]) * sinphi,
    axis[2] * d + v[2] * cosphi + (-axis[1] * v[0] + axis[0] * v[1]) * sinphi,
  ];
}

/** Row-major 3x3 matrix times vector. */
export function rotateUmat(v: Vec3, u: ArrayLike<number>): Vec3 {
  return [
    u[0] * v[0] + u[1] * v[1] + u[2] * v[2],
    u[3] * v[0] + u[4] * v[1] + u[5] * v[2],
    u[6] * v[0] + u[7] * v[1] + u[8] * v[2],
  ];
}
