/**
 * -printout / -printout_pixel: the C's per-pixel console dump (the last values each quantity held when
 * the pixel was finished: scattering angle, position, Miller indices, structure and lattice factors,
 * intensity, the scaling factors and the last rotated cell).
 */

import { cprintf } from "../util/cformat.js";
import type { PixelTracer } from "./kernel.js";

export class PrintoutRecorder implements PixelTracer {
  private stol = 0;
  private pos = [0, 0, 0];
  private hkl = [0, 0, 0];
  private hkl0 = [0, 0, 0];
  private cell = new Float64Array(9);
  private fLatt = 0;
  private fCell = 0;
  private I = 0;
  private polar = 0;
  private omega = 0;
  private capture = 0;

  constructor(
    private readonly lambda0: number,
    private readonly steps: number,
  ) {}

  source(
    _source: number,
    px: number,
    py: number,
    pz: number,
    _airpath: number,
    _omega: number,
    _dx: number,
    _dy: number,
    _dz: number,
    _ix: number,
    _iy: number,
    _iz: number,
    _lambda: number,
    _qx: number,
    _qy: number,
    _qz: number,
    stol: number,
  ): void {
    this.pos = [px, py, pz];
    this.stol = stol;
  }

  indices(
    _s: number,
    _t: number,
    _m: number,
    cell: Float64Array,
    o: number,
    h: number,
    k: number,
    l: number,
    h0: number,
    k0: number,
    l0: number,
  ): void {
    this.cell.set(cell.subarray(o, o + 9));
    this.hkl = [h, k, l];
    this.hkl0 = [h0, k0, l0];
  }

  lattice(
    _s: number,
    _t: number,
    _m: number,
    _phi: number,
    _k: number,
    _a: number,
    _b: number,
    _c: number,
    fLatt: number,
  ): void {
    this.fLatt = fLatt;
  }

  structureFactor(_s: number, _t: number, _m: number, fCell: number): void {
    this.fCell = fCell;
  }

  final(I: number, capture: number, polar: number, omega: number): void {
    this.I = I;
    this.capture = capture;
    this.polar = polar;
    this.omega = omega;
  }

  /** The C's lines for the pixel just rendered, whose stored float value is `pixel`. */
  lines(fpixel: number, spixel: number, pixel: number): string[] {
    const [px, py, pz] = this.pos;
    const twotheta = Math.atan2(Math.sqrt(py * py + pz * pz), px);
    const stolFromAngle = Math.sin(twotheta / 2.0) / (this.lambda0 * 1e10);
    const c = this.cell;
    return [
      cprintf("%4d %4d : stol = %g or %g", fpixel, spixel, this.stol, stolFromAngle),
      cprintf("at %g %g %g", px, py, pz),
      cprintf("hkl= %f %f %f  hkl0= %d %d %d", ...this.hkl, ...this.hkl0),
      cprintf(" F_cell=%g  F_latt=%g   I = %g", this.fCell, this.fLatt, this.I),
      cprintf("I/steps %15.10g", this.I / this.steps),
      cprintf("polar   %15.10g", this.polar),
      cprintf("omega   %15.10g", this.omega),
      cprintf("capfrac %15.10g", this.capture),
      cprintf("pixel   %15.10g", pixel),
      "real-space cell vectors (Angstrom):",
      cprintf("     %-10s  %-10s  %-10s", "a", "b", "c"),
      cprintf("X: %11.8f %11.8f %11.8f", c[0] * 1e10, c[3] * 1e10, c[6] * 1e10),
      cprintf("Y: %11.8f %11.8f %11.8f", c[1] * 1e10, c[4] * 1e10, c[7] * 1e10),
      cprintf("Z: %11.8f %11.8f %11.8f", c[2] * 1e10, c[5] * 1e10, c[8] * 1e10),
    ];
  }
}
