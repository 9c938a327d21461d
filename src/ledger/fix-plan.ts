/**
 * The ledger `docs/fix_plan.md`: its index and item sections read tolerantly, and attempts appended as
 * inserted lines only, so that a hand-kept ledger with drift is never rewritten.
 */

import { cellValue, isSeparatorRow, tableCells } from "./table-row.js";
import { blockEnd, type Insertion, insertLines, isBlank, splitLines, type TextLines } from "./text-lines.js";

export type AttemptResult = "success" | "partial" | "failed" | "blocked";

export interface AttemptEntry {
  /** YYYY-MM-DD (UTC). */
  date: string;
  result: AttemptResult;
  summary: string;
  metrics?: string;
  /** The mapped tests' counts. */
  tests?: string;
  artifacts?: string[];
  firstDivergence?: string;
  /** Who to tell about a blocked run, and how (a memo's If Blocked "notify ..."). */
  notify?: string;
}

export interface LedgerAttempt {
  number: number;
  /** The text between the bullet's brackets (the ledger also holds stamps like 2025-10-10T172810Z). */
  date: string;
  /** The leading words after "Result:", up to the first " — ", " (", ". " or ";" ("" without "Result:"). */
  result: string;
  /** 1-based. */
  line: number;
}

export interface LedgerItem {
  id: string;
  title: string;
  status: string | null;
  priority: string | null;
  /** 1-based line of the section heading. */
  line: number;
  attempts: LedgerAttempt[];
}

export interface Ledger {
  /** One entry per `## [ID] Title` section, in file order: an ID with two sections appears twice. */
  items: LedgerItem[];
  /** The index table's IDs in row order, repeats kept. */
  indexIds: string[];
}

const RESULTS: readonly AttemptResult[] = ["success", "partial", "failed", "blocked"];
// The loop file's pattern for item IDs: an ID outside it could not round-trip through a heading.
const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SECTION_BREAK = /^#{1,2}(?:[ \t]|$)/;
const ANY_HEADING = /^#{1,6}(?:[ \t]|$)/;
const ITEM_HEADING = /^##[ \t]+\[([^\]\s]+)\][ \t]*(.*?)[ \t]*$/;
const INDEX_HEADING = /^##[ \t]+Index[ \t]*$/i;
const ATTEMPT_BULLET = /^[ \t]+[*-][ \t]+\[([^\]]*)\][ \t]+Attempt[ \t]+#(\d+)(.*)$/;
const FIELD = /^-[ \t]+([^:]+?)[ \t]*:[ \t]*(.*?)[ \t]*$/;
const ATTEMPTS_FIELD = /^-[ \t]+Attempts History[ \t]*:/i;
const TOP_LEVEL_FIELD = /^-[ \t]/;

interface Section {
  id: string;
  title: string;
  /** Index of the heading line. */
  start: number;
  /** Index of the first line after the section. */
  end: number;
}

interface IndexTable {
  ids: string[];
  lastRow: number;
}

export function parseLedger(text: string): Ledger {
  const view = splitLines(text);
  const items = itemSections(view).map((section) => readItem(view, section));
  return { items, indexIds: indexTable(view)?.ids ?? [] };
}

export function nextAttemptNumber(text: string, id: string): number {
  return nextNumber(parseLedger(text).items.filter((item) => item.id === id));
}

export function appendAttempt(
  text: string,
  id: string,
  title: string,
  entry: AttemptEntry,
): { text: string; number: number; createdItem: boolean } {
  if (!ITEM_ID.test(id)) throw new Error(`ledger item ID "${id}" must match ${ITEM_ID.source}`);
  const view = splitLines(text);
  const sections = itemSections(view).filter((section) => section.id === id);
  const number = nextNumber(sections.map((section) => readItem(view, section)));
  const attempt = formatAttempt(number, entry);
  if (sections.length > 0) {
    const insertion = attemptInsertion(view, sections[sections.length - 1], attempt);
    return { text: insertLines(text, view, [insertion]), number, createdItem: false };
  }
  return {
    text: insertLines(text, view, newItemInsertions(view, id, oneLine(title), attempt)),
    number,
    createdItem: true,
  };
}

export function formatAttempt(number: number, entry: AttemptEntry): string[] {
  if (!Number.isInteger(number) || number < 0) throw new Error(`attempt number ${number} is not a count`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.date))
    throw new Error(`attempt date "${entry.date}" is not YYYY-MM-DD`);
  if (!RESULTS.includes(entry.result))
    throw new Error(`attempt result "${entry.result}" is not one of ${RESULTS}`);
  const summary = oneLine(entry.summary);
  const lines = [
    `  * [${entry.date}] Attempt #${number} — Result: ${entry.result}${summary ? ` — ${summary}` : ""}`,
  ];
  if (entry.metrics?.trim()) lines.push(`    Metrics: ${oneLine(entry.metrics)}`);
  if (entry.tests?.trim()) lines.push(`    Tests: ${oneLine(entry.tests)}`);
  if (entry.artifacts?.length) lines.push(`    Artifacts: ${entry.artifacts.map(oneLine).join(", ")}`);
  if (entry.firstDivergence?.trim()) lines.push(`    First Divergence: ${oneLine(entry.firstDivergence)}`);
  if (entry.notify?.trim()) lines.push(`    Notify: ${oneLine(entry.notify)}`);
  return lines;
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, each space a hyphen. */
export function headingSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

// A line break inside a value would end the bullet and leave the rest as stray ledger text.
function oneLine(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

function nextNumber(items: LedgerItem[]): number {
  let max = 0;
  for (const item of items) for (const attempt of item.attempts) max = Math.max(max, attempt.number);
  return max + 1;
}

function isSectionBreak(view: TextLines, i: number): boolean {
  return !view.fenced[i] && SECTION_BREAK.test(view.lines[i]);
}

function itemSections(view: TextLines): Section[] {
  const sections: Section[] = [];
  let open: Section | null = null;
  for (let i = 0; i < view.lines.length; i++) {
    if (!isSectionBreak(view, i)) continue;
    if (open) open.end = i;
    const heading = ITEM_HEADING.exec(view.lines[i]);
    open = heading ? { id: heading[1], title: heading[2], start: i, end: view.lines.length } : null;
    if (open) sections.push(open);
  }
  return sections;
}

function readItem(view: TextLines, section: Section): LedgerItem {
  const fields = new Map<string, string>();
  const attempts: LedgerAttempt[] = [];
  for (let i = section.start + 1; i < section.end; i++) {
    if (view.fenced[i]) continue;
    const line = view.lines[i];
    const field = FIELD.exec(line);
    if (field && !fields.has(field[1].toLowerCase())) fields.set(field[1].toLowerCase(), field[2]);
    const bullet = ATTEMPT_BULLET.exec(line);
    if (bullet)
      attempts.push({
        number: Number(bullet[2]),
        date: bullet[1],
        result: resultWords(bullet[3]),
        line: i + 1,
      });
  }
  return {
    id: section.id,
    title: section.title,
    status: fields.get("status") ?? null,
    priority: fields.get("priority") ?? null,
    line: section.start + 1,
    attempts,
  };
}

function resultWords(rest: string): string {
  const at = rest.indexOf("Result:");
  if (at < 0) return "";
  const words = rest.slice(at + "Result:".length).trim();
  const stops = [" — ", " (", ". ", ";"].map((s) => words.indexOf(s)).filter((k) => k >= 0);
  return words.slice(0, Math.min(words.length, ...stops)).replace(/\.$/, "");
}

function indexTable(view: TextLines): IndexTable | null {
  const heading = view.lines.findIndex((line, i) => !view.fenced[i] && INDEX_HEADING.test(line));
  if (heading < 0) return null;
  let i = heading + 1;
  while (i < view.lines.length && isBlank(view.lines[i])) i++;
  const header = i;
  const ids: string[] = [];
  let lastRow = -1;
  for (; i < view.lines.length; i++) {
    const cells = tableCells(view.lines[i]);
    if (!cells) break;
    lastRow = i;
    if (i > header && !isSeparatorRow(cells)) ids.push(indexId(cellValue(cells[0])));
  }
  return lastRow < 0 ? null : { ids, lastRow };
}

function indexId(cell: string): string {
  const link = /^\[([^\]]+)\]/.exec(cell);
  return link ? link[1] : cell;
}

function attemptInsertion(view: TextLines, section: Section, attempt: string[]): Insertion {
  const { lines } = view;
  let history = -1;
  for (let i = section.start + 1; i < section.end; i++) {
    if (!view.fenced[i] && ATTEMPTS_FIELD.test(lines[i])) history = i;
  }
  if (history >= 0) return { after: blockEnd(lines, history, section.end), lines: attempt };
  // Without a history list, start one after the item's own fields, ahead of any sub-heading.
  let fieldsEnd = section.end;
  let lastField = -1;
  for (let i = section.start + 1; i < fieldsEnd; i++) {
    if (view.fenced[i]) continue;
    if (ANY_HEADING.test(lines[i])) fieldsEnd = i;
    else if (TOP_LEVEL_FIELD.test(lines[i])) lastField = i;
  }
  const after = lastField < 0 ? section.start : blockEnd(lines, lastField, fieldsEnd);
  return { after, lines: ["- Attempts History:", ...attempt] };
}

function newItemInsertions(view: TextLines, id: string, title: string, attempt: string[]): Insertion[] {
  const last = view.lines.length - 1;
  const gap = last >= 0 && !isBlank(view.lines[last]) ? [""] : [];
  const heading = title ? `[${id}] ${title}` : `[${id}]`;
  const section = [`## ${heading}`, "- Priority: Medium", "- Status: in_progress", "- Attempts History:"];
  const insertions: Insertion[] = [{ after: last, lines: [...gap, ...section, ...attempt] }];
  const index = indexTable(view);
  // An index row left behind by a removed section already names the item: a second row would be drift.
  if (index && !index.ids.includes(id)) {
    const row = `| [${id}](#${headingSlug(heading)}) | ${title.replace(/\|/g, "\\|")} | Medium | in_progress |`;
    insertions.push({ after: index.lastRow, lines: [row] });
  }
  return insertions;
}
