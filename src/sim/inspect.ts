/**
 * Rendering pixels again, on this thread, with a tracer attached (-trace_pixel, -printout): each in the
 * state the C's serial loop had reached there, so that the values reported are those of the image.
 */

import type { KernelPlan, PixelTracer } from "./kernel.js";
import { kernelState, renderSpan } from "./kernel.js";
import { insideRoi } from "./plan.js";

/** Where interpolation was switched off first in the render, in the C's serial order. */
export interface InterpolationStop {
  slow: number;
  fast: number;
}

function rendered(plan: KernelPlan, slow: number, fast: number): boolean {
  if (slow < 0 || slow >= plan.spixels || fast < 0 || fast >= plan.fpixels || !insideRoi(plan, fast, slow))
    return false;
  return plan.mask === null || plan.mask[slow * plan.fpixels + fast] !== 0;
}

/** Render one pixel with `tracer`; false (and no report) when the pixel is outside the ROI or masked. */
export function inspectPixel(
  plan: KernelPlan,
  stop: InterpolationStop | null,
  slow: number,
  fast: number,
  tracer: PixelTracer,
): boolean {
  if (!rendered(plan, slow, fast)) return false;
  const state = kernelState(plan);
  state.interpolate =
    plan.interpolate && (stop === null || stop.slow > slow || (stop.slow === slow && stop.fast >= fast));
  renderSpan(plan, state, slow, fast, fast, new Float32Array(1), slow * plan.fpixels + fast, tracer);
  return true;
}

/** Render every rendered pixel in the C's order with one tracer, calling `after` for each. */
export function inspectAll(
  plan: KernelPlan,
  tracer: PixelTracer,
  after: (slow: number, fast: number) => void,
): void {
  const state = kernelState(plan);
  const sink = new Float32Array(1);
  for (let slow = 0; slow < plan.spixels; slow++) {
    for (let fast = 0; fast < plan.fpixels; fast++) {
      if (!rendered(plan, slow, fast)) continue;
      renderSpan(plan, state, slow, fast, fast, sink, slow * plan.fpixels + fast, tracer);
      after(slow, fast);
    }
  }
}
