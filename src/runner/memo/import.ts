/**
 * A hand-written loop memo imported as a loop draft: commands become steps where they are plain argv,
 * artifacts and the bundle come from the Artifacts line, every other section is kept as written, and
 * everything that could not be mapped is listed for review. A brief (renderBrief) of the loop imports
 * back to the same loop: the parts of its format that are not prose are read exactly.
 */

import type { LoopFile, Phase } from "../load/loop.js";
import { compact, loopYaml, nonEmpty } from "./loop-draft.js";
import { readArtifacts } from "./memo-artifacts.js";
import { readSteps, reviewHowTo } from "./memo-do-now.js";
import { readHeader } from "./memo-focus.js";
import { readBlocked } from "./memo-if-blocked.js";
import { canonicalKey, type Entry, itemsOf, parseMemo, textOf } from "./memo-sections.js";

const DEFAULT_BUNDLE = "reports/{item}/{phase}/{stamp}/";
/** The Branch value that leaves the branch unset. */
export const CURRENT_BRANCH = "current branch";

export interface ImportedMemo {
  loop: LoopFile;
  phase: string;
  /** One line per thing the importer could not map: where in the memo, and why. */
  unmapped: string[];
  /** The loop as YAML, headed by a review comment, with `unmapped` as trailing comments. */
  yaml: string;
}

const clip = (text: string, max = 100): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Test selectors, without annotations in parentheses; "none …" is the evidence-only empty list. A
 * parametrised pytest ID keeps its `[...]` whole, commas and parentheses included.
 */
function readTests(text: string, unmapped: string[]): string[] {
  const notes: string[] = [];
  const bare = text.replace(/\s*\(([^()]*)\)(?![^[]*\])/g, (whole) => {
    notes.push(whole.trim());
    return "";
  });
  if (notes.length > 0) unmapped.push(`Mapped tests: annotation dropped: ${notes.join(" ")}`);
  if (/^none\b/i.test(bare.trim())) return [];
  return bare
    .split(/[,;](?![^[]*\])/)
    .map((test) => test.trim().replace(/^`|`$/g, ""))
    .filter((test) => test.length > 0);
}

/** The memo's entries by canonical key; unknown and repeated keys are listed (Artifacts add up). */
function entriesByKey(entries: Entry[], unmapped: string[]): Map<string, Entry> {
  const byKey = new Map<string, Entry>();
  for (const entry of entries) {
    const key = canonicalKey(entry.key);
    const previous = key ? byKey.get(key) : undefined;
    if (!key) {
      const size = entry.bullets.length > 0 ? `${entry.bullets.length} bullets` : clip(entry.value, 60);
      unmapped.push(`${entry.key} (line ${entry.line}): no such field in a loop file; not mapped (${size})`);
    } else if (previous && key === "artifacts") {
      previous.bullets.push(...itemsOf(entry));
    } else if (previous) {
      unmapped.push(`${entry.key} (line ${entry.line}): repeated; only line ${previous.line} is mapped`);
    } else {
      byKey.set(key, entry);
    }
  }
  return byKey;
}

/** A list section; a lone "none" is no list. */
const listOf = (entry: Entry | undefined): string[] | undefined => {
  const items = itemsOf(entry);
  return items.length === 1 && /^none\.?$/i.test(items[0]) ? undefined : nonEmpty(items);
};

/** A loop draft from a hand-written memo: one phase, its Do Now commands as steps. */
export function importMemo(text: string, source: string): ImportedMemo {
  const unmapped: string[] = [];
  const { entries, preamble } = parseMemo(text);
  if (preamble.length > 0) unmapped.push(`text before the first key not mapped: ${clip(preamble.join(" "))}`);
  const byKey = entriesByKey(entries, unmapped);
  const header = readHeader(byKey, unmapped);

  const summary = textOf(byKey.get("summary"));
  if (!summary) unmapped.push("Summary: missing; a placeholder summary was written");
  const mode = textOf(byKey.get("mode"));
  const branch = textOf(byKey.get("branch"));
  const testsEntry = byKey.get("tests");
  const tests = testsEntry ? readTests(itemsOf(testsEntry).join(", "), unmapped) : undefined;
  const { bundle, artifacts, placement } = readArtifacts(textOf(byKey.get("artifacts")), unmapped);
  if (!bundle) unmapped.push(`Artifacts: no folder given; bundle set to ${DEFAULT_BUNDLE}`);
  const { steps, commands } = readSteps(textOf(byKey.get("do_now")), unmapped);
  const howTo = itemsOf(byKey.get("howto"));
  reviewHowTo(howTo, commands, unmapped);
  const blocked = textOf(byKey.get("blocked"));

  const phase = compact<Phase>({
    summary: summary || `Phase ${header.phase} of ${header.item}`,
    mode: mode && !/^none$/i.test(mode) ? mode : undefined,
    mapped_tests: tests,
    do_now: steps,
    artifacts: nonEmpty(artifacts),
    if_blocked:
      blocked && !/^none$/i.test(blocked) ? readBlocked(blocked, placement, steps, unmapped) : undefined,
    priorities: nonEmpty(itemsOf(byKey.get("priorities"))),
    how_to: nonEmpty(howTo),
    pitfalls: nonEmpty(itemsOf(byKey.get("pitfalls"))),
    pointers: nonEmpty(itemsOf(byKey.get("pointers"))),
    next_up: listOf(byKey.get("next_up")),
  });
  const loop = compact<LoopFile>({
    item: header.item,
    title: header.title,
    ledger: header.ledger,
    plan: header.plan,
    branch: branch && branch !== CURRENT_BRANCH ? branch : undefined,
    bundle: bundle ?? DEFAULT_BUNDLE,
    phases: { [header.phase]: phase },
  });
  return { loop, phase: header.phase, unmapped, yaml: loopYaml(loop, unmapped, source) };
}
