/**
 * The report's pages in a real browser (Debian's Chromium through playwright-core), opened from disk
 * as a person opens them: no console errors, every picture loaded, every local link leading to a file
 * that exists, the search finding an attempt by a word of its text; screenshots of the index and of a
 * bundle page with an image audit are kept under tmp/report-screenshots/. Skipped, with a message,
 * only where Chromium is not installed.
 */

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchChromium } from "../support/browser.js";
import { REPO_ROOT } from "../support/paths.js";
import { reportWorkspace } from "../support/report-workspace.js";
import type { Workspace } from "../support/workspace.js";

const CHROMIUM = chromiumPath();
if (!CHROMIUM) console.warn("browser tests skipped: no Chromium (.ci/run installs Debian's chromium)");
const SHOTS = join(REPO_ROOT, "tmp/report-screenshots");

let ws: Workspace;
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM) return;
  ws = reportWorkspace();
  for (const phase of ["audit", "audit", "trace"]) ws.nbloop(["run", "loops/report.yaml", phase]);
  expect(ws.nbloop(["report"]).code).toBe(0);
  browser = await launchChromium(CHROMIUM);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** The page, loaded from disk, with the console errors it logged. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(pathToFileURL(join(ws.dir, "reports/site", path)).href);
  await page.waitForLoadState("load");
  return { page, errors };
}

const pages = () => {
  const bundles = [...ws.bundles("reports/report/audit"), ...ws.bundles("reports/report/trace")];
  return [
    "index.html",
    "items/REPORT-001.html",
    ...bundles.map((b) => `bundles/${b.slice(ws.dir.length + 1).replace(/\//g, "--")}.html`),
  ];
};

describe.skipIf(!CHROMIUM)("the report in Chromium", () => {
  it("every page: no console errors, every picture loaded, every local link resolves", async () => {
    for (const path of pages()) {
      const { page, errors } = await open(path);
      expect(errors, path).toEqual([]);
      const images = await page.$$eval("img", (imgs) =>
        imgs.map((i) => ({ src: i.getAttribute("src"), width: Number(Reflect.get(i, "naturalWidth")) })),
      );
      for (const image of images) expect(image.width, `${path}: ${image.src}`).toBeGreaterThan(0);
      const links = await page.$$eval("a[href]", (as) => as.map((a) => String(Reflect.get(a, "href"))));
      const local = links.filter((l) => l.startsWith("file:"));
      expect(local.length, path).toBeGreaterThan(0);
      for (const link of local)
        expect(existsSync(fileURLToPath(link.split("#")[0])), `${path} → ${link}`).toBe(true);
      await page.close();
    }
  }, 60_000);

  it("the bundle page with an image audit shows its three pictures; screenshots are kept", async () => {
    mkdirSync(SHOTS, { recursive: true });
    const index = await open("index.html");
    await index.page.screenshot({ path: join(SHOTS, "index.png"), fullPage: true });
    const audit = pages().find((p) => p.includes("--audit--")) as string;
    const { page } = await open(audit);
    expect(await page.$$eval(".pictures img", (imgs) => imgs.length)).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(SHOTS, "bundle-image-audit.png"), fullPage: true });
    expect(existsSync(join(SHOTS, "index.png"))).toBe(true);
    expect(existsSync(join(SHOTS, "bundle-image-audit.png"))).toBe(true);
  }, 30_000);

  it("the search finds an attempt by a word of its text", async () => {
    const { page, errors } = await open("index.html");
    await page.fill("#search", "two TRACES");
    const found = await page.$$eval("#results a", (as) => as.map((a) => a.textContent ?? ""));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^REPORT-001 Attempt #3 \(\d{4}-\d\d-\d\d\) blocked$/);
    await page.click("#results a");
    expect(page.url()).toMatch(/items\/REPORT-001\.html#attempt-3$/);
    await page.goBack();
    await page.fill("#search", "no such word anywhere");
    expect(await page.textContent("#results")).toBe("nothing found");
    expect(errors).toEqual([]);
  }, 30_000);
});
