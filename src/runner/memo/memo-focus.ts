/**
 * The Focus line as the loop's header: the ledger item (by ID or by anchor), the plan, the phase and
 * the title left between them. The same ID, anchor and phase patterns mark the header in Do Now.
 */

import { type Entry, textOf } from "./memo-sections.js";

const DEFAULT_LEDGER = "docs/fix_plan.md";
export const LEDGER_ID = /\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+\b/;
export const ANCHOR = /([\w./-]+\.md)#([\w-]+)/;
const PHASE_NAME = "([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)";
export const PHASE = new RegExp(`\\bPhase\\s+${PHASE_NAME}`);
const PHASE_ALONE = new RegExp(`\\(\\s*Phase\\s+${PHASE_NAME}\\s*\\)`);
const PHASE_LAST = new RegExp(`\\bPhase\\s+${PHASE_NAME}[\\s.;,]*$`);
const PLAN = /[\w./-]+\.md\b(?!#)/;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `test-suite-triage-002-full-pytest-rerun` → `TEST-SUITE-TRIAGE-002`: words up to the first number. */
function idFromAnchor(anchor: string): string | undefined {
  const parts = anchor.split("-");
  const number = parts.findIndex((part) => /^\d+$/.test(part));
  return number > 0
    ? parts
        .slice(0, number + 1)
        .join("-")
        .toUpperCase()
    : undefined;
}

interface Focus {
  item?: string;
  title: string;
  ledger?: string;
  plan?: string;
  phase?: string;
}

/** Item, plan and phase out of the Focus line; what is left is the title. */
function readFocus(text: string, unmapped: string[]): Focus {
  const focus: Focus = { title: "" };
  let rest = text;
  const id = LEDGER_ID.exec(rest);
  const anchor = ANCHOR.exec(rest);
  if (anchor && (!id || anchor.index < id.index)) {
    focus.item = idFromAnchor(anchor[2]);
    if (!focus.item) unmapped.push(`Focus: no ledger ID in the anchor "#${anchor[2]}"`);
    if (anchor[1] !== DEFAULT_LEDGER) focus.ledger = anchor[1];
    rest = rest.replace(anchor[0], " ");
  } else if (id) {
    focus.item = id[0];
    rest = rest.replace(id[0], " ");
  }
  const plan = PLAN.exec(rest);
  if (plan) {
    focus.plan = plan[0];
    rest = rest.replace(plan[0], " ");
  }
  // a phase named on its own wins over one the title mentions ("Phase M failure synthesis")
  const phase = PHASE_ALONE.exec(rest) ?? PHASE_LAST.exec(rest) ?? PHASE.exec(rest);
  if (phase) {
    focus.phase = phase[1];
    // only a phase named on its own leaves the title
    const name = escapeRegExp(phase[1]);
    rest = rest
      .replace(new RegExp(`\\(\\s*Phase\\s+${name}\\s*\\)`), " ")
      .replace(new RegExp(`(?:›|>|/|—|–|-)?\\s*Phase\\s+${name}[\\s.;,]*$`), " ");
  }
  const edge = "(?:\\s|[—–:/|,;›>]|-(?=\\s))+";
  focus.title = rest
    .replace(/\s+/g, " ")
    .replace(new RegExp(`^${edge}|${edge}$`, "g"), "")
    .replace(/^\((.*)\)$/, "$1")
    .trim();
  return focus;
}

/** The loop-level fields: item, title, ledger and plan from the Focus, and the phase's name. */
export function readHeader(
  byKey: Map<string, Entry>,
  unmapped: string[],
): Focus & { item: string; phase: string } {
  const focus = readFocus(textOf(byKey.get("focus")), unmapped);
  if (!focus.item) unmapped.push("Focus: no ledger item ID (like ABC-DEF-001); item set to TODO");
  const item = focus.item ?? "TODO";
  const phase = focus.phase ?? PHASE.exec(textOf(byKey.get("do_now")))?.[1] ?? "main";
  if (!focus.phase) unmapped.push(`Focus: no "Phase X"; phase named ${phase}`);
  if (!focus.title) unmapped.push(`Focus: no title beside the item; title set to ${item}`);
  return { ...focus, item, phase, title: focus.title || item };
}
