/** `--name value` style options of nbloop's commands: positionals, flags, and options with N values. */

import { InputError } from "../util/input-error.js";

export interface ParsedOptions {
  positional: string[];
  /** A flag without values is `true`; an option with one value its string; with more, the words joined by spaces. */
  flags: Map<string, string | true>;
}

/**
 * `arity` names every option and how many values it takes: 0 for a flag (`--name=value` works for
 * one value). Any other `--name` is refused, so that a mistyped option is not silently ignored.
 */
export function parseLongOptions(argv: string[], arity: Record<string, number>): ParsedOptions {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2);
    if (!Object.hasOwn(arity, name)) throw new InputError(`unknown option --${name}`);
    const count = arity[name];
    if (count === 0) {
      if (inline !== undefined) throw new InputError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const values = inline !== undefined && count === 1 ? [inline] : argv.slice(i + 1, i + 1 + count);
    if (inline === undefined) i += count;
    if (values.length < count || values.some((v) => v.startsWith("--")))
      throw new InputError(`--${name}: expected ${count === 1 ? "a value" : `${count} values`}`);
    flags.set(name, values.join(" "));
  }
  return { positional, flags };
}

/** A numeric option, or undefined when absent. */
export function numberOption(p: ParsedOptions, name: string): number | undefined {
  const raw = p.flags.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === true || raw.trim() === "" || !Number.isFinite(value))
    throw new InputError(`--${name}: "${raw}" is not a number`);
  return value;
}

/** A string option, or undefined when absent. */
export function stringOption(p: ParsedOptions, name: string): string | undefined {
  const raw = p.flags.get(name);
  return typeof raw === "string" ? raw : undefined;
}

/** A required string option. */
export function requiredOption(p: ParsedOptions, name: string, usage: string): string {
  const value = stringOption(p, name);
  if (value === undefined) throw new InputError(`--${name} is required\n${usage}`);
  return value;
}
