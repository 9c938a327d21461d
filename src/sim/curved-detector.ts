/**
 * The curved detector's pixel position (-curved_det): every pixel at `distance` from the sample, the
 * beam spot rotated about s by y/distance, then about f by z/distance, in the C's operation order.
 */

/**
 * Writes the position into `out` (no allocation: the pixel kernel calls this for every subpixel).
 * `det` holds pix0, fdet, sdet, odet and beam, 3 numbers each.
 */
export function curvedPosition(
  det: Float64Array,
  distance: number,
  py: number,
  pz: number,
  out: Float64Array,
): void {
  const fx = det[3];
  const fy = det[4];
  const fz = det[5];
  const sx = det[6];
  const sy = det[7];
  const sz = det[8];
  const vx = distance * det[12];
  const vy = distance * det[13];
  const vz = distance * det[14];
  const a2 = pz / distance;
  let sin = Math.sin(py / distance);
  let cos = Math.cos(py / distance);
  let d = (sx * vx + sy * vy + sz * vz) * (1.0 - cos);
  const nx = sx * d + vx * cos + (-sz * vy + sy * vz) * sin;
  const ny = sy * d + vy * cos + (+sz * vx - sx * vz) * sin;
  const nz = sz * d + vz * cos + (-sy * vx + sx * vy) * sin;
  sin = Math.sin(a2);
  cos = Math.cos(a2);
  d = (fx * nx + fy * ny + fz * nz) * (1.0 - cos);
  out[0] = fx * d + nx * cos + (-fz * ny + fy * nz) * sin;
  out[1] = fy * d + ny * cos + (+fz * nx - fx * nz) * sin;
  out[2] = fz * d + nz * cos + (-fy * nx + fx * ny) * sin;
}
