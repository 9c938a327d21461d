/**
 * The lines a writer added: `after` must be `before` with whole lines inserted and nothing else
 * changed. Lines keep their endings, so a changed line ending counts as a change.
 */

export interface InsertedRun {
  /** 0-based index in `after` of the run's first line. */
  at: number;
  lines: string[];
}

export function linesWithEndings(text: string): string[] {
  return text.split(/(?<=\n)/).filter((line) => line !== "");
}

/** The inserted runs, or null when `before` is not `after` with lines removed (something was rewritten). */
export function insertedRuns(before: string, after: string): InsertedRun[] | null {
  const old = linesWithEndings(before);
  const now = linesWithEndings(after);
  const runs: InsertedRun[] = [];
  let i = 0;
  for (let j = 0; j < now.length; j++) {
    if (i < old.length && now[j] === old[i]) {
      i++;
      continue;
    }
    const run = runs[runs.length - 1];
    if (run && run.at + run.lines.length === j) run.lines.push(now[j]);
    else runs.push({ at: j, lines: [now[j]] });
  }
  return i === old.length ? runs : null;
}
