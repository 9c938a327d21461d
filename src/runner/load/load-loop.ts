/**
 * Reading a loop file: YAML parsed with positions, then checked against schemas/loop.schema.json, so
 * that every problem is reported as file:line:column with the JSON pointer and what was expected.
 */

import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { describeFsError, isBinary } from "../../io/text-lines.js";
import { InputError } from "../../util/input-error.js";
import { schemaPath } from "../own-files.js";
import type { LoopFile, Phase } from "./loop.js";

let validateLoop: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } = Object.assign(
  () => true,
  {},
);
let compiled = false;

function loopValidator() {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    validateLoop = ajv.compile(JSON.parse(readFileSync(schemaPath("loop.schema.json"), "utf8")));
    compiled = true;
  }
  return validateLoop;
}

/** The YAML node at a JSON pointer (for an unknown key, the key itself). */
function nodeAt(doc: Document, pointer: string, property?: string): Node | null {
  const path = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const value = path.length === 0 ? doc.contents : (doc.getIn(path, true) as Node | undefined);
  if (property !== undefined && value && isMap(value)) {
    const pair = value.items.find((item) => isScalar(item.key) && item.key.value === property);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return (value as Node | undefined) ?? null;
}

function describe(error: ErrorObject): { message: string; property?: string } {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return { message: `unknown key "${p.additionalProperty}"`, property: String(p.additionalProperty) };
    case "required":
      // a step's two alternatives each report the other missing
      if (p.missingProperty === "run" || p.missingProperty === "script")
        return { message: 'a step needs "run" (a command) or "script" (a zx script)' };
      return { message: `missing required key "${p.missingProperty}"` };
    case "oneOf":
      return /\/do_now\/\d+$/.test(error.instancePath)
        ? { message: 'a step has "run" or "script", not both' }
        : { message: error.message ?? error.keyword };
    case "enum":
      return {
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "const":
      return { message: `must be ${JSON.stringify(p.allowedValue)}` };
    default:
      return { message: error.message ?? error.keyword };
  }
}

export interface LoadedLoop {
  path: string;
  loop: LoopFile;
  /** `file:line:column` of the value at a JSON pointer (`/phases/A/do_now/0`). */
  where(pointer: string): string;
}

/** Parse and validate; throws an InputError listing every problem with its position. */
/** A parsed loop and where each of its values is in the file (`file:line:column` of a JSON pointer). */
export interface ParsedLoop {
  loop: LoopFile;
  where(pointer: string): string;
}

/** The document's data; an alias bomb or a nesting too deep for the reader is an input error. */
function dataOf(doc: Document, at: (offset: number | undefined) => string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    if (error instanceof ReferenceError)
      throw new InputError(`${at(0)}: invalid YAML: its aliases expand without bound (${error.message})`);
    if (error instanceof RangeError)
      throw new InputError(`${at(0)}: invalid YAML: nested too deeply to read`);
    throw error;
  }
}

function schemaErrors(
  doc: Document,
  errors: ErrorObject[],
  at: (offset: number | undefined) => string,
): string {
  // oneOf/if produce a summary error beside the specific ones: keep the specific ones, and a
  // oneOf's own error only where more than one alternative matched (a step with run and script)
  const specific = errors.filter(
    (e) =>
      e.keyword !== "if" &&
      (e.keyword !== "oneOf" || Array.isArray((e.params as { passingSchemas?: unknown }).passingSchemas)),
  );
  const lines = new Set<string>();
  for (const error of specific.length > 0 ? specific : errors) {
    const { message, property } = describe(error);
    const node = nodeAt(doc, error.instancePath, property);
    lines.add(`${at(node?.range?.[0])}: ${error.instancePath || "/"}: ${message}`);
  }
  return [...lines].join("\n");
}

/** Parse and validate; throws an InputError listing every problem with its position. */
export function parseLoopDocument(text: string, path: string): ParsedLoop {
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return `${path}:${pos.line}:${pos.col}`;
  };
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    if (error instanceof RangeError)
      throw new InputError(`${at(0)}: invalid YAML: nested too deeply to read`);
    throw error;
  }
  if (doc.errors.length > 0) {
    const message = (e: Error) =>
      /call stack/.test(e.message) ? "nested too deeply to read" : e.message.split("\n")[0];
    throw new InputError(doc.errors.map((e) => `${at(e.pos[0])}: invalid YAML: ${message(e)}`).join("\n"));
  }
  const data = dataOf(doc, at);
  const validate = loopValidator();
  if (!validate(data)) throw new InputError(schemaErrors(doc, validate.errors ?? [], at));
  return { loop: data as LoopFile, where: (pointer) => at(nodeAt(doc, pointer)?.range?.[0]) };
}

export function parseLoop(text: string, path: string): LoopFile {
  return parseLoopDocument(text, path).loop;
}

export function loadLoop(path: string): LoadedLoop {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: ${describeFsError(error)}`);
  }
  if (isBinary(bytes)) throw new InputError(`${path}: a binary file, not a YAML loop file`);
  const parsed = parseLoopDocument(bytes.toString("utf8"), path);
  return { path, loop: parsed.loop, where: parsed.where };
}

export function phaseOf(loaded: LoadedLoop, name: string): Phase {
  const phase = loaded.loop.phases[name];
  if (!phase) {
    const known = Object.keys(loaded.loop.phases).join(", ");
    throw new InputError(`${loaded.path}: no phase "${name}" (phases: ${known})`);
  }
  return phase;
}
