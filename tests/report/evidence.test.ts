/**
 * The report's reading of a workspace nbloop did not write: the public parity project's ledger at the
 * memo's commit (15 items, 124 attempts), each attempt's text, the paths it names (existing or
 * missing) and the numbers of its Metrics lines; plan task tables with their descriptions.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEvidence } from "../../src/report/evidence.js";
import { FIXTURES_DIR } from "../support/paths.js";
import { makeWorkspace } from "../support/workspace.js";

const LEDGER = readFileSync(join(FIXTURES_DIR, "fix_plan_at_seed.md"), "utf8");
const PLAN = readFileSync(join(FIXTURES_DIR, "plan_cli-noise-pix0.md"), "utf8");

describe("the evidence of a workspace nbloop did not write", () => {
  const ws = makeWorkspace({
    files: {
      "docs/fix_plan.md": LEDGER,
      "plans/active/cli-noise-pix0/plan.md": PLAN,
      "reports/2025-10-cli-flags/phase_j/scaling_chain.md": "# chain\n",
    },
  });
  const evidence = readEvidence(ws.dir, join(ws.dir, "reports/site"));

  it("lists the ledger's 15 items and their 124 attempts", () => {
    expect(evidence.items.map((i) => i.id)).toHaveLength(15);
    expect(evidence.items.reduce((n, i) => n + i.attempts.length, 0)).toBe(124);
    const flags = evidence.items.find((i) => i.id === "CLI-FLAGS-003");
    expect(flags?.attempts).toHaveLength(62);
    expect(flags?.attempts.map((a) => a.number)).toEqual(
      [...(flags?.attempts.map((a) => a.number) ?? [])].sort((a, b) => a - b),
    );
  });

  it("keeps each attempt's text, the paths it names, and its Metrics numbers", () => {
    const a28 = evidence.items.find((i) => i.id === "CLI-FLAGS-003")?.attempts.find((a) => a.number === 28);
    expect(a28?.text.split("\n")[0]).toMatch(
      /^ {2}\* \[2025-10-19\] Attempt #28 \(ralph\) — Result: \*\*EVIDENCE COMPLETE\*\*/,
    );
    expect(a28?.text).toContain("Observations/Hypotheses:");
    const chain = a28?.paths.find((p) => p.path === "reports/2025-10-cli-flags/phase_j/scaling_chain.md");
    expect(chain).toEqual({
      path: "reports/2025-10-cli-flags/phase_j/scaling_chain.md",
      exists: true,
      bundle: null,
    });
    expect(
      a28?.paths.find((p) => p.path === "reports/2025-10-cli-flags/phase_j/trace_c_scaling.log")?.exists,
    ).toBe(false);
    const a27 = evidence.items.find((i) => i.id === "CLI-FLAGS-003")?.attempts.find((a) => a.number === 27);
    expect(a27?.metrics).toMatchObject({ Correlation: 0.9978, sum_ratio: 124538 });
  });

  it("reads the plans' task tables with their states and descriptions", () => {
    const plan = evidence.plans.find((p) => p.file === "plans/active/cli-noise-pix0/plan.md");
    expect(plan?.tasks.length).toBeGreaterThan(10);
    expect(plan?.tasks.every((t) => /^\[.?\]$/.test(t.state))).toBe(true);
    expect(plan?.tasks.some((t) => t.description.length > 10)).toBe(true);
  });
});
