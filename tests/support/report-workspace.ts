/**
 * A workspace whose evidence the report tests read: one ledger item (its title holding markup, which
 * must come out escaped), a phase that runs an image audit (pictures, correlation) twice, and a phase
 * blocked by a trace audit's first divergence; each run an Attempt and a bundle.
 */

import { makeWorkspace, type Workspace } from "./workspace.js";

const LEDGER = `# Fix Plan Ledger

## Index
| ID | Title | Priority | Status |
| --- | --- | --- | --- |
| [REPORT-001](#report-001) | Pages <script>alert(1)</script> | High | in_progress |

## [REPORT-001] Pages <script>alert(1)</script>
- Priority: High
- Status: in_progress
- Attempts History:
- Exit Criteria: the pages show the evidence
`;

const PLAN = `# REPORT-001 plan

| ID | Task Description | State | How/Why & Guidance |
| --- | --- | --- | --- |
| audit | Audit two images | [ ] | nbloop run loops/report.yaml audit |
| trace | Audit two traces | [ ] | nbloop run loops/report.yaml trace |
`;

/** Two 16x16 float images, the port a shade brighter where the reference is brightest. */
const IMAGES = `const fs = require("fs");
const ref = new Float32Array(256), port = new Float32Array(256);
for (let i = 0; i < 256; i++) { ref[i] = port[i] = 1 + ((i * 37) % 11); }
ref[100] = port[100] = 500;
fs.writeFileSync(process.argv[1] + "/ref.bin", Buffer.from(ref.buffer));
fs.writeFileSync(process.argv[1] + "/port.bin", Buffer.from(port.buffer));`;

const TRACES = `const fs = require("fs");
fs.writeFileSync(process.argv[1] + "/c.log", "TRACE_C: pix0_vector 0.1 0.2 0.3\\nTRACE_C: hkl_frac 1.5 2 3\\nTRACE_C: F_latt 35.9\\n");
fs.writeFileSync(process.argv[1] + "/ts.log", "TRACE_TS: pix0_vector 0.1 0.2 0.3\\nTRACE_TS: hkl_frac 1.5 2 3.25\\nTRACE_TS: F_latt -2.4\\n");`;

const LOOP = `item: REPORT-001
title: Pages
plan: plans/report.md
bundle: reports/report/{phase}/{stamp}/
phases:
  audit:
    summary: Audit two images
    do_now:
      - { id: images, run: ${JSON.stringify(["node", "-e", IMAGES, "{bundle}"])} }
      - id: audit
        run: [nbloop, audit, image, --ref, "{bundle}/ref.bin", --port, "{bundle}/port.bin", --fpixels, 16, --out, "{bundle}/image"]
        stdout: audit.txt
    artifacts:
      - { path: "{bundle}/image/diff.png" }
    metrics: { from: "{bundle}/image/metrics.json", keys: [correlation, sum_ratio, max_abs_error] }
    report: "{bundle}/image/summary.md"
  trace:
    summary: Audit two traces
    do_now:
      - { id: traces, run: ${JSON.stringify(["node", "-e", TRACES, "{bundle}"])} }
      - id: diff
        run: [nbloop, audit, trace, --ref, "{bundle}/c.log", --port, "{bundle}/ts.log", --out, "{bundle}/trace"]
        stdout: diff.txt
    if_blocked: { capture: [stdout], note: "hkl_frac diverges: look at the misset rotation" }
`;

export function reportWorkspace(): Workspace {
  const ws = makeWorkspace({
    files: {
      "docs/fix_plan.md": LEDGER,
      "plans/report.md": PLAN,
      "loops/report.yaml": LOOP,
      ".gitignore": "reports/\n",
    },
  });
  ws.commit();
  return ws;
}
