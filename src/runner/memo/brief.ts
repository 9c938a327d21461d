/**
 * A loop phase rendered as a memo in the hand-written format (`Key: value` lines, then `- ` bullet
 * sections), for people or agents who work from memos. importMemo reads a brief back to the same
 * loop: where prose would be ambiguous, the brief adds what the importer reads exactly (step options
 * in parentheses after a command, the If Blocked captures in a parenthesis after the note).
 */

import { InputError } from "../../util/input-error.js";
import { isCommand, parseCommand } from "../../util/shell-words.js";
import { quote } from "../collect/bundle.js";
import type { Artifact, LoopFile, MappedTest, Phase, Step } from "../load/loop.js";
import { CURRENT_BRANCH } from "./import.js";
import { readArtifacts } from "./memo-artifacts.js";
import { STEP_OPTIONS, stepId, TODO_STEP } from "./memo-do-now.js";
import { captureFileText } from "./memo-if-blocked.js";

const NO_TESTS = "none — evidence-only";

/** The phase as a memo in the hand-written format, so that a person or an agent can follow it. */
export function renderBrief(loop: LoopFile, phaseName: string): string {
  const phase = loop.phases[phaseName];
  if (!phase) {
    throw new InputError(
      `loop ${loop.item}: no phase "${phaseName}" (phases: ${Object.keys(loop.phases).join(", ")})`,
    );
  }
  const lines = [
    `Summary: ${phase.summary}`,
    `Mode: ${phase.mode ?? "none"}`,
    `Focus: ${focusText(loop, phaseName, phase)}`,
    `Branch: ${loop.branch ?? CURRENT_BRANCH}`,
    `Mapped tests: ${phase.mapped_tests?.length ? phase.mapped_tests.map(selector).join(", ") : NO_TESTS}`,
    `Artifacts: ${artifactsText(loop, phaseName, phase.artifacts ?? [])}`,
    `Do Now: ${loop.item} Phase ${phaseName} — ${doNowText(loop, phase.do_now)}`,
    `If Blocked: ${blockedText(phase)}`,
    ...bulletList("Priorities & Rationale", phase.priorities ?? []),
    ...bulletList("How-To Map", phase.how_to ?? []),
    ...bulletList("Pitfalls To Avoid", phase.pitfalls ?? []),
    ...bulletList("Pointers", phase.pointers ?? []),
    ...bulletList("Next Up", phase.next_up?.length ? phase.next_up : ["none"]),
  ];
  return `${lines.join("\n")}\n`;
}

const selector = (test: MappedTest): string => (typeof test === "string" ? test : test.select);

/** Item (as a ledger anchor when the ledger is not the default), title, plan, then the phase. */
function focusText(loop: LoopFile, phaseName: string, phase: Phase): string {
  if (phase.focus) return phase.focus;
  const item = loop.ledger ? `${loop.ledger}#${loop.item}` : loop.item;
  const title = loop.title !== loop.item ? ` — ${loop.title}` : "";
  return `${item}${title}${loop.plan ? ` / ${loop.plan}` : ""} › Phase ${phaseName}`;
}

/** The steps joined by "then"; the importer's placeholder step as the prose that imports back to it. */
function doNowText(loop: LoopFile, steps: Step[]): string {
  if (steps.length === 1 && JSON.stringify(steps[0]) === JSON.stringify(TODO_STEP)) {
    return `no command yet: step ${TODO_STEP.id} runs \`false\` in its place`;
  }
  const taken = new Set<string>();
  return steps.map((step) => commandText(loop, step, taken)).join(" then ");
}

/**
 * One step as the shell command a person would type, with what the runner adds in parentheses. The
 * step's ID is among them where the importer would not derive it from the command (or would not
 * take a one-word command for one); `taken` follows the IDs the importer hands out.
 */
function commandText(loop: LoopFile, step: Step, taken: Set<string>): string {
  const text = commandLine(loop, step);
  const derived = stepId(parseCommand(text), taken);
  const named = derived !== step.id || !isCommand(text);
  if (named) {
    taken.delete(derived);
    taken.add(step.id);
  }
  const options = STEP_OPTIONS.filter((key) => (key === "id" ? named : step[key] !== undefined)).map(
    (key) => `${key}: ${step[key]}${key === "timeout" ? " s" : ""}`,
  );
  return `\`${text}\`${options.length > 0 ? ` (${options.join(", ")})` : ""}`;
}

/** A zx script step reads `zx script args`, which the importer takes back for a script step. */
function commandLine(loop: LoopFile, step: Step): string {
  const env = Object.entries({ ...loop.env, ...step.env }).map(([k, v]) => `${k}=${quote(String(v))}`);
  const prefix = env.length > 0 ? ["env", ...env] : [];
  if (typeof step.run === "string") {
    // a variable prefix on a shell string would bind to its first command only
    return (env.length > 0 ? [...prefix, "sh", "-c", quote(step.run)] : [step.run]).join(" ");
  }
  const argv = (step.run ?? ["zx", step.script ?? "", ...(step.args ?? [])]).flatMap((word) => {
    const text = String(word);
    const preset = text.startsWith("@") ? loop.presets?.[text.slice(1)] : undefined;
    return preset ? preset.map(String) : [text];
  });
  return [...prefix, ...argv.map(quote)].join(" ");
}

/**
 * The artifacts as the memos write them: `{bundle}/` paths under the bundle folder (`<stamp>` for
 * its timestamp), workspace paths as they are, neighbours with one folder as `folder/{a,b}`. The
 * bundle folder itself leads where the importer would not find the bundle from the artifacts alone.
 */
function artifactsText(loop: LoopFile, phaseName: string, artifacts: Artifact[]): string {
  const template = loop.bundle.replace(/\{phase\}/g, phaseName).replace(/\{item\}/g, loop.item);
  const folder = (template.endsWith("/") ? template : `${template}/`).replace(/\{stamp\}/g, "<stamp>");
  const paths = artifacts.map((a) => a.path.replace(/^\{bundle\}\//, folder));
  const text = groupedPaths(paths.map((path) => (path.includes("/") ? path : `./${path}`)));
  const read = readArtifacts(text, []);
  const same =
    read.bundle === template &&
    JSON.stringify(read.artifacts.map((a) => a.path)) === JSON.stringify(artifacts.map((a) => a.path));
  return same ? text : [folder, text].filter(Boolean).join(", ");
}

/** Paths with `folder/{a,b}` for runs of neighbours in one folder (their order is the loop's). */
function groupedPaths(paths: string[]): string {
  const groups: Array<{ folder: string; names: string[] }> = [];
  for (const path of paths) {
    const cut = path.lastIndexOf("/") + 1;
    const [folder, name] = [path.slice(0, cut), path.slice(cut)];
    const last = groups.at(-1);
    if (last?.folder === folder && name) last.names.push(name);
    else groups.push({ folder, names: [name] });
  }
  return groups
    .map(({ folder, names }) => (names.length > 1 ? `${folder}{${names.join(",")}}` : folder + names[0]))
    .join(", ");
}

/**
 * The note as written, then `(captures: ...; notify: ...)`, which the importer reads instead of the
 * note: kinds and `stdout+stderr of STEP into FILE` (`output` for both streams by default).
 */
function blockedText(phase: Phase): string {
  const blocked = phase.if_blocked;
  if (!blocked) return "none";
  const captures = (blocked.capture ?? []).map((c) => (typeof c === "string" ? c : captureFileText(c)));
  const notify = blocked.notify !== undefined ? `; notify: ${blocked.notify}` : "";
  const list = `(captures: ${captures.length > 0 ? captures.join(", ") : "none"}${notify})`;
  return blocked.note ? `${blocked.note} ${list}` : list;
}

function bulletList(title: string, items: string[]): string[] {
  return items.length > 0 ? [`${title}:`, ...items.map((item) => `- ${item}`)] : [];
}
