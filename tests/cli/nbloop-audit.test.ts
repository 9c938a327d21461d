/**
 * nbloop audit and picture from the command line, on independent truth: the public project's C and
 * PyTorch traces (first divergence rot_a_angstroms, the F_latt_b sign flip), our trace of the
 * supervisor pixel against the C's (no divergence at 1e-9), the C's trace with one value moved by
 * 1e-6, our image of a corpus case against the C's and a copy with a peak moved one pixel; exit
 * statuses, written files, decodable PNGs, and every message a user can get for bad input.
 */

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { auditImages } from "../../src/audit/image-audit.js";
import { encodeRawFloat } from "../../src/io/raw-float.js";
import { FIXTURES_DIR, REFERENCE_DIR, REPO_ROOT, referenceCases } from "../support/paths.js";
import { caseFolder, nanoBragg, readFloat, scratchDir } from "../support/run.js";

const NBLOOP = join(REPO_ROOT, "dist/src/cli/nbloop.js");
const C_TRACE = join(FIXTURES_DIR, "scaling_audit_c_trace_scaling.log");
const PY_TRACE = join(FIXTURES_DIR, "scaling_audit_trace_py_scaling.log");
let dir: string;

function nbloop(...args: string[]) {
  const r = spawnSync(process.execPath, [NBLOOP, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));

beforeAll(() => {
  dir = scratchDir("nb-audit-cli-");
  writeFileSync(join(dir, "a.log"), "TRACE_C: polar 0.5\nTRACE_C: omega_pixel 1e-6\n");
  writeFileSync(join(dir, "other.log"), "TRACE_TS: steps 4\n");
  writeFileSync(join(dir, "banner.txt"), "no trace here\n");
  writeFileSync(join(dir, "tiny.bin"), encodeRawFloat(new Float32Array([1, 2, 3, 4, 5, 6])));
});

describe("audit trace", () => {
  it("names rot_a_angstroms first and flags the F_latt_b sign flip in the public project's traces", () => {
    const r = nbloop(
      "audit",
      "trace",
      "--ref",
      C_TRACE,
      "--port",
      PY_TRACE,
      "--rtol",
      "1e-3",
      "--out",
      "out1",
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("**First divergence: `rot_a_angstroms`**");
    const metrics = json(join(dir, "out1/metrics.json"));
    expect(metrics.first_divergence.key).toBe("rot_a_angstroms");
    expect(metrics.first_divergence_key).toBe("rot_a_angstroms");
    expect(metrics.sign_flips).toContain("F_latt_b");
    expect(metrics.rtol).toBe(1e-3);
    expect(readFileSync(join(dir, "out1/summary.md"), "utf8")).toBe(r.stdout);
  });

  it("prints the metrics with --json", () => {
    const r = nbloop("audit", "trace", "--ref", C_TRACE, "--port", C_TRACE, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).first_divergence).toBeNull();
  });

  describe(`against the C's supervisor trace`, () => {
    const supervisor = referenceCases().find((c) => c.id === "supervisor_roi");
    const cTrace = join(REFERENCE_DIR, "cases/supervisor_roi/trace.log");
    let ours: string;

    beforeAll(() => {
      if (!supervisor) return;
      const folder = caseFolder(supervisor);
      const r = nanoBragg(
        [...supervisor.argv, "-trace_pixel", "685", "1039", "-floatfile", "f.bin", "-nopgm"],
        folder,
      );
      ours = join(folder, "trace.log");
      writeFileSync(ours, r.stdout);
    });

    it("finds no divergence of our trace at 1e-9, and no key printed on one side only", () => {
      const r = nbloop("audit", "trace", "--ref", cTrace, "--port", ours, "--rtol", "1e-9", "--json");
      expect(r.code).toBe(0);
      const metrics = JSON.parse(r.stdout);
      expect(metrics.first_divergence).toBeNull();
      expect(metrics.n_compared).toBeGreaterThanOrEqual(75 + 24);
      expect(metrics.only_in_port).toEqual([]);
      expect(metrics.only_in_ref).toEqual([]);
    });

    it("catches one value changed by 1e-6 relative at that key", () => {
      const moved = readFileSync(ours, "utf8").replace(
        /^TRACE_TS: F_cell (\S+)$/m,
        (_l, v: string) => `TRACE_TS: F_cell ${Number(v) * (1 + 1e-6)}`,
      );
      writeFileSync(join(dir, "moved.log"), moved);
      const r = nbloop("audit", "trace", "--ref", cTrace, "--port", "moved.log", "--rtol", "1e-9", "--json");
      expect(r.code).toBe(1);
      const first = JSON.parse(r.stdout).first_divergence;
      expect(first.key).toBe("F_cell");
      expect(first.rel_err).toBeCloseTo(1e-6, 9);
    });
  });
});

describe("audit scaling", () => {
  it("passes the C's trace and fails the PyTorch trace that lacks the polarization factor", () => {
    expect(nbloop("audit", "scaling", "--trace", C_TRACE).code).toBe(0);
    const r = nbloop("audit", "scaling", "--trace", PY_TRACE, "--json", "--out", "scaling");
    expect(r.code).toBe(1);
    const metrics = JSON.parse(r.stdout);
    expect(metrics.consistent).toBe(false);
    expect(metrics.relative_difference).toBeGreaterThan(0.09);
    expect(json(join(dir, "scaling/metrics.json"))).toEqual(metrics);
  });
});

describe(`audit image and picture`, () => {
  const c = referenceCases().find((x) => x.id === "mat_A_scaled_hkl");
  const ref = join(REFERENCE_DIR, "cases/mat_A_scaled_hkl/float.bin.gz");
  let port: string;
  let shifted: string;

  beforeAll(() => {
    if (!c) return;
    const folder = caseFolder(c);
    nanoBragg([...c.argv, "-floatfile", "port.bin", "-nopgm"], folder);
    port = join(folder, "port.bin");
    // the brightest peak whose 5x5 block still fits after moving one pixel along fast
    const { fpixels, spixels } = c.detector;
    const image = readFloat(port);
    const audit = auditImages(image, image, fpixels, spixels);
    const peak = audit.peaks.find(
      ({ ref: [s, f] }) => s >= 2 && s + 2 < spixels && f >= 2 && f + 3 < fpixels,
    );
    if (!peak) throw new Error("no peak to move");
    const [ps, pf] = peak.ref;
    const moved = image.slice();
    for (let s = ps - 2; s <= ps + 2; s++)
      for (let f = pf + 3; f >= pf - 2; f--) moved[s * fpixels + f] = image[s * fpixels + f - 1];
    shifted = join(dir, "shifted.bin");
    writeFileSync(shifted, encodeRawFloat(moved));
  });

  it("matches the C's image: correlation 1, all peaks in place, three decodable PNGs", () => {
    const r = nbloop(
      "audit",
      "image",
      "--ref",
      ref,
      "--port",
      port,
      "--fpixels",
      "192",
      "--spixels",
      "192",
      "--out",
      "img",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("**Verdict: match.**");
    const metrics = json(join(dir, "img/metrics.json"));
    expect(metrics.correlation).toBeGreaterThanOrEqual(0.999999);
    expect(metrics.peaks_moved).toBe(0);
    for (const name of ["ref", "port", "diff"]) {
      const png = PNG.sync.read(readFileSync(join(dir, `img/${name}.png`)), { checkCRC: true });
      expect(png.width).toBe(192);
    }
  });

  it("reports a peak moved by one pixel", () => {
    const r = nbloop("audit", "image", "--ref", port, "--port", shifted, "--fpixels", "192", "--json");
    expect(r.code).toBe(1);
    const metrics = JSON.parse(r.stdout);
    expect(metrics.peaks_moved).toBe(1);
    const moved = metrics.peaks.find((p: { distance: number }) => p.distance !== 0);
    expect(moved.distance).toBe(1);
    expect(moved.port).toEqual([moved.ref[0], moved.ref[1] + 1]);
  });

  it("audits a region of interest only", () => {
    const r = nbloop(
      "audit",
      "image",
      "--ref",
      ref,
      "--port",
      port,
      "--fpixels",
      "192",
      "--roi",
      "10",
      "59",
      "0",
      "19",
      "--json",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).pixels).toBe(50 * 20);
  });

  it("pictures one image and names its brightest pixel", () => {
    const r = nbloop("picture", "--image", port, "--fpixels", "192", "--png", "one.png");
    expect(r.code).toBe(0);
    const image = readFloat(port);
    let at = 0;
    for (let i = 1; i < image.length; i++) if (image[i] > image[at]) at = i;
    expect(r.stdout).toContain(`brightest_slow: ${Math.floor(at / 192)}\nbrightest_fast: ${at % 192}\n`);
    expect(r.stdout).toContain(`max: ${image[at]}`);
    const png = PNG.sync.read(readFileSync(join(dir, "one.png")), { checkCRC: true });
    expect(png.width).toBe(192);
  });

  it("runs chosen corpus cases and writes parity.md", () => {
    const r = nbloop(
      "audit",
      "corpus",
      "--reference",
      REFERENCE_DIR,
      "--case",
      "at001_cubic_mosflm_64px",
      "--case",
      "roi_dmin",
      "--out",
      "corpus",
    );
    expect(r.code).toBe(0);
    const table = readFileSync(join(dir, "corpus/parity.md"), "utf8");
    expect(table).toContain("# Reference corpus parity: 2 of 2 cases pass");
    expect(table).toMatch(/\| at001_cubic_mosflm_64px \| 4096 \| 1 \| 1 \| 0 \| 0 \| 9\/9 \| 100\.00% \|/);
    expect(json(join(dir, "corpus/metrics.json")).passed).toBe(2);
  });
});

describe("bad input", () => {
  function expectError(args: string[], message: string) {
    const r = nbloop(...args);
    expect(r.stderr.split("\n")[0]).toBe(`nbloop: error: ${message}`);
    expect(r.code).toBe(2);
  }

  it("says what is missing or wrong", () => {
    expectError(["audit"], "audit: expected trace, image, scaling, corpus or series");
    expectError(["audit", "diff"], "audit: expected trace, image, scaling, corpus or series");
    expectError(["audit", "series"], "--tasks is required");
    expectError(["audit", "series", "--tasks", "nowhere"], "--tasks nowhere: cannot be read");
    expectError(
      ["audit", "corpus", "--gather", "x", "--case", "y"],
      "--gather reads earlier audits: no --case with it",
    );
    expectError(["audit", "trace", "--port", "a.log"], "--ref is required");
    expectError(["audit", "trace", "--ref", "none.log", "--port", "a.log"], "--ref none.log: cannot be read");
    expectError(
      ["audit", "trace", "--ref", "a.log", "--port", "a.log", "--rtol", "tight"],
      '--rtol: "tight" is not a number',
    );
    expectError(
      ["audit", "trace", "--ref", "a.log", "--port", "other.log"],
      "a.log and other.log share no trace key (are both pixel traces?)",
    );
    expectError(
      ["audit", "trace", "--ref", "a.log", "--port", "banner.txt"],
      "a.log and banner.txt share no trace key (are both pixel traces?)",
    );
    expectError(["audit", "trace", "--ref"], "--ref: expected a value");
    expectError(["audit", "scaling"], "--trace is required");
    expectError(
      ["audit", "image", "--ref", "tiny.bin", "--port", "tiny.bin"],
      "tiny.bin: a raw float image needs its size (fast pixels, and slow pixels or the file length)",
    );
    expectError(
      ["audit", "image", "--ref", "tiny.bin", "--port", "tiny.bin", "--fpixels", "4"],
      "tiny.bin: 24 bytes are not whole rows of 4 float32 pixels",
    );
    expectError(
      ["audit", "image", "--ref", "tiny.bin", "--port", "tiny.bin", "--fpixels", "3", "--roi", "0", "1", "0"],
      "--roi: expected 4 values",
    );
    expectError(
      [
        "audit",
        "image",
        "--ref",
        "tiny.bin",
        "--port",
        "tiny.bin",
        "--fpixels",
        "3",
        "--roi",
        "0",
        "1",
        "0",
        "x",
      ],
      '--roi: "0 1 0 x" is not four pixel numbers (xmin xmax ymin ymax)',
    );
    expectError(
      ["audit", "corpus", "--reference", dir],
      `${dir}: no reference corpus here (no manifest.json); set NB_REFERENCE_DIR or --reference`,
    );
    expectError(["picture", "--image", "tiny.bin", "--fpixels", "3"], "--png is required");
  });

  it("names an unknown corpus case", () => {
    expectError(
      ["audit", "corpus", "--reference", REFERENCE_DIR, "--case", "nope"],
      `--case: no case nope in ${REFERENCE_DIR}`,
    );
  });
});
