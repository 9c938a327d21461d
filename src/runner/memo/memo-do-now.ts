/**
 * The Do Now commands as the phase's steps, with the step options a brief writes after a command, and
 * the How-To Map commands that are not among them listed for review, since the map is never run.
 */

import {
  ASSIGNMENT,
  type Command,
  isCommand,
  lex,
  parseCommand,
  sameCommand,
} from "../../util/shell-words.js";
import type { Step } from "../load/loop.js";
import { compact, nonEmpty } from "./loop-draft.js";
import { fileName } from "./memo-artifacts.js";
import { ANCHOR, LEDGER_ID, PHASE } from "./memo-focus.js";

/** The step of a memo whose Do Now names no command: it fails, so that an unreviewed draft cannot pass. */
export const TODO_STEP: Step = { id: "todo", run: ["false"] };

const INTERPRETER = /^(python[\d.]*|node|zx|bash|sh|zsh|perl|ruby|Rscript)$/;
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

/** The backtick spans of a text, each with the step options written after it. */
export function spansOf(text: string): Span[] {
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
export function readSteps(text: string, unmapped: string[]): { steps: Step[]; commands: Command[] } {
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
export function reviewHowTo(bullets: string[], doNow: Command[], unmapped: string[]): void {
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
