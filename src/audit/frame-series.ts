/**
 * A series of frames made by the tasks of a matrix step (a rotation series, one frame per phi step):
 * each task folder's image read, its statistics tabled with the task's matrix values, in the order
 * of the step's record (tasks/<step>.json beside the folder) or else by folder name.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { InputError } from "../util/input-error.js";
import type { Frame } from "./contact-sheet.js";
import { readImage } from "./image-audit.js";
import { type ImageStats, imageStats } from "./image-stats.js";

export interface SeriesFrame extends Frame {
  task: string;
  values: Record<string, string>;
  stats: ImageStats;
}

/** The tasks of the step, in its order: from its record beside the folder, or the folder's listing. */
function tasksOf(folder: string): Array<{ id: string; values: Record<string, string> }> {
  const record = `${folder.replace(/\/+$/, "")}.json`;
  if (existsSync(record)) {
    const index = JSON.parse(readFileSync(record, "utf8")) as {
      tasks?: Array<{ id: string; values: Record<string, string> }>;
    };
    if (Array.isArray(index.tasks)) return index.tasks;
  }
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    throw new InputError(`--tasks ${folder}: cannot be read`);
  }
  return names.map((id) => ({ id, values: {} }));
}

export function readSeries(folder: string, image: string, fpixels?: number): SeriesFrame[] {
  const frames = tasksOf(folder).map((t) => {
    const path = join(folder, t.id, image);
    if (!existsSync(path)) throw new InputError(`${basename(folder)}/${t.id}: no ${image}`);
    const { data, fpixels: f, spixels: s } = readImage(path, fpixels);
    return { task: t.id, values: t.values, data, fpixels: f, spixels: s, stats: imageStats(data, f, s) };
  });
  if (frames.length === 0) throw new InputError(`--tasks ${folder}: no task folders`);
  const odd = frames.find((f) => f.fpixels !== frames[0].fpixels || f.spixels !== frames[0].spixels);
  if (odd)
    throw new InputError(
      `${odd.task}/${image} is ${odd.fpixels}x${odd.spixels} pixels, ${frames[0].task}'s ${frames[0].fpixels}x${frames[0].spixels}: not one series`,
    );
  return frames;
}

const g = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(7)).toString() : String(v));

/** frames.md: one row per frame, its matrix values and statistics, then the series' totals. */
export function seriesTable(frames: SeriesFrame[], image: string, sheet: string | null): string {
  const names = Object.keys(frames[0].values);
  const sum = frames.reduce((n, f) => n + f.stats.sum, 0);
  const brightest = frames.reduce((a, b) => (b.stats.max > a.stats.max ? b : a));
  const lines = [
    `# Series of ${frames.length} frames (${image}, ${frames[0].fpixels}x${frames[0].spixels} pixels)`,
    "",
    `Total of all frames: ${g(sum)}; brightest pixel ${g(brightest.stats.max)} in ${brightest.task}.`,
    ...(sheet
      ? ["", `Contact sheet: ${sheet} (frames row by row in this table's order, one intensity scale)`]
      : []),
    "",
    `| frame | ${names.map((n) => `${n} | `).join("")}sum | max | mean | lit pixels | brightest (slow, fast) |`,
    `| --- | ${names.map(() => "--- | ").join("")}--- | --- | --- | --- | --- |`,
  ];
  for (const f of frames) {
    const s = f.stats;
    lines.push(
      `| ${f.task} | ${names.map((n) => `${f.values[n]} | `).join("")}${g(s.sum)} | ${g(s.max)} | ${g(s.mean)} | ${s.lit} | ${s.brightest[0]}, ${s.brightest[1]} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function seriesMetrics(frames: SeriesFrame[]): object {
  return {
    frames: frames.length,
    fpixels: frames[0].fpixels,
    spixels: frames[0].spixels,
    total_sum: frames.reduce((n, f) => n + f.stats.sum, 0),
    max: Math.max(...frames.map((f) => f.stats.max)),
    rows: frames.map((f) => ({ task: f.task, values: f.values, ...f.stats })),
  };
}
