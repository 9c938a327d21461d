/**
 * Pixel trace (-trace_pixel s f): the traced pixel's intermediate values as `TRACE_TS: key values`
 * lines, with the C reference's keys in the C's order (geometry per subpixel and layer, crystal for
 * source 0 / phi step 0 / domain 0, one TRACE_TS_PHI line per phi step, the scaling chain last), so
 * that a TS trace and a C trace can be set side by side line by line. Numbers use %.15g.
 */

import { cprintf, g15 } from "../util/cformat.js";
import type { PixelTracer } from "./kernel.js";
import { R_E_SQR } from "./setup.js";

const RTD = 180.0 * (1 / Math.PI);

export class TraceRecorder implements PixelTracer {
  readonly lines: string[] = [];

  constructor(
    private readonly plan: {
      detector: Float64Array;
      closeDistance: number;
      reciprocal: Float64Array;
      fluence: number;
      steps: number;
      oversampleThick: boolean;
      oversamplePolar: boolean;
      oversampleOmega: boolean;
    },
    private readonly prefix = "TRACE_TS",
  ) {}

  private put(key: string, ...values: number[]): void {
    this.lines.push(`${this.prefix}: ${key} ${values.map(g15).join(" ")}`);
  }

  source(
    source: number,
    px: number,
    py: number,
    pz: number,
    airpath: number,
    omega: number,
    dx: number,
    dy: number,
    dz: number,
    ix: number,
    iy: number,
    iz: number,
    lambda: number,
    qx: number,
    qy: number,
    qz: number,
  ): void {
    if (source !== 0) return;
    const d = this.plan.detector;
    this.put("pix0_vector_meters", d[0], d[1], d[2]);
    this.put("fdet_vec", d[3], d[4], d[5]);
    this.put("sdet_vec", d[6], d[7], d[8]);
    this.put("pixel_pos_meters", px, py, pz);
    this.put("R_distance_meters", airpath);
    this.put("omega_pixel_sr", omega);
    this.put("close_distance_meters", this.plan.closeDistance);
    this.put("obliquity_factor", this.plan.closeDistance / airpath);
    this.put("diffracted_vec", dx, dy, dz);
    this.put("incident_vec", ix, iy, iz);
    this.put("lambda_meters", lambda);
    this.put("lambda_angstroms", lambda * 1e10);
    this.put("scattering_vec_A_inv", qx, qy, qz);
  }

  indices(
    source: number,
    phiTic: number,
    mos: number,
    cell: Float64Array,
    o: number,
    h: number,
    k: number,
    l: number,
    h0: number,
    k0: number,
    l0: number,
  ): void {
    if (source !== 0 || phiTic !== 0 || mos !== 0) return;
    const r = this.plan.reciprocal;
    this.put("rot_a_angstroms", cell[o] * 1e10, cell[o + 1] * 1e10, cell[o + 2] * 1e10);
    this.put("rot_b_angstroms", cell[o + 3] * 1e10, cell[o + 4] * 1e10, cell[o + 5] * 1e10);
    this.put("rot_c_angstroms", cell[o + 6] * 1e10, cell[o + 7] * 1e10, cell[o + 8] * 1e10);
    this.put("rot_a_star_A_inv", r[0], r[1], r[2]);
    this.put("rot_b_star_A_inv", r[3], r[4], r[5]);
    this.put("rot_c_star_A_inv", r[6], r[7], r[8]);
    this.put("hkl_frac", h, k, l);
    this.lines.push(`${this.prefix}: hkl_rounded ${cprintf("%d %d %d", h0, k0, l0)}`);
  }

  /** The C traces the lattice factor of the parallelepiped shape only. */
  lattice(
    source: number,
    phiTic: number,
    mos: number,
    phi: number,
    k: number,
    fa: number,
    fb: number,
    fc: number,
    fLatt: number,
  ): void {
    if (source !== 0 || mos !== 0 || Number.isNaN(fa)) return;
    if (phiTic === 0) {
      this.put("F_latt_a", fa);
      this.put("F_latt_b", fb);
      this.put("F_latt_c", fc);
      this.put("F_latt", fLatt);
    }
    this.lines.push(
      `${this.prefix}_PHI phi_tic=${phiTic} phi_deg=${g15(phi * RTD)} k_frac=${g15(k)} F_latt_b=${g15(fb)} F_latt=${g15(fLatt)}`,
    );
  }

  structureFactor(
    source: number,
    phiTic: number,
    mos: number,
    fCell: number,
    fLatt: number,
    polar: number,
    cos2theta: number,
    lambda: number,
  ): void {
    if (phiTic !== 0 || mos !== 0) return;
    if (source === 0) this.put("F_cell", fCell);
    if (source !== 2) return;
    const tag = `${this.prefix}_SOURCE2`;
    const put = (key: string, value: string) => this.lines.push(`${tag}: ${key} ${value}`);
    put("F_cell", g15(fCell));
    put("F_latt", g15(fLatt));
    put("F_cell_squared", g15(fCell * fCell));
    put("F_latt_squared", g15(fLatt * fLatt));
    put("I_contribution", g15(fCell * fCell * fLatt * fLatt));
    put("polar", g15(polar));
    put("cos2theta", g15(cos2theta));
    put("lambda_angstroms", g15(lambda * 1e10));
    put("source_index", "2");
  }

  final(I: number, capture: number, polar: number, omega: number, cos2theta: number, value: number): void {
    const p = this.plan;
    this.put("I_before_scaling", I);
    this.put("r_e_meters", Math.sqrt(R_E_SQR));
    this.put("r_e_sqr", R_E_SQR);
    this.put("fluence_photons_per_m2", p.fluence);
    this.lines.push(`${this.prefix}: steps ${p.steps}`);
    this.lines.push(`${this.prefix}: oversample_thick ${p.oversampleThick ? 1 : 0}`);
    this.lines.push(`${this.prefix}: oversample_polar ${p.oversamplePolar ? 1 : 0}`);
    this.lines.push(`${this.prefix}: oversample_omega ${p.oversampleOmega ? 1 : 0}`);
    this.put("capture_fraction", capture);
    this.put("polar", polar);
    this.put("omega_pixel", omega);
    this.put("cos_2theta", cos2theta);
    this.put("I_pixel_final", value);
    this.put("floatimage_accumulated", Math.fround(0 + value));
  }
}
