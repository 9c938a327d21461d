/**
 * Metrics of a run: named values read from a bundle file — a JSON document (keys as dot paths) or
 * text with `PREFIX: key v1 [v2 v3]` trace lines or `key = value` / `key: value` lines (the last
 * occurrence wins, as later lines of a trace supersede earlier subpixels).
 */

import { existsSync, readFileSync } from "node:fs";
import { parseTrace } from "../../audit/trace-lines.js";

export type MetricValue = number | number[] | string | null;

function fromJson(data: unknown, key: string): MetricValue {
  let value: unknown = data;
  for (const part of key.split(".")) {
    if (value === null || typeof value !== "object") return null;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "number")) return value;
  return null;
}

function fromText(text: string, key: string): MetricValue {
  const traced = parseTrace(text).filter((e) => e.key === key);
  if (traced.length > 0) {
    const values = traced[traced.length - 1].values;
    return values.length === 1 ? values[0] : values;
  }
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const matches = [...text.matchAll(new RegExp(`^\\s*${escaped}\\s*[=:]\\s*(\\S+)`, "gm"))];
  if (matches.length === 0) return null;
  const raw = matches[matches.length - 1][1].replace(/[;,]$/, "");
  return Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

/** The keys' values in a file (every value null when the file is missing). */
export function extractMetrics(
  file: string,
  keys: string[],
): { values: Record<string, MetricValue>; missing: string[] } {
  if (!existsSync(file)) return { values: Object.fromEntries(keys.map((k) => [k, null])), missing: keys };
  return metricsOfText(readFileSync(file, "utf8"), keys);
}

export function metricsOfText(
  text: string,
  keys: string[],
): { values: Record<string, MetricValue>; missing: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const values: Record<string, MetricValue> = {};
  const missing: string[] = [];
  for (const key of keys) {
    const value = json !== undefined ? fromJson(json, key) : fromText(text, key);
    values[key] = value;
    if (value === null) missing.push(key);
  }
  return { values, missing };
}

/** One line for the ledger: "key=value key=value". */
export function metricsLine(values: Record<string, MetricValue>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v === null ? "missing" : v}`)
    .join(" ");
}
