/**
 * The If Blocked line as the phase's note, captures and notify: a brief's parenthesis is read exactly,
 * otherwise the captures and the person to tell are read out of the prose.
 */

import type { CaptureFile, CaptureKind, IfBlocked, Step, Stream } from "../load/loop.js";
import { compact, nonEmpty } from "./loop-draft.js";
import { fileName, type Placement, placed } from "./memo-artifacts.js";
import { spansOf } from "./memo-do-now.js";

const KINDS: CaptureKind[] = ["stdout", "stderr", "env", "git_status"];
const STREAMS_WORD = "output|stdout|stderr|stdout\\+stderr|stderr\\+stdout";
const CAPTURE_FILE = new RegExp(`^(${STREAMS_WORD})(?: of (\\S+))? into (.+)$`);
/** The parenthesis a brief writes after the If Blocked note (the older `(captures: ...)` included). */
const BLOCKED_LIST = /\s*\(captures?: (.*)\)\s*$/s;
const NOTIFY = /\b(?:notify|tell|ping)\b/i;

/** A capture file as a brief lists it: `stdout+stderr of trace into reports/x.txt` (`output`: both). */
export function captureFileText(capture: CaptureFile): string {
  const streams = capture.streams ? capture.streams.join("+") : "output";
  return `${streams}${capture.step ? ` of ${capture.step}` : ""} into ${capture.file}`;
}

/** The brief's `captures: a, b, file capture; notify: text`, read exactly. */
function readBlockedList(list: string, unmapped: string[]): Omit<IfBlocked, "note"> {
  const cut = list.indexOf("; notify: ");
  const captures = cut < 0 ? list : list.slice(0, cut);
  const capture: IfBlocked["capture"] = [];
  for (const item of captures.trim() === "none" ? [] : captures.split(", ")) {
    const file = CAPTURE_FILE.exec(item);
    if ((KINDS as string[]).includes(item)) capture.push(item as CaptureKind);
    else if (file) {
      const streams = file[1] === "output" ? undefined : (file[1].split("+") as Stream[]);
      capture.push(compact<CaptureFile>({ file: file[3], streams, step: file[2] }));
    } else unmapped.push(`If Blocked: capture not understood: ${item}`);
  }
  return { capture: nonEmpty(capture), notify: cut < 0 ? undefined : list.slice(cut + 10) };
}

/** Clauses of a sentence: split at semicolons, dashes and full stops outside backticks. */
function clausesOf(text: string): string[] {
  const masked = text.replace(/`[^`]*`/g, (span) => "_".repeat(span.length));
  const clauses: string[] = [];
  let start = 0;
  for (const match of masked.matchAll(/;|[—–]|\.(?=\s|$)/g)) {
    clauses.push(text.slice(start, match.index).trim());
    start = (match.index ?? 0) + match[0].length;
  }
  clauses.push(text.slice(start).trim());
  return clauses.filter((clause) => clause.length > 0);
}

/** The step a clause names as "from the X run": the first whose ID, or else command, contains X. */
function namedStep(clause: string, steps: Step[]): string | undefined {
  const named = /\b(?:from|of) the ([\w.-]+) run\b/i.exec(clause)?.[1].toLowerCase();
  if (!named) return undefined;
  const command = (step: Step) => JSON.stringify(step.run ?? [step.script, ...(step.args ?? [])]);
  const step =
    steps.find((s) => s.id.toLowerCase().includes(named)) ??
    steps.find((s) => command(s).toLowerCase().includes(named));
  return step?.id;
}

/** The clause that says notify (tell, ping) as written; a bare verb joined by "and" belongs to it. */
function notifyOf(clauses: string[]): string | undefined {
  const clause = clauses.find((c) => NOTIFY.test(c));
  if (!clause) return undefined;
  const pieces = clause.split(/(\s+and\s+)/);
  let first = pieces.findIndex((piece, i) => i % 2 === 0 && NOTIFY.test(piece));
  while (first >= 2 && /^\S+$/.test(pieces[first - 2])) first -= 2;
  return pieces.slice(first).join("");
}

/**
 * If Blocked prose mapped onto the loop's fields: stderr always (the runner keeps it anyway), stdout
 * when named; each file in backticks receives the output (a bare name lies beside the artifacts), of
 * the streams and the step ("from the harness run") its clause names. notes.md is not one: the
 * runner writes the cause there itself.
 */
function blockedFromProse(note: string, at: Placement, steps: Step[]): Omit<IfBlocked, "note"> {
  const files: CaptureFile[] = [];
  const clauses = clausesOf(note);
  for (const clause of clauses) {
    for (const span of spansOf(clause)) {
      if (!/^\S+\.[A-Za-z0-9]+$/.test(span.code) || fileName(span.code) === "notes.md") continue;
      const named = (clause.match(/\b(?:stdout|stderr)\b/gi) ?? []).map((s) => s.toLowerCase() as Stream);
      const streams = nonEmpty([...new Set(named)]);
      files.push(
        compact<CaptureFile>({ file: placed(span.code, at), streams, step: namedStep(clause, steps) }),
      );
    }
  }
  const kinds: CaptureKind[] = /\bstdout\b/i.test(note) ? ["stdout", "stderr"] : ["stderr"];
  return { capture: [...kinds, ...files], notify: notifyOf(clauses) };
}

/** The If Blocked line: the note as written, then the brief's parenthesis or else what the prose says. */
export function readBlocked(text: string, at: Placement, steps: Step[], unmapped: string[]): IfBlocked {
  const listed = BLOCKED_LIST.exec(text);
  const note = (listed ? text.slice(0, listed.index) : text).trim();
  const read = listed ? readBlockedList(listed[1], unmapped) : blockedFromProse(note, at, steps);
  return compact<IfBlocked>({ note: note || undefined, ...read });
}
