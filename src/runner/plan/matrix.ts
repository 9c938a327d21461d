/**
 * A matrix step's tasks: every combination of its named values (lists, inclusive numeric ranges,
 * values read from a file), in the order the names are declared, each with a folder name made of
 * its values.
 */

import { readFileSync } from "node:fs";
import { InputError } from "../../util/input-error.js";
import type { MatrixAxis } from "../load/loop.js";

export interface MatrixTask {
  /** Folder name of the task: its values joined, unique within the step. */
  id: string;
  values: Record<string, string>;
}

/** More tasks than this in one step is a mistake in the loop, not a plan. */
export const MAX_TASKS = 100_000;

/** A numeric value as a person writes it (0.1 * 3 is 0.3, not 0.30000000000000004). */
const shownNumber = (x: number) => String(Number(x.toPrecision(12)));

function rangeValues(name: string, from: number, to: number, by = 1): string[] {
  const count = Math.floor((to - from) / by + 1e-9) + 1;
  if (!(count >= 1)) throw new InputError(`matrix ${name}: from ${from} to ${to} by ${by} is empty`);
  if (count > MAX_TASKS)
    throw new InputError(
      `matrix ${name}: from ${from} to ${to} by ${by} is ${count} values (at most ${MAX_TASKS})`,
    );
  return Array.from({ length: count }, (_, i) => shownNumber(from + i * by));
}

function at(value: unknown, path: string | undefined, where: string): unknown {
  let here = value;
  for (const key of path ? path.split(".") : []) {
    if (here === null || typeof here !== "object" || !Object.hasOwn(here, key))
      throw new InputError(`${where}: no "${key}" at ${path}`);
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

function jsonValues(text: string, axis: { path?: string; field?: string }, where: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${where}: not JSON (${(error as Error).message})`);
  }
  const found = at(parsed, axis.path, where);
  const list = Array.isArray(found)
    ? found.map((item) => (axis.field === undefined ? item : at(item, axis.field, where)))
    : found !== null && typeof found === "object"
      ? Object.keys(found)
      : null;
  if (!list || list.some((v) => typeof v !== "string" && typeof v !== "number"))
    throw new InputError(
      `${where}: ${axis.path ?? "the file"} is not a list of names or numbers, nor an object`,
    );
  return list.map(String);
}

function fileValues(path: string, shown: string, axis: { path?: string; field?: string }): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new InputError(`matrix file ${shown}: cannot be read`);
  }
  if (/\.json$/i.test(path)) return jsonValues(text, axis, `matrix file ${shown}`);
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** The values of one name; `file` resolves a file the loop names (workspace-relative, placeholders filled). */
export function axisValues(
  name: string,
  axis: MatrixAxis,
  file: (declared: string) => { path: string; shown: string },
): string[] {
  const values = Array.isArray(axis)
    ? axis.map((v) => (typeof v === "number" ? shownNumber(v) : v))
    : "file" in axis
      ? fileValues(file(axis.file).path, file(axis.file).shown, axis)
      : rangeValues(name, axis.from, axis.to, axis.by);
  if (values.length === 0) throw new InputError(`matrix ${name}: no values`);
  return values;
}

const folderWord = (text: string) => text.replace(/[^A-Za-z0-9.+-]+/g, "-").slice(0, 80) || "-";

/** Every combination of the named values, the first name varying slowest. */
export function matrixTasks(axes: Array<[string, string[]]>): MatrixTask[] {
  const total = axes.reduce((n, [, values]) => n * values.length, 1);
  if (total > MAX_TASKS) throw new InputError(`matrix: ${total} combinations (at most ${MAX_TASKS})`);
  let combos: Array<Record<string, string>> = [{}];
  for (const [name, values] of axes)
    combos = combos.flatMap((combo) => values.map((v) => ({ ...combo, [name]: v })));
  const seen = new Set<string>();
  return combos.map((values) => {
    const base = axes.map(([name]) => `${name}-${folderWord(values[name])}`).join("_");
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base}.${n}`;
    seen.add(id);
    return { id, values };
  });
}

/** {matrix.NAME} and {task} filled for one task; a name the matrix lacks is an error. */
export function fillTask(text: string, task: MatrixTask, taskDir: string): string {
  return text
    .replace(/\{matrix\.([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
      if (!Object.hasOwn(task.values, name))
        throw new InputError(`{matrix.${name}}: the matrix has no ${name}`);
      return task.values[name];
    })
    .replace(/\{task\}/g, taskDir);
}

/** A plain step may not speak of a matrix. */
export function refuseTaskPlaceholders(text: string): string {
  const m = /\{(matrix\.[A-Za-z0-9_]*|task)\}/.exec(text);
  if (m) throw new InputError(`{${m[1]}}: the step has no matrix`);
  return text;
}
