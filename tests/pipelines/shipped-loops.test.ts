/**
 * The loops shipped in pipelines/, run by nbloop in a scratch git copy of the repository's own
 * workspace files (pipelines, schemas, ledger, plans; src and tests linked for the mapped tests):
 * - demo: simulate then trace on the built-in default; bundles complete, notes and ledger Attempts,
 *   the brightest pixel traced, its scaling chain consistent; with NB_C_BIN also the C audits;
 * - cli-flags-003: L2c refuses to run before L2b; L2b writes the trace and a schema-valid
 *   environment snapshot; L2c finds no divergence from the C's trace; N matches the C's ROI image;
 * - parity-suite: the parity table of every corpus case, one task per case;
 * - rotation-series: 36 frames, one task each, every SMV in the bundle, the per-frame table (checked
 *   against the frames' own float images) and the contact sheet; again with --resume, all cached.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrace } from "../../src/audit/trace-lines.js";
import { decodeSmv } from "../../src/io/smv.js";
import { parseLedger } from "../../src/ledger/fix-plan.js";
import { parsePlanTasks } from "../../src/ledger/plan-table.js";
import { readResult, verifyManifest } from "../../src/runner/collect/bundle.js";
import { loadLoop } from "../../src/runner/load/load-loop.js";
import { REFERENCE_DIR, REPO_ROOT } from "../support/paths.js";

const NBLOOP = join(REPO_ROOT, "dist/src/cli/nbloop.js");
const C_BIN = process.env.NB_C_BIN;
/** The C's image and trace of the demo crystal. */
const DEMO_C = join(REPO_ROOT, "tests/fixtures/demo-c");
const LOOPS = ["demo.yaml", "cli-flags-003.yaml", "parity-suite.yaml", "rotation-series.yaml"];

let ws: string;

function nbloop(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [NBLOOP, ...args, "--workspace", ws], {
    cwd: ws,
    encoding: "utf8",
    env: { ...process.env, NB_C_BIN: undefined, NB_REFERENCE_DIR: REFERENCE_DIR, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The newest bundle of a phase, relative to the workspace. */
function latest(dir: string): string {
  const stamps = readdirSync(join(ws, dir)).filter((n) => /^\d{8}T\d{6}Z/.test(n));
  return join(ws, dir, stamps.sort().at(-1) as string);
}

const read = (path: string) => readFileSync(path, "utf8");

function attempts(item: string) {
  const entry = parseLedger(read(join(ws, "docs/fix_plan.md"))).items.find((i) => i.id === item);
  return entry?.attempts ?? [];
}

function decodePng(path: string): PNG {
  return PNG.sync.read(readFileSync(path), { checkCRC: true });
}

beforeAll(() => {
  mkdirSync(join(REPO_ROOT, "tmp"), { recursive: true });
  ws = mkdtempSync(join(REPO_ROOT, "tmp", "nb-pipelines-"));
  for (const dir of ["pipelines", "schemas", "docs", "plans"])
    cpSync(join(REPO_ROOT, dir), join(ws, dir), { recursive: true });
  // the mapped tests import the sources and the test support
  mkdirSync(join(ws, "tests/audit"), { recursive: true });
  cpSync(join(REPO_ROOT, "tests/audit/scaling-check.test.ts"), join(ws, "tests/audit/scaling-check.test.ts"));
  symlinkSync(join(REPO_ROOT, "src"), join(ws, "src"));
  symlinkSync(join(REPO_ROOT, "tests/support"), join(ws, "tests/support"));
  symlinkSync(join(REPO_ROOT, "node_modules"), join(ws, "node_modules"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ws, stdio: "pipe" });
  git("init", "-q");
  git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "workspace");
});

afterAll(() => {
  rmSync(ws, { recursive: true, force: true });
});

describe("the shipped loop files", () => {
  it.each(LOOPS)("%s is valid against schemas/loop.schema.json", (name) => {
    const loaded = loadLoop(join(REPO_ROOT, "pipelines", name));
    expect(Object.keys(loaded.loop.phases).length).toBeGreaterThan(0);
  });
});

describe("demo.yaml", () => {
  it("simulates, pictures and finds the brightest pixel, then traces it with a consistent scaling chain", () => {
    const before = attempts("DEMO-001").length;
    const simulate = nbloop(["run", "pipelines/demo.yaml", "simulate"]);
    expect(simulate.stderr).toBe("");
    expect(simulate.code).toBe(0);
    const sim = latest("reports/demo/simulate");
    expect(verifyManifest(sim)).toEqual([]);
    expect(readResult(sim).status).toBe("success");
    // the brightest pixel and its traced values are the C's (tests/fixtures/demo-c)
    const cFloat = new Float32Array(gunzipSync(readFileSync(join(DEMO_C, "float.bin.gz"))).buffer.slice(0));
    const brightest = cFloat.indexOf(Math.max(...cFloat));
    const [slow, fast] = [Math.floor(brightest / 128), brightest % 128];
    expect(read(join(sim, "picture.txt"))).toContain(`brightest_slow: ${slow}\nbrightest_fast: ${fast}\n`);
    const png = decodePng(join(sim, "image.png"));
    expect(png.width).toBe(128);
    expect(png.height).toBeGreaterThan(128);

    const trace = nbloop(["run", "pipelines/demo.yaml", "trace"]);
    expect(trace.code).toBe(0);
    const tr = latest("reports/demo/trace");
    expect(verifyManifest(tr)).toEqual([]);
    const summary = read(join(tr, "summary.md"));
    expect(summary).toContain("| c_trace | skipped: NB_C_BIN is not set |");
    expect(summary).toContain("## Report: scaling/summary.md");
    expect(summary).toMatch(/Scaling chain of .*trace\.log: consistent/);
    const metrics = JSON.parse(read(join(tr, "metrics.json"))).values;
    const cTrace = parseTrace(read(join(DEMO_C, "trace.log")));
    const cValue = (key: string) => cTrace.filter((e) => e.key === key).at(-1)?.values[0] as number;
    expect(Math.abs(metrics.I_pixel_final / cValue("I_pixel_final") - 1)).toBeLessThanOrEqual(1e-12);
    expect(metrics.F_cell).toBe(cValue("F_cell"));

    const notes = read(join(ws, "reports/demo/trace/notes.md"));
    expect(notes).toContain("— trace — success");
    expect(
      attempts("DEMO-001")
        .slice(before)
        .map((a) => a.result),
    ).toEqual(["success", "success"]);
    const tasks = parsePlanTasks(read(join(ws, "plans/demo.md")));
    expect(tasks.filter((t) => t.id === "simulate" || t.id === "trace").map((t) => t.state)).toEqual([
      "[D]",
      "[D]",
    ]);
  }, 120_000);

  it.skipIf(!C_BIN)(
    `with NB_C_BIN, audits trace and image against the C${C_BIN ? "" : " (skipped: NB_C_BIN not set)"}`,
    () => {
      const trace = nbloop(["run", "pipelines/demo.yaml", "trace"], { NB_C_BIN: C_BIN });
      expect(trace.code).toBe(0);
      const tr = latest("reports/demo/trace");
      expect(JSON.parse(read(join(tr, "trace-audit/metrics.json"))).first_divergence).toBeNull();
      const image = JSON.parse(read(join(tr, "image-audit/metrics.json")));
      expect(image.verdict).toBe("match");
      expect(image.correlation).toBeGreaterThanOrEqual(0.999999);
    },
    120_000,
  );
});

describe(`cli-flags-003.yaml`, () => {
  it("refuses L2c before any L2b bundle exists", () => {
    const r = nbloop(["run", "pipelines/cli-flags-003.yaml", "L2c"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("{latest:L2b}: no successful bundle of phase L2b yet; run it first");
  });

  it("L2b traces the supervisor pixel and snapshots the environment; L2c finds no divergence from the C", () => {
    const before = attempts("CLI-FLAGS-003").length;
    const l2b = nbloop(["run", "pipelines/cli-flags-003.yaml", "L2b"]);
    expect(l2b.code).toBe(0);
    const b = latest("reports/cli-flags-003/L2b");
    expect(read(join(b, "trace.log"))).toContain("TRACE_TS: I_pixel_final 2.88139542684698e-07");
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(read(join(REPO_ROOT, "schemas/env.schema.json"))));
    expect(validate(JSON.parse(read(join(b, "env_snapshot.json")))), JSON.stringify(validate.errors)).toBe(
      true,
    );

    const l2c = nbloop(["run", "pipelines/cli-flags-003.yaml", "L2c"]);
    expect(l2c.code).toBe(0);
    const c = latest("reports/cli-flags-003/L2c");
    const summary = read(join(c, "summary.md"));
    expect(summary).toContain("**No divergence**");
    expect(summary).toMatch(/Scaling chain of .*trace\.log: consistent/);
    const audit = JSON.parse(read(join(c, "trace-audit/metrics.json")));
    expect(audit.first_divergence).toBeNull();
    expect(read(join(ws, "docs/fix_plan.md"))).toMatch(
      /Phase L2c: .*\n(\s{4}.*\n)*\s{4}First Divergence: none\n/,
    );
    expect(audit.n_compared).toBeGreaterThanOrEqual(75);
    expect(audit.rtol).toBe(1e-9);
    expect(
      attempts("CLI-FLAGS-003")
        .slice(before)
        .map((a) => a.result),
    ).toEqual(["success", "success"]);
    const tasks = parsePlanTasks(read(join(ws, "plans/cli-flags-003.md")));
    expect(tasks.find((t) => t.id === "L2c")?.state).toBe("[D]");
  }, 120_000);

  it("N matches the C's ROI image and draws it", () => {
    const n = nbloop(["run", "pipelines/cli-flags-003.yaml", "N"]);
    expect(n.code).toBe(0);
    const dir = join(latest("reports/cli-flags-003/N"), "image-audit");
    const metrics = JSON.parse(read(join(dir, "metrics.json")));
    expect(metrics.verdict).toBe("match");
    expect(metrics.correlation).toBe(1);
    for (const name of ["ref.png", "port.png", "diff.png"]) expect(decodePng(join(dir, name)).width).toBe(61);
  }, 120_000);
});

describe(`parity-suite.yaml`, () => {
  it("writes the parity table of every corpus case into the bundle's summary", () => {
    const r = nbloop(["run", "pipelines/parity-suite.yaml", "all"]);
    expect(r.code).toBe(0);
    const bundle = latest("reports/parity-suite/all");
    const summary = read(join(bundle, "summary.md"));
    expect(summary).toContain("# Reference corpus parity: 47 of 47 cases pass");
    expect(summary.split("\n").filter((l) => /^\| \w+ \| \d+ \| /.test(l))).toHaveLength(47);
    const metrics = JSON.parse(read(join(bundle, "metrics.json"))).values;
    expect(metrics.cases).toBe(47);
    expect(metrics.passed).toBe(47);
    expect(metrics.min_correlation).toBeGreaterThanOrEqual(0.999999);
  }, 300_000);
});

describe("rotation-series.yaml", () => {
  it("simulates 36 frames, one task each, then their table and contact sheet; --resume takes them all", () => {
    const r = nbloop(["run", "pipelines/rotation-series.yaml", "frames", "--jobs", "2"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const bundle = latest("reports/rotation-series/frames");
    const tasks = readResult(bundle).steps[0].tasks ?? [];
    expect(tasks.map((t) => t.values.phi)).toEqual(Array.from({ length: 36 }, (_, i) => String(10 * i)));
    for (const t of tasks) {
      const smv = decodeSmv(readFileSync(join(bundle, t.dir, "frame.smv")), t.dir);
      expect([smv.width, smv.height]).toEqual([128, 128]);
    }
    const table = read(join(bundle, "series/frames.md"));
    const rows = table.split("\n").filter((l) => /^\| phi-\d+ \|/.test(l));
    expect(rows).toHaveLength(36);
    // the table's sum of a frame is the sum of that frame's float image
    const bytes = readFileSync(join(bundle, "tasks/frames/phi-120/float.bin"));
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const sum = floats.reduce((a, v) => a + v, 0);
    const row = rows
      .find((l) => l.startsWith("| phi-120 |"))
      ?.split("|")
      .map((c) => c.trim());
    expect(Number(row?.[3])).toBeCloseTo(Number(sum.toPrecision(7)), 0);
    const sheet = decodePng(join(bundle, "series/contact-sheet.png"));
    expect([sheet.width, sheet.height]).toEqual([6 * 128 + 7 * 4, 6 * 128 + 7 * 4]);

    const started = performance.now();
    const again = nbloop(["run", "pipelines/rotation-series.yaml", "frames", "--resume"]);
    const seconds = (performance.now() - started) / 1000;
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const resumed = readResult(latest("reports/rotation-series/frames"));
    expect(resumed.steps.flatMap((s) => s.tasks ?? []).every((t) => t.state === "cached")).toBe(true);
    expect(resumed.steps[1].cached_from).toBe(bundle.slice(ws.length + 1));
    expect(seconds).toBeLessThan(5);
  }, 300_000);
});
