/** notes.md entries: the heading's exact form and appends that never change what is there. */

import { describe, expect, it } from "vitest";
import { appendNotes, notesEntry } from "../../src/ledger/notes.js";

const AT = new Date(Date.UTC(2026, 10, 28, 7, 37, 33, 456));

describe("notes.md", () => {
  it("writes a heading with the UTC time to the second, the lines, then a blank line", () => {
    expect(notesEntry(AT, "L2b", "blocked", ["- trace step failed", "- bundle: reports/x/"])).toBe(
      "### 2026-11-28T07:37:33Z — L2b — blocked\n- trace step failed\n- bundle: reports/x/\n\n",
    );
    expect(notesEntry(AT, "L2c", "success", [])).toBe("### 2026-11-28T07:37:33Z — L2c — success\n\n");
  });

  it("starts a new file with a Notes heading", () => {
    expect(appendNotes(null, "### e\n\n")).toBe("# Notes\n\n### e\n\n");
  });

  it("appends after a blank line, adding only what is missing", () => {
    expect(appendNotes("# Notes\n\n### a\n\n", "### b\n\n")).toBe("# Notes\n\n### a\n\n### b\n\n");
    expect(appendNotes("# Notes\nhand text\n", "### b\n\n")).toBe("# Notes\nhand text\n\n### b\n\n");
    expect(appendNotes("# Notes\nhand text", "### b\n\n")).toBe("# Notes\nhand text\n\n### b\n\n");
    expect(appendNotes("", "### b\n\n")).toBe("### b\n\n");
  });

  it("keeps a CRLF file CRLF", () => {
    expect(appendNotes("# Notes\r\nhand\r\n", "### b\nline\n\n")).toBe(
      "# Notes\r\nhand\r\n\r\n### b\r\nline\r\n\r\n",
    );
  });
});
