/**
 * GPU backend: the image through gpu.js (headless-gl in Node: WebGL 1 on ANGLE on the X display's
 * OpenGL), float32 on the device, with everything that needs float64 precomputed on the host
 * (gpu-inputs.ts). Pixels the kernel cannot decide in float32, and the C's first path with its stale
 * rotation, are rendered on the host by the float64 kernel. gpu.js is installed apart (see
 * gpu-runtime.ts) and loaded only when this backend is asked for.
 */

import { imageRowStats, type KernelPlan, type KernelState, kernelState, renderSpan } from "../sim/kernel.js";
import { combineRowStats, ROW_STATS } from "../sim/stats.js";
import { InputError } from "../util/input-error.js";
import type { RenderResult } from "./cpu.js";
import {
  cellInputs,
  fillGeometry,
  GEOMETRY_FIELDS,
  hklValues,
  pathsPerPixel,
  sourceInputs,
} from "./gpu-inputs.js";
import {
  GPU_HELPERS,
  gpuConstants,
  gpuPixel,
  INTEGER_CONSTANTS,
  INTERPOLATION_STOPS,
  NEEDS_HOST,
} from "./gpu-kernel.js";
import { loadGpuModule } from "./gpu-runtime.js";

/** The parts of gpu.js this backend uses. */
interface GpuJsModule {
  GPU: (new (settings: { mode: string }) => GpuJs) & { isHeadlessGLSupported: boolean };
  HeadlessGLKernel: { testContext: { _getParameterDirect?: (name: number) => unknown } | null };
}

interface GpuJs {
  createKernel(source: typeof gpuPixel, settings: Record<string, unknown>): GpuKernel;
  destroy(): unknown;
}

type GpuKernel = (...inputs: Float32Array[]) => Float32Array[] | Float32Array;

const GL_RENDERER = 0x1f01;

/** Shader array indices are floats: a band's geometry stays below 2^24 values to keep them exact. */
const MAX_BAND_VALUES = 2 ** 24;

const SOFTWARE_RENDERER = /llvmpipe|softpipe|swrast|swiftshader|software|lavapipe/i;

export class GpuBackend {
  private constructor(
    private readonly gpu: GpuJs,
    /** The OpenGL renderer under ANGLE, as the driver names it ("unknown" where it cannot be read). */
    readonly renderer: string,
  ) {}

  /** True unless the renderer is known to be a real GPU: `-backend auto` never picks software. */
  get software(): boolean {
    return this.renderer === "unknown" || SOFTWARE_RENDERER.test(this.renderer);
  }

  /** Load gpu.js and open its headless-gl context; an InputError says why that is impossible here. */
  static async open(): Promise<GpuBackend> {
    const gpuJs = (await loadGpuModule("gpu.js")) as GpuJsModule | null;
    if (!gpuJs)
      throw new InputError("-backend gpu: gpu.js is not installed (npm ci --prefix gpu installs it)");
    if (!gpuJs.GPU.isHeadlessGLSupported) throw new InputError(`-backend gpu: ${await whyNoContext()}`);
    const probe = gpuJs.HeadlessGLKernel.testContext;
    const renderer = probe?._getParameterDirect?.(GL_RENDERER);
    const gpu = gpuJsCall("start", () => new gpuJs.GPU({ mode: "headlessgl" }));
    return new GpuBackend(gpu, typeof renderer === "string" ? renderer : "unknown");
  }

  /**
   * Render the ROI; `rowReady` is called for every ROI row in row order once the image is final.
   * With interpolation on, the pixels after the one where the C's serial run switches it off are
   * rendered again with it off.
   */
  async render(
    plan: KernelPlan,
    rowReady?: (image: Float32Array, row: number) => void,
  ): Promise<RenderResult> {
    if (plan.grid.values.length >= MAX_BAND_VALUES)
      throw new InputError(
        "-backend gpu: the structure-factor grid is too large for the GPU; use -backend cpu",
      );
    const roi = roiOf(plan);
    const image = new Float32Array(plan.fpixels * plan.spixels);
    const rowOmega = this.renderOnDevice(plan, roi, roi.rows, plan.interpolate, image, -1);
    const state = kernelState(plan);
    const stop = finishOnHost(plan, roi, image, state, -1);
    let interpolationStop: RenderResult["interpolationStop"] = null;
    if (stop >= 0 && state.interpolationStop) {
      const slow = Math.floor(stop / plan.fpixels);
      const hkl = state.interpolationStop;
      interpolationStop = { slow, fast: hkl[6], hkl: hkl.slice(0, 6) };
      this.renderOnDevice(
        plan,
        roi,
        roi.rows.filter((r) => r >= slow),
        false,
        image,
        stop,
      );
      finishOnHost(plan, roi, image, state, stop);
    }
    const perRow = new Float64Array(ROW_STATS * plan.spixels);
    let omegaSum = 0;
    for (const r of roi.rows) {
      imageRowStats(plan, image, r, perRow, ROW_STATS * r);
      omegaSum += rowOmega[r];
    }
    if (rowReady) for (const r of roi.rows) rowReady(image, r);
    return { image, omegaSum, stats: combineRowStats(perRow, plan, roi.rows), interpolationStop };
  }

  /** No thread to write the output files: they go to libuv's thread pool. */
  fileWriter(): null {
    return null;
  }

  /** No thread to make the SMV counts on: the outputs make them. */
  smvCounts(): null {
    return null;
  }

  /** Nothing to start ahead of a render: the context is open. */
  prepare(_plan: KernelPlan): void {}

  async close(): Promise<void> {
    await this.gpu.destroy();
  }

  /**
   * `rows` of the ROI in bands, one kernel call each, into the image's pixels after index `after`;
   * returns the solid-angle sum of each row.
   */
  private renderOnDevice(
    plan: KernelPlan,
    roi: Roi,
    rows: number[],
    interpolate: boolean,
    image: Float32Array,
    after: number,
  ): Float64Array {
    const rowOmega = new Float64Array(plan.spixels);
    const width = roi.xLast - roi.xFirst + 1;
    if (rows.length === 0 || width <= 0) return rowOmega;
    const rowValues = width * pathsPerPixel(plan) * GEOMETRY_FIELDS;
    if (rowValues > MAX_BAND_VALUES)
      throw new InputError(
        "-backend gpu: too many subpixels and layers per ROI row for the GPU; use -backend cpu",
      );
    const bandRows = Math.min(rows.length, Math.floor(MAX_BAND_VALUES / rowValues));
    const constants = gpuConstants(plan, width, interpolate);
    const kernel = this.gpu.createKernel(gpuPixel, {
      constants,
      constantTypes: Object.fromEntries(
        Object.keys(constants).map((name) => [name, INTEGER_CONSTANTS.includes(name) ? "Integer" : "Float"]),
      ),
      functions: GPU_HELPERS,
      output: [width, bandRows],
      precision: "single",
      tactic: "precision",
    });
    const cells = cellInputs(plan);
    const sources = sourceInputs(plan);
    const hkl = hklValues(plan);
    const geometry = new Float32Array(bandRows * rowValues);
    for (let band = 0; band < rows.length; band += bandRows) {
      const first = rows[band];
      const count = Math.min(bandRows, rows.length - band);
      rowOmega.set(fillGeometry(plan, first, bandRows, geometry).subarray(0, count), first);
      const result = gpuJsCall("run the kernel", () => kernel(geometry, cells, sources, hkl));
      const out = result instanceof Float32Array ? [result] : result;
      for (let r = 0; r < count; r++) {
        const base = (first + r) * plan.fpixels + roi.xFirst;
        const done = Math.max(0, after + 1 - base);
        if (done < width) image.set(out[r].subarray(done, width), base + done);
      }
    }
    return rowOmega;
  }
}

interface Roi {
  xFirst: number;
  xLast: number;
  rows: number[];
}

function roiOf(plan: KernelPlan): Roi {
  const rows: number[] = [];
  for (let r = Math.max(0, plan.roiYmin); r <= Math.min(plan.spixels - 1, plan.roiYmax); r++) rows.push(r);
  return { xFirst: Math.max(0, plan.roiXmin), xLast: Math.min(plan.fpixels - 1, plan.roiXmax), rows };
}

/**
 * In the C's serial order, the ROI pixels after index `after`: masked ones back to zero (the kernel
 * saw empty geometry there), and the ones the kernel handed back, or that hold the C's first path,
 * rendered by the float64 kernel. Returns the pixel where that switches interpolation off, or -1.
 */
function finishOnHost(
  plan: KernelPlan,
  roi: Roi,
  image: Float32Array,
  state: KernelState,
  after: number,
): number {
  for (const row of roi.rows) {
    for (let f = roi.xFirst; f <= roi.xLast; f++) {
      const index = row * plan.fpixels + f;
      if (index <= after) continue;
      if (plan.mask !== null && plan.mask[index] === 0) {
        image[index] = 0;
        continue;
      }
      const value = image[index];
      if (value !== NEEDS_HOST && value !== INTERPOLATION_STOPS && index !== plan.firstPathPixel) continue;
      const interpolating = state.interpolate;
      renderSpan(plan, state, row, f, f, image, 0, null);
      if (interpolating && !state.interpolate) return index;
    }
  }
  return -1;
}

/** A call into gpu.js, whose failures (a driver that rejects the shader, a lost context) are reported in one line. */
function gpuJsCall<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new InputError(`-backend gpu: gpu.js could not ${what}: ${reason}`);
  }
}

/** Why gpu.js has no headless-gl context: the native module, the X display, or the context itself. */
async function whyNoContext(): Promise<string> {
  if (!(await loadGpuModule("gl"))) {
    return "gpu.js cannot load headless-gl (its native package gl did not build in gpu/: that needs pkg-config, libx11-dev, libxext-dev, libxi-dev and a C++ compiler)";
  }
  if (!process.env.DISPLAY)
    return "headless-gl needs an X display and DISPLAY is unset (run under xvfb-run -a, or on an X server with a GPU)";
  return `headless-gl could not create a WebGL context on display ${process.env.DISPLAY}`;
}
