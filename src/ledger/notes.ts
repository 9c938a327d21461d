/** `notes.md` in a bundle's topic folder: timestamped entries appended below what is there. */

/** `### <UTC time to the second> — <phase> — <result>`, the lines, then a blank line. */
export function notesEntry(at: Date, phase: string, result: string, lines: string[]): string {
  const stamp = at.toISOString().replace(/\.\d+Z$/, "Z");
  const heading = `### ${stamp} — ${oneLine(phase)} — ${oneLine(result)}`;
  return `${[heading, ...lines].join("\n")}\n\n`;
}

/** The new content: a "# Notes" file for a first entry, else the old bytes, a blank line, the entry. */
export function appendNotes(existing: string | null, entry: string): string {
  if (existing === null) return `# Notes\n\n${entry}`;
  const eol = existing.includes("\r\n") ? "\r\n" : "\n";
  const body = eol === "\n" ? entry : entry.replace(/\r?\n/g, "\r\n");
  if (existing === "" || existing.endsWith(`${eol}${eol}`) || existing === eol) return existing + body;
  return existing + (existing.endsWith(eol) ? eol : eol + eol) + body;
}

// A line break in the heading would push the rest of it into the entry's body.
function oneLine(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
