/**
 * A hand-written loop memo imported as a loop draft: commands become steps where they are plain argv,
 * artifacts and the bundle come from the Artifacts line, and everything that could not be mapped is
 * listed for review.
 */

import { Document, isScalar, isSeq, visit } from "yaml";
import type { Artifact, LoopFile, Phase, Step } from "./loop.js";
import { CURRENT_BRANCH } from "./memo-brief.js";
import { ASSIGNMENT, type Command, isCommand, lex, parseCommand, sameCommand } from "./shell-words.js";

const DEFAULT_LEDGER = "docs/fix_plan.md";
const DEFAULT_BUNDLE = "reports/{item}/{phase}/{stamp}/";

interface Entry {
  key: string;
  line: number;
  value: string;
  bullets: string[];
}

// At most four words, so that a prose line with a colon is not taken for a key.
const KEY_LINE = /^([A-Z][A-Za-z]*(?:[ -](?:&|[A-Za-z]+)){0,3}):(?:[ \t]+(.*))?$/;
const BULLET = /^\s*[-*]\s+(.*)$/;

/** The canonical key of each memo line the importer maps (the prompt's SupervisorMode is Mode). */
const KEYS: Record<string, string> = {
  summary: "summary",
  mode: "mode",
  supervisormode: "mode",
  focus: "focus",
  branch: "branch",
  "mapped tests": "tests",
  artifacts: "artifacts",
  "do now": "do_now",
  "if blocked": "blocked",
  "how-to map": "howto",
  "pitfalls to avoid": "pitfalls",
  pointers: "pointers",
  "next up": "next_up",
};

const canonicalKey = (key: string): string | undefined => KEYS[key.toLowerCase().replace(/\s+/g, " ")];
const oddTicks = (text: string): boolean => (text.match(/`/g)?.length ?? 0) % 2 === 1;

/**
 * Entries in memo order. A line continues the last bullet (or the value); inside a backtick span left
 * open (a heredoc) it is kept verbatim with its newline; only a known key not seen yet ends the span
 * (each comes once), so that a stray backtick cannot swallow the rest of the memo.
 */
function parseMemo(text: string): { entries: Entry[]; preamble: string[] } {
  const entries: Entry[] = [];
  const preamble: string[] = [];
  const seen = new Set<string>();
  let open = false;
  text.split(/\r?\n/).forEach((line, index) => {
    const last = entries.at(-1);
    const key = KEY_LINE.exec(line);
    const bullet = BULLET.exec(line);
    const canonical = key ? canonicalKey(key[1]) : undefined;
    if (key && (!open || (canonical && !seen.has(canonical)))) {
      if (canonical) seen.add(canonical);
      entries.push({ key: key[1], line: index + 1, value: key[2]?.trim() ?? "", bullets: [] });
    } else if (!last) {
      if (line.trim()) preamble.push(line.trim());
    } else if (open || (!bullet && line.trim())) {
      const separator = open ? "\n" : " ";
      const continued = open ? line : line.trim();
      if (last.bullets.length > 0) last.bullets[last.bullets.length - 1] += separator + continued;
      else last.value = last.value ? last.value + separator + continued : continued;
    } else if (bullet) {
      last.bullets.push(bullet[1].trim());
    }
    const current = entries.at(-1);
    open = current ? oddTicks(current.bullets.at(-1) ?? current.value) : false;
  });
  return { entries, preamble };
}

const itemsOf = (entry: Entry | undefined): string[] =>
  entry ? [entry.value, ...entry.bullets].filter((item) => item.length > 0) : [];
const textOf = (entry: Entry | undefined): string => itemsOf(entry).join(" ");

const INTERPRETER = /^(python[\d.]*|node|bash|sh|zsh|perl|ruby|Rscript)$/;
const baseName = (path: string): string => (path.split("/").at(-1) ?? path).replace(/\.[^.]*$/, "");

/** A short step ID from the program (the script's name for an interpreter), unique in the phase. */
function stepId(command: Command, taken: Set<string>): string {
  let argv = command.run;
  if (typeof argv === "string") {
    argv = lex(argv)
      .words.map((w) => w.text)
      .filter((word) => !ASSIGNMENT.test(word));
  }
  let name = baseName(argv[0] ?? "");
  if (INTERPRETER.test(name)) {
    // `sh -c '...'` and `python -c '...'` run inline code: the interpreter is the best name
    const script =
      argv[1] === "-m"
        ? argv[2]
        : argv.includes("-c")
          ? undefined
          : argv.slice(1).find((word) => !word.startsWith("-"));
    if (script) name = baseName(script);
  }
  const base =
    name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "") || `step${taken.size + 1}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

interface Span {
  code: string;
  /** `(stdout: f, cwd: d, timeout: 60 s)` written after the span by renderBrief. */
  options: Partial<Pick<Step, "stdout" | "stderr" | "cwd" | "timeout">>;
  start: number;
  end: number;
}

function spansOf(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(/`([^`]+)`/g)) {
    const start = match.index ?? 0;
    let end = start + match[0].length;
    const options: Span["options"] = {};
    const after = /^\s*\(((?:stdout|stderr|cwd|timeout): [^()]*)\)/.exec(text.slice(end));
    if (after) {
      for (const part of after[1].split(", ")) {
        const [key, value] = [part.slice(0, part.indexOf(":")), part.slice(part.indexOf(":") + 2)];
        if (key === "timeout") options.timeout = Number.parseFloat(value);
        else options[key as "stdout" | "stderr" | "cwd"] = value;
      }
      end += after[0].length;
    }
    spans.push({ code: match[1], options, start, end });
  }
  return spans;
}

export interface ImportedMemo {
  loop: LoopFile;
  phase: string;
  /** One line per thing the importer could not map: where in the memo, and why. */
  unmapped: string[];
  /** The loop as YAML, headed by a review comment, with `unmapped` as trailing comments. */
  yaml: string;
}

const LEDGER_ID = /\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+\b/;
const ANCHOR = /([\w./-]+\.md)#([\w-]+)/;
const PHASE = /\bPhase\s+([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;
const PLAN = /[\w./-]+\.md\b(?!#)/;
const STAMP_PLACEHOLDER = /\$(?:\{(?:STAMP|TIMESTAMP)\}|(?:STAMP|TIMESTAMP)\b)|<(?:stamp|timestamp)>/gi;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const clip = (text: string, max = 100): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

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
  const phase = PHASE.exec(rest);
  if (phase) {
    focus.phase = phase[1];
    // only a phase named on its own leaves the title; "Phase M failure synthesis" is part of it
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

/** Test selectors, without annotations in parentheses; "none …" is the evidence-only empty list. */
function readTests(text: string, unmapped: string[]): string[] {
  const notes: string[] = [];
  const bare = text.replace(/\s*\(([^()]*)\)/g, (whole) => {
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

function expandBraces(word: string): string[] {
  const group = /\{([^{}]*,[^{}]*)\}/.exec(word);
  if (!group) return [word];
  const [before, after] = [word.slice(0, group.index), word.slice(group.index + group[0].length)];
  return group[1].split(",").flatMap((choice) => expandBraces(before + choice + after));
}

/**
 * The Artifacts line as a bundle template and bundle-relative artifacts. The bundle is the paths'
 * common folder cut after its timestamp placeholder; a folder without one gets `{stamp}/` appended,
 * since every run writes a fresh bundle. Bare file names are files in that folder.
 */
function readArtifacts(text: string, unmapped: string[]): { bundle?: string; artifacts: Artifact[] } {
  const paths: string[] = [];
  const prose: string[] = [];
  for (const raw of text.split(/[\s,]+(?![^{]*\})/)) {
    const word = raw.replace(/^[`'"(]+|[`'"),.;:]+$/g, "");
    if (!word) continue;
    if (/[/{]/.test(word) || /\.\w+$/.test(word))
      paths.push(...expandBraces(word.replace(STAMP_PLACEHOLDER, "{stamp}")));
    else prose.push(raw);
  }
  if (prose.length > 0) unmapped.push(`Artifacts: text not mapped: ${prose.join(" ")}`);
  const nested = paths.filter((path) => path.includes("/"));
  const bare = paths.filter((path) => !path.includes("/"));
  const folders = nested.map((path) => path.split("/").slice(0, -1));
  let common = folders[0] ?? [];
  for (const folder of folders) {
    let n = 0;
    while (n < common.length && n < folder.length && common[n] === folder[n]) n++;
    common = common.slice(0, n);
  }
  if (common.length === 0) {
    if (nested.length > 0) unmapped.push(`Artifacts: the paths share no folder: ${nested.join(", ")}`);
    return { artifacts: bare.map((path) => ({ path })) };
  }
  const stamp = common.findIndex((segment) => segment.includes("{stamp}"));
  const depth = stamp >= 0 ? stamp + 1 : common.length;
  const bundle = `${[...common.slice(0, depth), ...(stamp >= 0 ? [] : ["{stamp}"])].join("/")}/`;
  if (stamp < 0) {
    unmapped.push(`Artifacts: no timestamp placeholder; each run now writes a fresh bundle ${bundle}`);
  }
  const artifacts: Artifact[] = [];
  for (const path of [...nested, ...bare]) {
    const relative = path.includes("/") ? path.split("/").slice(depth).join("/").replace(/\/+$/, "") : path;
    if (!relative || artifacts.some((a) => a.path === relative)) continue;
    if (/\{stamp\}|\$|<[^>]*>/.test(relative)) unmapped.push(`Artifacts: placeholder left in ${relative}`);
    artifacts.push({ path: relative });
  }
  return { bundle, artifacts };
}

/** The If Blocked note; stderr is always worth keeping, stdout when the memo asks for it. */
function readBlocked(text: string): NonNullable<Phase["if_blocked"]> {
  const listed = /\s*\(captures?: ([^)]*)\)\s*$/.exec(text);
  const note = (listed ? text.slice(0, listed.index) : text).trim();
  type Capture = NonNullable<NonNullable<Phase["if_blocked"]>["capture"]>[number];
  const kinds: Capture[] = ["stdout", "stderr", "env", "git_status"];
  const capture = listed
    ? listed[1].split(/,\s*/).filter((kind): kind is Capture => (kinds as string[]).includes(kind))
    : (["stderr", ...(/stdout/i.test(text) ? ["stdout"] : [])] as Capture[]);
  return note ? { capture, note } : { capture };
}

/** The Do Now text once the commands, the item and phase header and the joining words are gone. */
function leftoverProse(text: string, spans: Span[]): string {
  let prose = text;
  for (const span of [...spans].reverse()) prose = `${prose.slice(0, span.start)} ${prose.slice(span.end)}`;
  const joiner = "(?:\\s|[;,.:—–-]|\\b(?:run|then|and)\\b)*";
  return prose
    .replace(
      new RegExp(`^\\s*(?:${ANCHOR.source}|${LEDGER_ID.source})?\\s*(?:${PHASE.source})?\\s*[—–:-]?`),
      "",
    )
    .replace(/\s+/g, " ")
    .replace(new RegExp(`^${joiner}|${joiner}$`, "g"), "")
    .trim();
}

const needsText = (command: Command): string => `needs a shell (${command.needs.join(", ")})`;

/**
 * A loop draft from a hand-written memo: one phase, its Do Now commands as steps. How-To Map commands
 * never become steps: the map is guidance (alternatives, "if needed" commands, setup a person does
 * once), so running all of it would do what the memo's author did not ask for; those that repeat a
 * Do Now command are dropped, the others are listed for review.
 */
export function importMemo(text: string, source: string): ImportedMemo {
  const unmapped: string[] = [];
  const { entries, preamble } = parseMemo(text);
  if (preamble.length > 0) unmapped.push(`text before the first key not mapped: ${clip(preamble.join(" "))}`);
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

  const focus = readFocus(textOf(byKey.get("focus")), unmapped);
  const doNowText = textOf(byKey.get("do_now"));
  if (!focus.item) unmapped.push("Focus: no ledger item ID (like ABC-DEF-001); item set to TODO");
  const item = focus.item ?? "TODO";
  const phaseName = focus.phase ?? PHASE.exec(doNowText)?.[1] ?? "main";
  if (!focus.phase) unmapped.push(`Focus: no "Phase X"; phase named ${phaseName}`);
  if (!focus.title) unmapped.push(`Focus: no title beside the item; title set to ${item}`);

  const summary = textOf(byKey.get("summary"));
  if (!summary) unmapped.push("Summary: missing; a placeholder summary was written");
  const mode = textOf(byKey.get("mode"));
  const branch = textOf(byKey.get("branch"));
  const testsEntry = byKey.get("tests");
  const tests = testsEntry ? readTests(itemsOf(testsEntry).join(", "), unmapped) : undefined;
  const { bundle, artifacts } = readArtifacts(textOf(byKey.get("artifacts")), unmapped);
  if (!bundle) unmapped.push(`Artifacts: no folder given; bundle set to ${DEFAULT_BUNDLE}`);

  const taken = new Set<string>();
  const doNow: Command[] = [];
  const steps: Step[] = [];
  const commandSpans = spansOf(doNowText).filter((span) => isCommand(span.code));
  for (const span of commandSpans) {
    const command = parseCommand(span.code);
    const id = stepId(command, taken);
    doNow.push(command);
    const shell = typeof command.run === "string";
    steps.push(
      compact<Step>({ id, run: command.run, shell: shell || undefined, ...span.options, env: command.env }),
    );
    if (shell) {
      unmapped.push(
        `Do Now step ${id} ${needsText(command)}; kept as a shell string, review it: ${command.run}`,
      );
    }
  }
  const prose = leftoverProse(doNowText, commandSpans);
  if (steps.length === 0) {
    // a draft must have a step; one that fails keeps an unreviewed draft from passing
    steps.push({ id: "todo", run: ["false"] });
    const says = prose ? `. Do Now says: ${prose}` : "";
    unmapped.push(`Do Now: no command in backticks; step todo runs \`false\` in its place${says}`);
  } else if (prose) {
    unmapped.push(`Do Now: text beside the commands not mapped: ${prose}`);
  }

  const howTo = byKey.get("howto");
  const reported: Command[] = [];
  const guidance: string[] = [];
  for (const bullet of itemsOf(howTo)) {
    const codes = spansOf(bullet)
      .map((s) => s.code)
      .filter(isCommand);
    if (codes.length === 0) guidance.push(clip(/^[^:`]{1,40}(?=:)/.exec(bullet)?.[0] ?? bullet, 60));
    for (const code of codes) {
      const command = parseCommand(code);
      if ([...doNow, ...reported].some((seen) => sameCommand(seen, command))) continue;
      reported.push(command);
      const why = command.needs.length > 0 ? needsText(command) : "not a Do Now command";
      unmapped.push(`How-To Map command not mapped, ${why}: ${code.trim()}`);
    }
  }
  if (guidance.length > 0) {
    unmapped.push(`How-To Map (line ${howTo?.line}): guidance bullets not mapped: ${guidance.join("; ")}`);
  }

  const blockedEntry = byKey.get("blocked");
  const blockedText = textOf(blockedEntry);
  const nextUp = itemsOf(byKey.get("next_up"));
  const phase = compact<Phase>({
    summary: summary || `Phase ${phaseName} of ${item}`,
    mode: mode && !/^none$/i.test(mode) ? mode : undefined,
    mapped_tests: tests,
    do_now: steps,
    artifacts: artifacts.length > 0 ? artifacts : undefined,
    if_blocked: blockedEntry && !/^none$/i.test(blockedText) ? readBlocked(blockedText) : undefined,
    pitfalls: nonEmpty(itemsOf(byKey.get("pitfalls"))),
    pointers: nonEmpty(itemsOf(byKey.get("pointers"))),
    next_up: nextUp.length === 1 && /^none\.?$/i.test(nextUp[0]) ? undefined : nonEmpty(nextUp),
  });
  const loop = compact<LoopFile>({
    item,
    title: focus.title || item,
    ledger: focus.ledger,
    plan: focus.plan,
    branch: branch && branch !== CURRENT_BRANCH ? branch : undefined,
    bundle: bundle ?? DEFAULT_BUNDLE,
    phases: { [phaseName]: phase },
  });
  return { loop, phase: phaseName, unmapped, yaml: loopYaml(loop, unmapped, source) };
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

/** The object without its undefined keys, in the order given (the schema's order). */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function loopYaml(loop: LoopFile, unmapped: string[], source: string): string {
  const doc = new Document(loop);
  // argv and capture lists read best on one line, as loop files are written by hand
  visit(doc, {
    Pair(_, pair) {
      if (
        isScalar(pair.key) &&
        (pair.key.value === "run" || pair.key.value === "capture") &&
        isSeq(pair.value)
      ) {
        pair.value.flow = true;
      }
    },
  });
  doc.commentBefore = ` draft imported from ${source}: review the items listed at the end`;
  if (unmapped.length > 0) {
    const lines = unmapped.flatMap((entry) =>
      entry.split("\n").map((line, i) => (i === 0 ? ` - ${line}` : `   ${line}`)),
    );
    doc.comment = [" not mapped:", ...lines].join("\n");
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
