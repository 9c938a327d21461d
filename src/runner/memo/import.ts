/**
 * A hand-written loop memo imported as a loop draft: commands become steps where they are plain argv,
 * artifacts and the bundle come from the Artifacts line, every other section is kept as written, and
 * everything that could not be mapped is listed for review. A brief (renderBrief) of the loop imports
 * back to the same loop: the parts of its format that are not prose are read exactly.
 */

import { Document, isScalar, isSeq, visit } from "yaml";
import {
  ASSIGNMENT,
  type Command,
  isCommand,
  lex,
  parseCommand,
  sameCommand,
} from "../../util/shell-words.js";
import type {
  Artifact,
  CaptureFile,
  CaptureKind,
  IfBlocked,
  LoopFile,
  Phase,
  Step,
  Stream,
} from "../load/loop.js";

const DEFAULT_LEDGER = "docs/fix_plan.md";
const DEFAULT_BUNDLE = "reports/{item}/{phase}/{stamp}/";
/** The Branch value that leaves the branch unset. */
export const CURRENT_BRANCH = "current branch";
/** The step of a memo whose Do Now names no command: it fails, so that an unreviewed draft cannot pass. */
export const TODO_STEP: Step = { id: "todo", run: ["false"] };
const ENV_SNAPSHOT = /^[^/]*env[^/]*\.json$/;
const ENV_SCHEMA = "nbloop:trace-env.schema.json";

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
  "priorities & rationale": "priorities",
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

const INTERPRETER = /^(python[\d.]*|node|zx|bash|sh|zsh|perl|ruby|Rscript)$/;
const fileName = (path: string): string => path.split("/").at(-1) ?? path;
const baseName = (path: string): string => fileName(path).replace(/\.[^.]*$/, "");

/** A short step ID from the program (the script's name for an interpreter), unique in the phase. */
export function stepId(command: Command, taken: Set<string>): string {
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

/** Step fields a brief writes in parentheses after a command: `(id: trace, stdout: f, timeout: 60 s)`. */
export const STEP_OPTIONS = ["id", "stdout", "stderr", "cwd", "timeout", "if_env", "unless_env"] as const;
type StepOptions = Partial<Pick<Step, (typeof STEP_OPTIONS)[number]>>;
const OPTIONS_AFTER = new RegExp(`^\\s*\\(((?:${STEP_OPTIONS.join("|")}): [^()]*)\\)`);

interface Span {
  code: string;
  options: StepOptions;
  start: number;
  end: number;
}

function spansOf(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(/`([^`]+)`/g)) {
    const start = match.index ?? 0;
    let end = start + match[0].length;
    const options: StepOptions = {};
    const after = OPTIONS_AFTER.exec(text.slice(end));
    if (after) {
      for (const part of after[1].split(", ")) {
        const [key, value] = [part.slice(0, part.indexOf(":")), part.slice(part.indexOf(":") + 2)];
        if (key === "timeout") options.timeout = Number.parseFloat(value);
        else options[key as Exclude<keyof StepOptions, "timeout">] = value;
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
const PHASE_NAME = "([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)";
const PHASE = new RegExp(`\\bPhase\\s+${PHASE_NAME}`);
const PHASE_ALONE = new RegExp(`\\(\\s*Phase\\s+${PHASE_NAME}\\s*\\)`);
const PHASE_LAST = new RegExp(`\\bPhase\\s+${PHASE_NAME}[\\s.;,]*$`);
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

function expandBraces(word: string): string[] {
  const group = /\{([^{}]*,[^{}]*)\}/.exec(word);
  if (!group) return [word];
  const [before, after] = [word.slice(0, group.index), word.slice(group.index + group[0].length)];
  return group[1].split(",").flatMap((choice) => expandBraces(before + choice + after));
}

/** Where the memo's paths go in the loop. */
interface Placement {
  /** The artifacts' common folder, where a bare file name lives ("" for the workspace root). */
  folder: string;
  /** The bundle folder as the memo writes it, {stamp} for its placeholder (none without one). */
  bundleDir?: string;
}

/**
 * A memo path as a loop path: in place, relative to the workspace (a bare name in the artifacts'
 * folder), or `{bundle}/...` when it lies under the memo's timestamped folder, which is the bundle.
 */
function placed(path: string, at: Placement): string {
  let full = path.replace(STAMP_PLACEHOLDER, "{stamp}").replace(/^\.\//, "");
  if (!path.includes("/") && at.folder) full = `${at.folder}/${full}`;
  full = full.replace(/\/+$/, "");
  if (at.bundleDir && full === at.bundleDir) return "{bundle}";
  return at.bundleDir && full.startsWith(`${at.bundleDir}/`)
    ? `{bundle}/${full.slice(at.bundleDir.length + 1)}`
    : full;
}

const folderOf = (path: string): string[] => path.split("/").slice(0, -1);

function commonFolder(folders: string[][]): string[] {
  let common = folders[0] ?? [];
  for (const folder of folders) {
    let n = 0;
    while (n < common.length && n < folder.length && common[n] === folder[n]) n++;
    common = common.slice(0, n);
  }
  return common;
}

/** The paths of the Artifacts line, braces expanded and placeholders as {stamp}; the rest is prose. */
function artifactWords(text: string): { paths: string[]; prose: string[] } {
  const paths: string[] = [];
  const prose: string[] = [];
  for (const raw of text.split(/[\s,]+(?![^{]*\})/)) {
    const word = raw.replace(/^[`'"(]+|[`'"),.;:]+$/g, "");
    if (!word) continue;
    if (/[/{]/.test(word) || /\.\w+$/.test(word))
      paths.push(...expandBraces(word.replace(STAMP_PLACEHOLDER, "{stamp}")));
    else prose.push(raw);
  }
  return { paths, prose };
}

/**
 * The Artifacts line as a bundle template and in-place artifacts. The bundle is the folder of the
 * first path with a timestamp placeholder, cut after it, and the artifacts under it are `{bundle}/`
 * paths; without a placeholder the bundle is the paths' common folder + `{stamp}/` (so that the
 * runner's notes.md, beside the bundle, is the memo's), and the artifacts stay workspace paths. A
 * bare file name is a file in the paths' common folder, `./name` one at the workspace root.
 */
export function readArtifacts(
  text: string,
  unmapped: string[],
): { bundle?: string; artifacts: Artifact[]; placement: Placement } {
  const { paths, prose } = artifactWords(text);
  if (prose.length > 0) unmapped.push(`Artifacts: text not mapped: ${prose.join(" ")}`);
  // `./name` is a file at the workspace root: it says where it is, not where the others are
  const nested = paths.filter((path) => path.includes("/") && !path.startsWith("./"));
  const folder = commonFolder(nested.map(folderOf)).join("/");
  const stamped = nested.map(folderOf).find((f) => f.some((segment) => segment.includes("{stamp}")));
  const at: Placement = { folder };
  if (stamped) {
    at.bundleDir = stamped
      .slice(0, stamped.findIndex((segment) => segment.includes("{stamp}")) + 1)
      .join("/");
  } else if (nested.length > 0 && !folder) {
    unmapped.push(`Artifacts: the paths share no folder: ${nested.join(", ")}`);
  }
  const bundle = at.bundleDir ? `${at.bundleDir}/` : folder ? `${folder}/{stamp}/` : undefined;
  if (bundle && !at.bundleDir) {
    unmapped.push(`Artifacts: no timestamp placeholder; they stay in place, each run's bundle is ${bundle}`);
  }
  const artifacts: Artifact[] = [];
  for (const path of paths) {
    const where = placed(path, at);
    if (!where || where === "{bundle}" || where === folder || artifacts.some((a) => a.path === where))
      continue;
    if (/\{stamp\}|\$|<[^>]*>/.test(where)) unmapped.push(`Artifacts: placeholder left in ${where}`);
    artifacts.push(
      ENV_SNAPSHOT.test(fileName(where)) ? { path: where, schema: ENV_SCHEMA } : { path: where },
    );
  }
  return { bundle, artifacts, placement: at };
}

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
function readBlocked(text: string, at: Placement, steps: Step[], unmapped: string[]): IfBlocked {
  const listed = BLOCKED_LIST.exec(text);
  const note = (listed ? text.slice(0, listed.index) : text).trim();
  const read = listed ? readBlockedList(listed[1], unmapped) : blockedFromProse(note, at, steps);
  return compact<IfBlocked>({ note: note || undefined, ...read });
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

/** `zx script.mjs args` is a script step; anything else runs as argv, or as a shell string. */
function stepOf(id: string, command: Command, options: Omit<StepOptions, "id">): Step {
  const { run, env } = command;
  if (Array.isArray(run) && run[0] === "zx" && /\.m?js$/.test(run[1] ?? "")) {
    return compact<Step>({ id, script: run[1], args: nonEmpty(run.slice(2)), ...options, env });
  }
  return compact<Step>({ id, run, shell: typeof run === "string" || undefined, ...options, env });
}

/**
 * The Do Now commands as steps. A span is a command when it reads as one, or when step options
 * follow it (a brief names the step of a one-word command that way).
 */
function readSteps(text: string, unmapped: string[]): { steps: Step[]; commands: Command[] } {
  const taken = new Set<string>();
  const commands: Command[] = [];
  const steps: Step[] = [];
  const spans = spansOf(text).filter((span) => span.options.id !== undefined || isCommand(span.code));
  for (const span of spans) {
    const command = parseCommand(span.code);
    const { id: given, ...options } = span.options;
    const id = given ?? stepId(command, taken);
    taken.add(id);
    commands.push(command);
    steps.push(stepOf(id, command, options));
    if (typeof command.run === "string") {
      unmapped.push(
        `Do Now step ${id} ${needsText(command)}; kept as a shell string, review it: ${command.run}`,
      );
    }
  }
  const prose = leftoverProse(text, spans);
  if (steps.length === 0) {
    steps.push(TODO_STEP);
    const says = prose ? `. Do Now says: ${prose}` : "";
    unmapped.push(`Do Now: no command in backticks; step todo runs \`false\` in its place${says}`);
  } else if (prose) {
    unmapped.push(`Do Now: text beside the commands not mapped: ${prose}`);
  }
  return { steps, commands };
}

/**
 * How-To Map commands are listed for review unless they repeat a Do Now command: the map is guidance
 * (alternatives, "if needed" commands, setup a person does once), kept as written but never run.
 */
function reviewHowTo(bullets: string[], doNow: Command[], unmapped: string[]): void {
  const reported: Command[] = [];
  for (const bullet of bullets) {
    for (const code of spansOf(bullet).map((span) => span.code)) {
      if (!isCommand(code)) continue;
      const command = parseCommand(code);
      if ([...doNow, ...reported].some((seen) => sameCommand(seen, command))) continue;
      reported.push(command);
      const why = command.needs.length > 0 ? needsText(command) : "not a Do Now command";
      unmapped.push(`How-To Map command not mapped, ${why}: ${code.trim()}`);
    }
  }
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

/** The loop-level fields: item, title, ledger and plan from the Focus, and the phase's name. */
function readHeader(byKey: Map<string, Entry>, unmapped: string[]): Focus & { item: string; phase: string } {
  const focus = readFocus(textOf(byKey.get("focus")), unmapped);
  if (!focus.item) unmapped.push("Focus: no ledger item ID (like ABC-DEF-001); item set to TODO");
  const item = focus.item ?? "TODO";
  const phase = focus.phase ?? PHASE.exec(textOf(byKey.get("do_now")))?.[1] ?? "main";
  if (!focus.phase) unmapped.push(`Focus: no "Phase X"; phase named ${phase}`);
  if (!focus.title) unmapped.push(`Focus: no title beside the item; title set to ${item}`);
  return { ...focus, item, phase, title: focus.title || item };
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

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

/** The object without its undefined keys, in the order given (the schema's order). */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** Lists of words read best on one line, as loop files are written by hand. */
const FLOW_LISTS = new Set(["run", "args", "capture", "streams"]);

function loopYaml(loop: LoopFile, unmapped: string[], source: string): string {
  const doc = new Document(loop);
  visit(doc, {
    Pair(_, pair) {
      const list = pair.value;
      if (isScalar(pair.key) && FLOW_LISTS.has(String(pair.key.value)) && isSeq(list)) {
        list.flow = list.items.every((item) => isScalar(item));
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
