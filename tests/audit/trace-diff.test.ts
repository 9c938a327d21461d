/**
 * The trace diff against independent truth: the real C and PyTorch traces of the supervisor pixel
 * (whose first divergence was established by hand, fixtures/realworld/README.md), the C reference
 * corpus against our engine's traces, C traces with one value perturbed by a known amount, and
 * synthetic traces written for these tests (tests/audit/fixtures: a C-style trace, and the same values
 * rounded to float32 in the PyTorch port's key names and tap formats).
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  diffTraces,
  KEY_ALIASES,
  readTrace,
  traceDiffMetrics,
  traceDiffSummary,
} from "../../src/audit/trace-diff.js";
import { FIXTURES_DIR, referenceCases } from "../support/paths.js";
import { caseFolder, nanoBragg, referenceText } from "../support/run.js";

const REALWORLD = FIXTURES_DIR;
const C_LOG = join(REALWORLD, "scaling_audit_c_trace_scaling.log");
const PY_LOG = join(REALWORLD, "scaling_audit_trace_py_scaling.log");

const HERE = dirname(fileURLToPath(import.meta.url));
const SYNTHETIC_C = readFileSync(join(HERE, "fixtures/synthetic_c_trace.log"), "utf8");
const SYNTHETIC_PY = readFileSync(join(HERE, "fixtures/synthetic_py_trace.log"), "utf8");

/** Keys of the `TRACE_C:key=value` set-up lines, read with a regex of their own. */
function setupKeys(text: string): string[] {
  return [...text.matchAll(/^TRACE_C:([^\s=]+)=/gm)].map((m) => m[1]);
}

/** The text with the `index`-th component of the first `TRACE_C: <key>` line scaled by (1 + rel). */
function perturb(text: string, key: string, index: number, rel: number): { text: string; original: number } {
  const lines = text.split("\n");
  const n = lines.findIndex((l) => l.startsWith(`TRACE_C: ${key} `));
  const [tag, name, ...values] = lines[n].split(" ");
  const original = Number(values[index]);
  values[index] = (original * (1 + rel)).toPrecision(15);
  lines[n] = [tag, name, ...values].join(" ");
  return { text: lines.join("\n"), original };
}

/** A trace's `TRACE_C: key values` line replaced (or removed when `values` is null). */
function withLine(text: string, key: string, values: string | null): string {
  return text
    .split("\n")
    .flatMap((l) =>
      l.startsWith(`TRACE_C: ${key} `) ? (values === null ? [] : [`TRACE_C: ${key} ${values}`]) : [l],
    )
    .join("\n");
}

describe(`the real C and PyTorch traces of the supervisor pixel`, () => {
  const c = readFileSync(C_LOG, "utf8");
  const py = readFileSync(PY_LOG, "utf8");

  it("at rtol 1e-3 the first divergence is rot_a_angstroms, not I_before_scaling", () => {
    const diff = diffTraces(c, py, { rtol: 1e-3 });
    expect(diff.firstDivergence?.key).toBe("rot_a_angstroms");
    // The z component: C -5.5476578307123, PY -5.58202123641968, read off the files.
    expect(diff.firstDivergence?.relErr).toBeCloseTo(
      Math.abs(-5.58202123641968 + 5.5476578307123) / 5.5476578307123,
      12,
    );
    const divergent = diff.divergent.map((k) => k.key);
    expect(divergent).toContain("I_before_scaling");
    expect(divergent.indexOf("I_before_scaling")).toBeGreaterThan(divergent.indexOf("rot_a_angstroms"));
    // Geometry before the crystal agrees to 1e-3 (pix0 differs by 1.2e-5).
    const before = diff.compared.slice(
      0,
      diff.compared.findIndex((k) => k.status !== "match"),
    );
    expect(before.map((k) => k.key)).toEqual([
      "pix0_vector_meters",
      "fdet_vec",
      "sdet_vec",
      "pixel_pos_meters",
      "R_distance_meters",
      "omega_pixel_sr",
      "close_distance_meters",
      "obliquity_factor",
      "diffracted_vec",
      "incident_vec",
      "lambda_meters",
      "lambda_angstroms",
      "scattering_vec_A_inv",
    ]);
  });

  it("flags the F_latt_b sign flip (C 1.05079664302326, PY -0.861241281032562)", () => {
    const diff = diffTraces(c, py, { rtol: 1e-3 });
    const fLattB = diff.compared.find((k) => k.key === "F_latt_b");
    expect(fLattB?.status).toBe("sign_flip");
    expect(fLattB?.signFlips).toEqual([0]);
    expect(diff.divergent).toContain(fLattB);
    expect(traceDiffMetrics(diff)).toMatchObject({ sign_flips: expect.arrayContaining(["F_latt_b"]) });
  });

  it("reports the C's set-up and per-phi keys as only in the C, and compares all 40 PyTorch values", () => {
    const diff = diffTraces(c, py, { rtol: 1e-3 });
    const setup = setupKeys(c);
    expect(setup.length).toBe(24);
    expect(diff.onlyInRef).toEqual(expect.arrayContaining(setup));
    const phiLines = c.split("\n").filter((l) => l.startsWith("TRACE_C_PHI "));
    expect(phiLines.length).toBe(10);
    for (const tic of [0, 9]) expect(diff.onlyInRef).toContain(`phi[${tic}].F_latt_b`);
    // 24 set-up keys + 10 phi steps x 4 fields (phi_deg, k_frac, F_latt_b, F_latt).
    expect(diff.onlyInRef.length).toBe(24 + 40);
    expect(diff.onlyInPort).toEqual([]);
    expect(diff.compared.length).toBe(py.split("\n").filter((l) => l.startsWith("TRACE_PY: ")).length);
  });

  it("writes a summary and metrics naming the first divergence", () => {
    const diff = diffTraces(c, py, { rtol: 1e-3 });
    const summary = traceDiffSummary(diff, "C", "PyTorch");
    expect(summary).toMatch(/\*\*First divergence: `rot_a_angstroms`\*\*/);
    expect(summary).toMatch(/\| `F_latt_b` \| 1\.05079664302326 \| -0\.861241281032562 \|.*sign flip/);
    expect(summary).toContain("rtol = 1e-3 (given)");
    const metrics = JSON.parse(JSON.stringify(traceDiffMetrics(diff)));
    expect(metrics.first_divergence).toMatchObject({
      key: "rot_a_angstroms",
      ref: [-14.3562690335399, -21.8805340763623, -5.5476578307123],
      port: [-14.3562698364258, -21.8717937469482, -5.58202123641968],
      sign_flip: false,
    });
    expect(metrics.n_compared).toBe(40);
    expect(metrics.n_divergent).toBe(metrics.divergent.length);
    expect(metrics.rtol).toBe(1e-3);
  });

  it("sees the PyTorch trace as float32 and chooses rtol 1e-5 for it", () => {
    const diff = diffTraces(c, py);
    expect(diff.tolerancesChosen).toBe(true);
    expect(diff.precision).toEqual({
      ref: { digits: 15, float32: false },
      port: { digits: 7, float32: true },
    });
    expect(diff.rtol).toBe(1e-5);
    // At 1e-5 the 1.2e-5 pix0 difference (C z -0.230192414300537, PY -0.230195268988609) shows first.
    expect(diff.firstDivergence?.key).toBe("pix0_vector_meters");
  });
});

const cases = referenceCases();

describe(`our engine's trace against the C's trace.log of every corpus case`, () => {
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.id}: no divergence at rtol 1e-9, nothing on one side only`, () => {
      const [slow, fast] = c.trace.pixel_s_f;
      // The same extra flags as the C's trace run (trace_cmd.txt).
      const run = nanoBragg(
        [
          ...c.argv,
          "-trace_pixel",
          String(slow),
          String(fast),
          "-floatfile",
          "trace_float.tmp",
          "-intfile",
          "trace_int.tmp",
          "-nopgm",
        ],
        caseFolder(c),
      );
      expect(run.code).toBe(0);
      const ref = referenceText(c, c.trace.file);
      const diff = diffTraces(ref, run.stdout, { rtol: 1e-9 });
      expect(diff.divergent.map((k) => `${k.key}#${k.occurrence}: ${k.refText} | ${k.portText}`)).toEqual([]);
      expect(diff.onlyInPort).toEqual([]);
      expect(diff.onlyInRef).toEqual([]);
      // Every value of the C's trace was compared: one per set-up line, per `TRACE_C: ` / source-2
      // line, and per field of a phi line other than phi_tic.
      const lines = ref.split("\n");
      const values =
        setupKeys(ref).length +
        lines.filter((l) => /^TRACE_C(_SOURCE2)?: /.test(l)).length +
        lines.filter((l) => l.startsWith("TRACE_C_PHI ")).reduce((n, l) => n + l.split("=").length - 2, 0);
      expect(diff.compared.length).toBe(values);
    });
  }
});

describe(`a C trace with one value changed by 1e-6`, () => {
  const c = cases.find((k) => k.id === "mat_A_scaled_hkl") ?? cases[0];
  const ref = referenceText(c, c.trace.file);

  it("is caught at polar with rtol 1e-9 and passes at rtol 1e-5", () => {
    const changed = perturb(ref, "polar", 0, 1e-6);
    expect(changed.original).not.toBe(0);
    const tight = diffTraces(ref, changed.text, { rtol: 1e-9 });
    expect(tight.divergent.map((k) => k.key)).toEqual(["polar"]);
    expect(tight.firstDivergence?.relErr).toBeCloseTo(1e-6, 9);
    expect(diffTraces(ref, changed.text, { rtol: 1e-5 }).firstDivergence).toBeNull();
  });

  it("is caught at the y component of rot_b_angstroms with rtol 1e-9 and passes at rtol 1e-5", () => {
    const changed = perturb(ref, "rot_b_angstroms", 1, 1e-6);
    expect(Math.abs(changed.original)).toBeGreaterThan(1e-3);
    const tight = diffTraces(ref, changed.text, { rtol: 1e-9 });
    expect(tight.firstDivergence).toMatchObject({ key: "rot_b_angstroms", occurrence: 0, signFlips: [] });
    expect(tight.divergent.length).toBe(1);
    expect(diffTraces(ref, changed.text, { rtol: 1e-5 }).firstDivergence).toBeNull();
  });
});

describe("readTrace", () => {
  const values = readTrace(SYNTHETIC_C);
  const find = (key: string) => values.find((v) => v.key === key);

  it("reads the set-up grammar TRACE_C:key=value", () => {
    expect(find("distance_m")?.values).toEqual([0.1]);
    expect(find("pix0_vector")?.values).toEqual([0.1, 0.00515, -0.00515]);
    expect(find("angles_rad")?.values).toEqual([0, 0, 0, 0]);
    expect(find("beam_center_m")?.values).toEqual([5.125e-6, 5.125e-6, 0.1]);
    expect(find("Rx")?.values).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(find("detector_convention")).toMatchObject({ values: [], text: "MOSFLM", line: 4 });
  });

  it("ignores banners, TRACE:, TRACE_CONFIG: and untagged DETECTOR_ lines", () => {
    const keys = values.map((v) => v.key);
    expect(keys).not.toContain("DETECTOR_FAST_AXIS");
    expect(keys.filter((k) => /^(TRACE|DETECTOR|tracing|Raw|created|solid|writing|Final)/.test(k))).toEqual(
      [],
    );
    // 8 set-up lines, 40 `TRACE_C: ` lines, 3 phi lines x 4 fields, 9 source-2 lines.
    expect(values.length).toBe(8 + 40 + 12 + 9);
  });

  it("names per-phi fields phi[tic].field and source-2 lines source2.key", () => {
    expect(find("phi[2].k_frac")?.values).toEqual([3.12242918234826]);
    expect(find("phi[0].phi_deg")?.values).toEqual([0]);
    expect(values.some((v) => v.key.endsWith("phi_tic"))).toBe(false);
    expect(find("source2.polar")?.values).toEqual([0.999957191165507]);
    expect(readTrace("TRACE_PY_SOURCE 2: polar 0.5\nTRACE_TS_PHI phi_tic=4 F_latt=-2")).toMatchObject([
      { key: "source2.polar", values: [0.5] },
      { key: "phi[4].F_latt", values: [-2] },
    ]);
  });

  it("counts occurrences of repeated keys", () => {
    const twice = readTrace("TRACE_C: polar 0.5\nTRACE_C: steps 1\nTRACE_C: polar 0.6");
    expect(twice.map((v) => [v.key, v.occurrence, v.line])).toEqual([
      ["polar", 0, 1],
      ["steps", 0, 2],
      ["polar", 1, 3],
    ]);
  });
});

describe("diffTraces on synthetic traces", () => {
  it("finds nothing between a C trace and the same lines tagged TRACE_TS, except the set-up keys", () => {
    const diff = diffTraces(
      SYNTHETIC_C,
      SYNTHETIC_C.replace(/^TRACE_C(?=[:_])/gm, "TRACE_TS").replace(/^TRACE_TS:\S+=.*$/gm, ""),
    );
    expect(diff.divergent).toEqual([]);
    expect(diff.onlyInRef).toEqual(setupKeys(SYNTHETIC_C));
    expect(diff.onlyInPort).toEqual([]);
    expect(diff.rtol).toBe(1e-12);
    expect(traceDiffSummary(diff, "C", "TS")).toContain("**No divergence**");
  });

  it("compares per-phi values per tic", () => {
    const port = SYNTHETIC_C.replace("k_frac=3.11012918234826", "k_frac=3.11013918234826");
    const diff = diffTraces(SYNTHETIC_C, port, { rtol: 1e-9 });
    expect(diff.divergent.map((k) => k.key)).toEqual(["phi[1].k_frac"]);
  });

  it("reports a key missing on one side, and occurrences beyond the other side's count", () => {
    const port = `${withLine(SYNTHETIC_C, "F_cell", null)}\nTRACE_C: extra_key 1\nTRACE_C: steps 6\nTRACE_C: steps 6\n`;
    const diff = diffTraces(SYNTHETIC_C, port);
    expect(diff.onlyInRef).toContain("F_cell");
    expect(diff.onlyInPort).toEqual(["extra_key", "steps#1-2"]);
    expect(diff.compared.some((k) => k.key === "F_cell")).toBe(false);
    expect(diff.divergent).toEqual([]);
  });

  it("aligns the PyTorch names through the alias table and the float32 values at the chosen tolerance", () => {
    const diff = diffTraces(SYNTHETIC_C, SYNTHETIC_PY);
    expect(diff.precision.port).toEqual({ digits: 7, float32: true });
    expect(diff.rtol).toBe(1e-5);
    expect(diff.divergent).toEqual([]);
    const compared = diff.compared.map((k) => k.key);
    for (const key of [
      "I_before_scaling",
      "source2.I_contribution",
      "source2.lambda_angstroms",
      "phi[2].F_latt",
    ]) {
      expect(compared).toContain(key);
    }
    expect(diff.onlyInPort).toEqual([
      "phi[0].V_actual",
      "phi[1].V_actual",
      "phi[2].V_actual",
      "I_before_scaling_post_polar",
      "source0.source_index",
      "source0.polar",
    ]);
    expect(diff.onlyInRef).toEqual(
      expect.arrayContaining(["F_cell", "source2.F_cell", "source2.F_latt_squared", "source2.cos2theta"]),
    );
  });

  it("keeps a key the port prints under the C's name over its alias", () => {
    const port = "TRACE_PY: I_before_scaling 100\nTRACE_PY: I_before_scaling_pre_polar 90\n";
    const diff = diffTraces("TRACE_C: I_before_scaling 100\n", port);
    expect(diff.divergent).toEqual([]);
    expect(diff.onlyInPort).toEqual(["I_before_scaling_pre_polar"]);
  });

  it("has real aliases only: omega_pixel_sr is not aliased to omega_pixel", () => {
    const from = KEY_ALIASES.map((a) => a.from);
    expect(from).toContain("I_before_scaling_pre_polar");
    expect(from).not.toContain("omega_pixel_sr");
    expect(KEY_ALIASES.map((a) => a.to)).not.toContain("omega_pixel");
    expect(KEY_ALIASES.every((a) => a.why.length > 0)).toBe(true);
  });

  it("default tolerance for %.15g against float32: rounding passes, a 1e-3 change does not", () => {
    const changed = (0.999299981426041 * 1.001).toPrecision(15);
    const port = SYNTHETIC_PY.replace("TRACE_PY: polar 0.999300003051758", `TRACE_PY: polar ${changed}`);
    const diff = diffTraces(SYNTHETIC_C, port);
    expect(diff.tolerancesChosen).toBe(true);
    expect(diff.divergent.map((k) => k.key)).toEqual(["polar"]);
    expect(diff.firstDivergence?.relErr).toBeCloseTo(1e-3, 6);
  });

  it("does not let an absolute floor hide tiny constants: r_e_sqr off by 1%", () => {
    const port = withLine(SYNTHETIC_C, "r_e_sqr", "8.02020040499155e-30");
    for (const rtol of [undefined, 1e-3]) {
      expect(diffTraces(SYNTHETIC_C, port, { rtol }).firstDivergence?.key).toBe("r_e_sqr");
    }
  });

  it("treats -0 against 0 and rounding noise in near-zero components as matches, not sign flips", () => {
    const ref =
      "TRACE_C: hkl_frac 0 -0 0\nTRACE_C: rot_a_angstroms 100 6.12323399573677e-15 6.12323399573677e-15\n";
    const port = "TRACE_TS: hkl_frac -0 0 0\nTRACE_TS: rot_a_angstroms 100 -3.2e-15 0\n";
    const diff = diffTraces(ref, port, { rtol: 1e-9 });
    expect(diff.compared.map((k) => [k.status, k.signFlips])).toEqual([
      ["match", []],
      ["match", []],
    ]);
  });

  it("flags a sign flip in one component of a vector, and a length mismatch", () => {
    const ref = "TRACE_C: F_latt_b 1.05\nTRACE_C: hkl_frac 1.5 -2.25 0.5\nTRACE_C: hkl_rounded 2 -2 1\n";
    const port = "TRACE_TS: F_latt_b 1.05\nTRACE_TS: hkl_frac 1.5 2.25 0.5\nTRACE_TS: hkl_rounded 2 -2\n";
    const diff = diffTraces(ref, port, { rtol: 1e-6 });
    expect(diff.divergent.map((k) => [k.key, k.status, k.signFlips])).toEqual([
      ["hkl_frac", "sign_flip", [1]],
      ["hkl_rounded", "length_mismatch", []],
    ]);
    const metrics = JSON.parse(JSON.stringify(traceDiffMetrics(diff)));
    expect(metrics.first_divergence).toMatchObject({
      key: "hkl_frac",
      sign_flip: true,
      rel_err: 2,
      abs_err: 4.5,
    });
    expect(traceDiffSummary(diff, "C", "TS")).toContain("length 3 vs 2");
  });

  it("reports a relative error of null in metrics where the reference is exactly 0", () => {
    const diff = diffTraces("TRACE_C: hkl_frac 0 1 2\n", "TRACE_TS: hkl_frac 1e-9 1 2\n", { rtol: 1e-6 });
    expect(diff.firstDivergence?.relErr).toBe(Infinity);
    expect(JSON.parse(JSON.stringify(traceDiffMetrics(diff))).first_divergence).toMatchObject({
      rel_err: null,
      abs_err: 1e-9,
    });
    expect(
      diffTraces("TRACE_C: hkl_frac 0 1 2\n", "TRACE_TS: hkl_frac 1e-9 1 2\n", { rtol: 1e-6, atol: 1e-8 })
        .divergent,
    ).toEqual([]);
  });
});
