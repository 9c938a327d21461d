/**
 * A line-level view of a markdown file that lets writers insert whole lines while every other byte,
 * line endings included, stays as it was.
 */

export interface TextLines {
  /** Each line without its line ending. */
  lines: string[];
  /** Offset just past each line's ending (past the line itself for a last line without one). */
  ends: number[];
  /** The file's line ending: CRLF when it has any, else LF. */
  eol: "\n" | "\r\n";
  finalNewline: boolean;
  /** Whether each line lies in a fenced code block (fence lines included): never a heading or a row. */
  fenced: boolean[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function splitLines(text: string): TextLines {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines: string[] = [];
  const ends: number[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const stop = newline < 0 ? text.length : newline;
    lines.push(text.slice(start, stop > start && text[stop - 1] === "\r" ? stop - 1 : stop));
    start = newline < 0 ? text.length : newline + 1;
    ends.push(start);
  }
  return { lines, ends, eol, finalNewline: text.endsWith("\n"), fenced: fenceMask(lines) };
}

function fenceMask(lines: string[]): boolean[] {
  const fenced: boolean[] = [];
  let open: string | null = null;
  for (const line of lines) {
    const fence = FENCE.exec(line)?.[1] ?? null;
    if (open === null) {
      if (fence !== null) open = fence;
      fenced.push(open !== null);
    } else {
      fenced.push(true);
      if (fence !== null && fence[0] === open[0] && fence.length >= open.length) open = null;
    }
  }
  return fenced;
}

export interface Insertion {
  /** Index of the line the new lines follow; -1 puts them at the top. */
  after: number;
  lines: string[];
}

/** `text` with whole lines added and nothing else changed; a file without a final newline keeps none. */
export function insertLines(text: string, view: TextLines, insertions: Insertion[]): string {
  const ordered = [...insertions].sort((a, b) => b.after - a.after);
  for (const { after, lines } of ordered) {
    const block = lines.join(view.eol);
    const atUnterminatedEnd = after === view.lines.length - 1 && !view.finalNewline && after >= 0;
    const offset = after < 0 ? 0 : view.ends[after];
    const piece = atUnterminatedEnd ? view.eol + block : block + view.eol;
    text = text.slice(0, offset) + piece + text.slice(offset);
  }
  return text;
}

export function isBlank(line: string): boolean {
  return line.trim() === "";
}

export function isIndented(line: string): boolean {
  return /^[ \t]/.test(line) && !isBlank(line);
}

/**
 * The last line of the block that starts at the top-level line `first`: the lines indented under it,
 * across blank lines between them, up to (not including) a non-indented line or `limit`. Trailing
 * blank lines are left out so that an insertion after the block keeps them after it.
 */
export function blockEnd(lines: string[], first: number, limit: number): number {
  let last = first;
  for (let i = first + 1; i < limit; i++) {
    if (isIndented(lines[i])) last = i;
    else if (!isBlank(lines[i])) break;
  }
  return last;
}
