/**
 * Progress of a long render, on a terminal: when the render is expected to take more than a few
 * seconds, a line saying how long, then the share done and the time left (measured once rows are
 * done), rewritten in place as the C prints its percentages. Quiet with -noprogress, or where stderr
 * is not a terminal.
 */

import type { RenderProgress } from "../backends/cpu.js";
import type { KernelPlan } from "../sim/kernel.js";

/** One path of the kernel on one thread (a 1024x1024 image renders in ~72 ms on one thread). */
const SECONDS_PER_PATH = 70e-9;
/** Renders expected to take less are not worth a progress line. */
const QUIET_BELOW_SECONDS = 3;
const EVERY_MS = 500;

export function durationText(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** The paths a render follows: pixels of the ROI times subpixels, layers, sources, phi steps, domains. */
export function renderPaths(plan: KernelPlan): number {
  const rows = Math.min(plan.spixels - 1, plan.roiYmax) - Math.max(0, plan.roiYmin) + 1;
  const columns = Math.min(plan.fpixels - 1, plan.roiXmax) - Math.max(0, plan.roiXmin) + 1;
  return rows * columns * plan.steps * plan.thicksteps;
}

export function renderProgress(
  plan: KernelPlan,
  threads: number,
  stream: NodeJS.WriteStream = process.stderr,
): RenderProgress | undefined {
  const paths = renderPaths(plan);
  const expected = (paths * SECONDS_PER_PATH) / threads;
  if (!stream.isTTY || expected < QUIET_BELOW_SECONDS) return undefined;
  const start = Date.now();
  let shown = 0;
  stream.write(
    `nanoBragg: ${paths.toPrecision(3)} paths on ${threads} thread${threads > 1 ? "s" : ""}, expected to take about ${durationText(expected)}\n`,
  );
  return {
    rows(done, total) {
      const now = Date.now();
      if (now - shown < EVERY_MS || done === 0) return;
      shown = now;
      const elapsed = (now - start) / 1000;
      const left = (elapsed * (total - done)) / done;
      const share = Math.floor((100 * done) / total);
      stream.write(`\rnanoBragg: ${share}% done, about ${durationText(left)} left   `);
    },
    end() {
      if (shown > 0)
        stream.write(`\rnanoBragg: 100% done in ${durationText((Date.now() - start) / 1000)}      \n`);
    },
  };
}
