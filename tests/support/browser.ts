/**
 * A real browser for the report's tests: Debian's Chromium (or NB_CHROMIUM) driven by playwright-core,
 * which downloads no browser of its own. Started headless, without the background connections a
 * closed network refuses.
 */

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export function chromiumPath(): string | null {
  const candidates = [process.env.NB_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c)) ?? null;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--allow-file-access-from-files",
    ],
  });
}
