/**
 * What a step's words and conditions are made of: {name} and {env:NAME:-default} placeholders, the
 * newest successful bundle of a phase ({latest:PHASE}), if_env / unless_env, and skipped steps that
 * neither fail a phase nor hide in its records.
 */

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commandsText, latestBundle, type RunResult, writeResult } from "../../src/runner/collect/bundle.js";
import { skippedRecord, stepFailed } from "../../src/runner/execute/run-step.js";
import { fillTemplate } from "../../src/runner/load/workspace.js";
import { skipReason } from "../../src/runner/plan/steps.js";

describe("fillTemplate", () => {
  const env = { NB_C_BIN: "/opt/c/nanoBragg", EMPTY: "" };

  it("fills names, then the environment, a default holding names", () => {
    expect(fillTemplate("{bundle}/x {other}", { bundle: "b" }, env)).toBe("b/x {other}");
    expect(fillTemplate("{env:NB_C_BIN}", {}, env)).toBe("/opt/c/nanoBragg");
    expect(fillTemplate("{env:EMPTY:-fallback}", {}, env)).toBe("fallback");
    expect(fillTemplate("{env:EMPTY}", {}, env)).toBe("");
    expect(fillTemplate("{env:NB_REFERENCE_DIR:-{workspace}/ref}/data", { workspace: "/w" }, env)).toBe(
      "/w/ref/data",
    );
  });

  it("refuses a variable that is not set and has no default", () => {
    expect(() => fillTemplate("{env:NB_REFERENCE_DIR}", {}, env)).toThrow(
      "{env:NB_REFERENCE_DIR}: the environment variable NB_REFERENCE_DIR is not set",
    );
  });
});

describe("latestBundle", () => {
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), "nb-latest-"));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  function bundle(name: string, status: RunResult["status"], finished: string | null): void {
    const path = join(ws, "reports/L2b", name);
    mkdirSync(path, { recursive: true });
    writeResult(path, { status, finished_utc: finished } as RunResult);
  }

  it("picks the newest successful bundle, same-second suffixes included", () => {
    expect(latestBundle(ws, "reports/L2b/{stamp}/")).toBeNull();
    bundle("20260101T000000Z", "success", "2026-01-01T00:00:05Z");
    bundle("20260101T000000Z-2", "success", "2026-01-01T00:00:09Z");
    bundle("20260102T000000Z", "blocked", "2026-01-02T00:00:01Z");
    bundle("20260103T000000Z", "running", null);
    mkdirSync(join(ws, "reports/L2b/20260104T000000Z"));
    mkdirSync(join(ws, "reports/L2b/notes"));
    expect(latestBundle(ws, "reports/L2b/{stamp}/")).toBe(join(ws, "reports/L2b/20260101T000000Z-2"));
  });

  it("reads a stamp with a prefix in its folder name", () => {
    const path = join(ws, "reports/run-20260101T000000Z");
    mkdirSync(path, { recursive: true });
    writeResult(path, { status: "success", finished_utc: "2026-01-01T00:00:01Z" } as RunResult);
    expect(latestBundle(ws, "reports/run-{stamp}")).toBe(path);
  });
});

describe("step conditions", () => {
  it("runs if_env steps only with the variable set and not empty, unless_env steps only without", () => {
    const step = { id: "c", run: ["x"] };
    expect(skipReason({ ...step, if_env: "NB_C_BIN" }, { NB_C_BIN: "/c" })).toBeNull();
    expect(skipReason({ ...step, if_env: "NB_C_BIN" }, { NB_C_BIN: "" })).toBe("NB_C_BIN is not set");
    expect(skipReason({ ...step, if_env: "NB_C_BIN" }, {})).toBe("NB_C_BIN is not set");
    expect(skipReason({ ...step, unless_env: "NB_C_BIN" }, {})).toBeNull();
    expect(skipReason({ ...step, unless_env: "NB_C_BIN" }, { NB_C_BIN: "/c" })).toBe("NB_C_BIN is set");
  });

  it("records a skipped step with its reason, and it does not fail the phase", () => {
    const record = skippedRecord({
      id: "c_trace",
      skip: "NB_C_BIN is not set",
      script: null,
      matrix: false,
      tasks: [
        {
          id: "c_trace",
          values: {},
          dir: "",
          argv: ["{env:NB_C_BIN}"],
          shell: false,
          cwd: "/w",
          env: {},
          timeoutMs: undefined,
          stdoutFile: "c_trace.log",
          stderrFile: "c_trace.stderr",
          inputs: [],
          inputsOnly: false,
        },
      ],
    });
    expect(record.skipped).toBe("NB_C_BIN is not set");
    expect(stepFailed(record)).toBe(false);
    expect(commandsText([], [record])).toContain(
      "# 1. c_trace (cwd /w; skipped: NB_C_BIN is not set; 0.00 s)",
    );
  });
});
