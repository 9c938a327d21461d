/**
 * `nbloop report` on a workspace of nbloop runs: the index, the item page with its attempts linked to
 * their bundles and the trends charted, the bundle pages (image audit pictures, the trace audit's first
 * divergence marked, checksums verified now), everything from files escaped; incremental rebuilds;
 * `nbloop run` naming the updated page; and 1,000 bundles built in seconds.
 */

import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { reportWorkspace } from "../support/report-workspace.js";
import type { Workspace } from "../support/workspace.js";

let ws: Workspace;
const site = (path: string) => readFileSync(join(ws.dir, "reports/site", path), "utf8");
const bundlePage = (bundle: string) => `bundles/${bundle.slice(ws.dir.length + 1).replace(/\//g, "--")}.html`;

beforeAll(() => {
  ws = reportWorkspace();
  for (const phase of ["audit", "audit", "trace"]) {
    const r = ws.nbloop(["run", "loops/report.yaml", phase]);
    expect(r.code, r.stderr).toBe(phase === "trace" ? 3 : 0);
    expect(r.stdout).toMatch(
      /\n {2}report: reports\/site\/bundles\/reports--report--\w+--\d{8}T\d{6}Z(-\d)?\.html\n$/,
    );
  }
});

describe("nbloop report", () => {
  it("writes the index, one page per item and per bundle, and says how many it built", () => {
    const r = ws.nbloop(["report"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      "nbloop report: 5 pages (1 items, 3 bundles: 0 bundle pages built, 3 kept) in " +
        `${/in (\d+\.\d\d) s/.exec(r.stdout)?.[1]} s\n  open: reports/site/index.html\n`,
    );
    const index = site("index.html");
    expect(index).toContain('<a href="items/REPORT-001.html">REPORT-001</a>');
    expect(index).toContain("#3 2026-");
    expect(index).toContain('<a href="../../plans/report.md">plans/report.md</a>');
    expect(readdirSync(join(ws.dir, "reports/site/bundles"))).toHaveLength(3);
  });

  it("--open: the desktop's browser where there is a desktop, else the file to open", () => {
    const r = ws.nbloop(["report", "--open"], { DISPLAY: undefined, WAYLAND_DISPLAY: undefined });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `  no desktop here (no DISPLAY): open ${join(ws.dir, "reports/site/index.html")} in a browser\n`,
    );
    const none = ws.nbloop(["report", "--open"], { DISPLAY: ":99", PATH: "/nonexistent" });
    expect(none.stdout).toContain("  no xdg-open here: open ");
    // a desktop's opener, standing in for xdg-open, is handed the index
    ws.write("bin/xdg-open", `#!/bin/sh\necho "$1" > "${join(ws.dir, "opened.txt")}"\n`);
    chmodSync(join(ws.dir, "bin/xdg-open"), 0o755);
    const opened = ws.nbloop(["report", "--open"], {
      DISPLAY: ":99",
      PATH: `${join(ws.dir, "bin")}:${process.env.PATH}`,
    });
    expect(opened.stdout).toContain("  opened with xdg-open\n");
    for (let i = 0; i < 50 && !existsSync(join(ws.dir, "opened.txt")); i++) execFileSync("sleep", ["0.1"]);
    expect(ws.read("opened.txt")).toBe(`${join(ws.dir, "reports/site/index.html")}\n`);
  });

  it("refuses a workspace without a ledger, naming it", () => {
    const r = ws.nbloopHere(["report", "--workspace", join(ws.dir, "docs")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `nbloop: error: ${join(ws.dir, "docs/docs/fix_plan.md")}: no ledger here (give --workspace)\n`,
    );
  });

  it("escapes what comes from files: a title with markup shows as text", () => {
    for (const page of ["index.html", "items/REPORT-001.html"]) {
      const html = site(page);
      expect(html).toContain("Pages &lt;script&gt;alert(1)&lt;/script&gt;");
      expect(html).not.toContain("<script>alert");
    }
  });

  it("links each attempt to its bundle page and charts the metrics that recur", () => {
    const item = site("items/REPORT-001.html");
    const [first, second] = ws.bundles("reports/report/audit");
    expect(item).toContain(`href="../${bundlePage(first)}"`);
    expect(item).toContain(`href="../${bundlePage(second)}"`);
    for (const metric of ["correlation", "sum_ratio", "seconds"])
      expect(item).toMatch(new RegExp(`<figcaption>${metric}</figcaption><svg`));
    expect(item).toContain("<title>Attempt #2: 1</title>");
  });

  it("shows the image audit's pictures and marks the trace audit's first divergence", () => {
    const [audit] = ws.bundles("reports/report/audit");
    const page = site(bundlePage(audit));
    for (const name of ["ref", "port", "diff"])
      expect(page).toMatch(new RegExp(`<img src="[^"]*/image/${name}\\.png"`));
    expect(page).toContain("Every file of the bundle matches its recorded sha256.");
    const [trace] = ws.bundles("reports/report/trace");
    const tracePage = site(bundlePage(trace));
    expect(tracePage).toContain("First divergence: <strong>hkl_frac</strong>");
    expect(tracePage).toMatch(/<tr class="first-divergence"><td>hkl_frac<\/td>/);
  });

  it("builds again only the page of a bundle that changed, and flags the changed file", () => {
    const [, second] = ws.bundles("reports/report/audit");
    appendFileSync(join(second, "image/summary.md"), "\nedited after the run\n");
    const r = ws.nbloop(["report"]);
    expect(r.stdout).toContain("(1 items, 3 bundles: 1 bundle pages built, 2 kept)");
    expect(site(bundlePage(second))).toContain(
      '<p class="missing">Changed or missing since the run: image/summary.md</p>',
    );
  });

  it("builds 1,000 bundles in seconds, and again after one more in less", () => {
    const [audit] = ws.bundles("reports/report/audit");
    const many = join(ws.dir, "reports/many/audit");
    const result = JSON.parse(readFileSync(join(audit, "result.json"), "utf8"));
    for (let i = 0; i < 1000; i++) {
      const stamp = `20250101T${String(Math.floor(i / 60)).padStart(4, "0")}${String(i % 60).padStart(2, "0")}Z`;
      const copy = join(many, stamp);
      cpSync(audit, copy, { recursive: true });
      writeFileSync(
        join(copy, "result.json"),
        JSON.stringify({ ...result, bundle: `reports/many/audit/${stamp}` }),
      );
    }
    const time = () => {
      const started = performance.now();
      const r = ws.nbloop(["report"]);
      expect(r.code, r.stderr).toBe(0);
      return { seconds: (performance.now() - started) / 1000, out: r.stdout };
    };
    const first = time();
    expect(first.out).toContain("1003 bundles: 1000 bundle pages built, 3 kept");
    cpSync(audit, join(many, "20250102T000000Z"), { recursive: true });
    const again = time();
    expect(again.out).toContain("1004 bundles: 1 bundle pages built, 1003 kept");
    console.log(
      `report over 1,000 bundles: first build ${first.seconds.toFixed(2)} s, after one new bundle ${again.seconds.toFixed(2)} s`,
    );
    expect(first.seconds).toBeLessThan(30);
    expect(again.seconds).toBeLessThan(first.seconds);
  }, 120_000);
});
