/**
 * A loop phase rendered as a memo in the hand-written format (`Key: value` lines, then `- ` bullet
 * sections), for people or agents who work from memos.
 */

import { InputError } from "../util/input-error.js";
import { quote } from "./bundle.js";
import type { Artifact, LoopFile, Phase, Step } from "./loop.js";

const NO_TESTS = "none — evidence-only";
export const CURRENT_BRANCH = "current branch";
const STEP_OPTIONS = ["stdout", "stderr", "cwd", "timeout"] as const;

/** The phase as a memo in the hand-written format, so that a person or an agent can follow it. */
export function renderBrief(loop: LoopFile, phaseName: string): string {
  const phase = loop.phases[phaseName];
  if (!phase) {
    throw new InputError(
      `loop ${loop.item}: no phase "${phaseName}" (phases: ${Object.keys(loop.phases).join(", ")})`,
    );
  }
  const bundle = loop.bundle
    .replace(/\{phase\}/g, phaseName)
    .replace(/\{item\}/g, loop.item)
    .replace(/\{stamp\}/g, "<stamp>");
  const focus = phase.focus ?? `${loop.item}${loop.plan ? ` / ${loop.plan}` : ""} › Phase ${phaseName}`;
  const commands = phase.do_now.map((step) => commandText(loop, step)).join(" then ");
  const lines = [
    `Summary: ${phase.summary}`,
    `Mode: ${phase.mode ?? "none"}`,
    `Focus: ${focus}`,
    `Branch: ${loop.branch ?? CURRENT_BRANCH}`,
    `Mapped tests: ${phase.mapped_tests?.length ? phase.mapped_tests.join(", ") : NO_TESTS}`,
    `Artifacts: ${artifactsText(bundle, phase.artifacts ?? [])}`,
    `Do Now: ${loop.item} Phase ${phaseName} — ${commands}`,
    `If Blocked: ${blockedText(phase)}`,
    ...bulletList("Pitfalls To Avoid", phase.pitfalls ?? []),
    ...bulletList("Pointers", phase.pointers ?? []),
    ...bulletList("Next Up", phase.next_up?.length ? phase.next_up : ["none"]),
  ];
  return `${lines.join("\n")}\n`;
}

/** One step as the shell command a person would type, with what the runner adds in parentheses. */
function commandText(loop: LoopFile, step: Step): string {
  const env = Object.entries({ ...loop.env, ...step.env }).map(([k, v]) => `${k}=${quote(String(v))}`);
  const prefix = env.length > 0 ? ["env", ...env] : [];
  let words: string[];
  if (typeof step.run === "string") {
    // a variable prefix on a shell string would bind to its first command only
    words = env.length > 0 ? [...prefix, "sh", "-c", quote(step.run)] : [step.run];
  } else {
    const argv = step.run.flatMap((word) => {
      const text = String(word);
      const preset = text.startsWith("@") ? loop.presets?.[text.slice(1)] : undefined;
      return preset ? preset.map(String) : [text];
    });
    words = [...prefix, ...argv.map(quote)];
  }
  const options = STEP_OPTIONS.filter((key) => step[key] !== undefined).map(
    (key) => `${key}: ${step[key]}${key === "timeout" ? " s" : ""}`,
  );
  return `\`${words.join(" ")}\`${options.length > 0 ? ` (${options.join(", ")})` : ""}`;
}

/** `folder/{a,b}` as the memos write it (one artifact without braces: a lone {a} is not expanded). */
function artifactsText(bundle: string, artifacts: Artifact[]): string {
  const folder = bundle.endsWith("/") ? bundle : `${bundle}/`;
  const paths = artifacts.map((a) => a.path);
  return paths.length === 0
    ? folder
    : paths.length === 1
      ? folder + paths[0]
      : `${folder}{${paths.join(",")}}`;
}

function blockedText(phase: Phase): string {
  const blocked = phase.if_blocked;
  const parts = [blocked?.note, blocked?.capture?.length ? `(captures: ${blocked.capture.join(", ")})` : ""];
  return parts.filter(Boolean).join(" ") || "none";
}

function bulletList(title: string, items: string[]): string[] {
  return items.length > 0 ? [`${title}:`, ...items.map((item) => `- ${item}`)] : [];
}
