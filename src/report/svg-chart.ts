/**
 * A metric over attempts as an inline SVG chart: numbers as a line with points (log scale where the
 * values span more than three decades and are all positive), words (a first-divergence key) as
 * points on one row per word. Every point has a title with its attempt and value.
 */

import { esc } from "./html.js";

export interface Point {
  attempt: number;
  value: number | string;
}

const W = 560;
const H = 180;
const PAD = { left: 150, right: 16, top: 16, bottom: 28 };

const fmt = (v: number) =>
  Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0)
    ? v.toExponential(3)
    : String(Number(v.toPrecision(6)));

export function chart(name: string, points: Point[]): string {
  const xs = points.map((p) => p.attempt);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const x = (a: number) => PAD.left + (x1 === x0 ? 0.5 : (a - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const numeric = points.every((p) => typeof p.value === "number");
  let marks: string;
  let axis: string;
  if (numeric) {
    const vs = points.map((p) => p.value as number);
    const lo = Math.min(...vs);
    const hi = Math.max(...vs);
    const log = lo > 0 && hi / lo > 1e3;
    const t = (v: number) => (log ? Math.log10(v) : v);
    const y = (v: number) =>
      H -
      PAD.bottom -
      (t(hi) === t(lo) ? 0.5 : (t(v) - t(lo)) / (t(hi) - t(lo))) * (H - PAD.top - PAD.bottom);
    const line = points.map((p) => `${x(p.attempt).toFixed(1)},${y(p.value as number).toFixed(1)}`).join(" ");
    marks = `<polyline points="${line}" class="line"/>${points
      .map(
        (p) =>
          `<circle cx="${x(p.attempt).toFixed(1)}" cy="${y(p.value as number).toFixed(1)}" r="3"><title>Attempt #${p.attempt}: ${esc(fmt(p.value as number))}</title></circle>`,
      )
      .join("")}`;
    axis = `<text x="${PAD.left - 6}" y="${PAD.top + 4}" class="tick end">${esc(fmt(hi))}</text><text x="${PAD.left - 6}" y="${H - PAD.bottom}" class="tick end">${esc(fmt(lo))}${log ? " (log)" : ""}</text>`;
  } else {
    const words = [...new Set(points.map((p) => String(p.value)))];
    const y = (w: string) =>
      PAD.top +
      (words.length === 1 ? 0.5 : words.indexOf(w) / (words.length - 1)) * (H - PAD.top - PAD.bottom);
    marks = points
      .map(
        (p) =>
          `<circle cx="${x(p.attempt).toFixed(1)}" cy="${y(String(p.value)).toFixed(1)}" r="4"><title>Attempt #${p.attempt}: ${esc(p.value)}</title></circle>`,
      )
      .join("");
    axis = words
      .map(
        (w) =>
          `<text x="${PAD.left - 6}" y="${(y(w) + 4).toFixed(1)}" class="tick end">${esc(w.slice(0, 22))}</text>`,
      )
      .join("");
  }
  const ticks = [x0, x1]
    .filter((a, i, all) => all.indexOf(a) === i)
    .map((a) => `<text x="${x(a).toFixed(1)}" y="${H - 8}" class="tick mid">#${a}</text>`)
    .join("");
  return `<figure class="chart"><figcaption>${esc(name)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(name)} over attempts"><rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" class="frame"/>${axis}${ticks}${marks}</svg></figure>`;
}
