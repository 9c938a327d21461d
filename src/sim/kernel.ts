/**
 * The pixel kernel's plan, state and tracer, and the calls into it. The kernel itself is WebAssembly
 * (kernel.as.ts, built into kernel-wasm.generated.ts); each thread instantiates it once per plan, over
 * a memory laid out here after the module's static data: a header of the plan's numbers (planHeader),
 * its arrays, the thread's state and scratch, and one row of output.
 */

import { KERNEL_WASM } from "./kernel-wasm.generated.js";
import type { ShapeCode } from "./lattice.js";
import { ROW_STATS } from "./stats.js";
import type { HklGrid } from "./structure-factors.js";
import { growTo } from "./wasm-memory.js";

/** Everything the kernel reads: numbers and typed arrays only, so that it crosses to workers. */
export interface KernelPlan {
  fpixels: number;
  spixels: number;
  roiXmin: number;
  roiXmax: number;
  roiYmin: number;
  roiYmax: number;
  /** Pixels whose mask value is 0 are skipped; null without -mask. */
  mask: Uint16Array | null;

  oversample: number;
  subpixelSize: number;
  pixelSize: number;
  thicksteps: number;
  thickstep: number;
  detectorThick: number;
  detectorMu: number;
  /** pix0, fdet, sdet, odet, beam: 15 numbers. */
  detector: Float64Array;
  curved: boolean;
  pointPixel: boolean;
  distance: number;
  closeDistance: number;

  sources: number;
  /** Unit vectors from sample to source, 3 per source. */
  sourceDirection: Float64Array;
  /** The incident vectors (minus the directions) normalised once more, as polarization leaves them. */
  sourceIncidentAgain: Float64Array;
  sourceLambda: Float64Array;
  dmin: number;

  nopolar: boolean;
  polarization: number;
  /** The polarization axis, already at the fixed point of repeated normalisation. */
  polarAxis: Float64Array;
  oversampleThick: boolean;
  oversamplePolar: boolean;
  oversampleOmega: boolean;

  phisteps: number;
  domains: number;
  /** phi angle (radians) of each step, for the trace. */
  phi: Float64Array;
  /** Real-space a, b, c (m) per (phi step, domain): 9 numbers each, phi outer. */
  cellTable: Float64Array;
  /** The same for the very first path of a single-threaded C run (stale rotation not yet set). */
  cellTableFirst: Float64Array;
  /** Row-major index of the pixel that holds that first path, or -1. */
  firstPathPixel: number;

  shape: ShapeCode;
  Na: number;
  Nb: number;
  Nc: number;
  fudge: number;
  /** a*, b*, c* (1/Angstrom): 9 numbers. */
  reciprocal: Float64Array;
  Ibg: number;
  waterSize: number;

  /** Structure factors (count 0 without -hkl or Fdump.bin). */
  grid: HklGrid;
  defaultF: number;
  interpolate: boolean;
  /** After an out-of-range interpolation: the nearest grid value (C) or default_F (spec). */
  interpolationFallbackNearest: boolean;

  /** r_e^2 * fluence, multiplied in the C's order. */
  reFluence: number;
  steps: number;
}

/**
 * Hooks through which a pixel rendered for inspection reports every intermediate value, in loop
 * order; the recorders (trace.ts, printout.ts) keep what they print. Never called in production runs.
 */
export interface PixelTracer {
  /** Each source of each subpixel and layer, before the d_min cut. */
  source(
    source: number,
    px: number,
    py: number,
    pz: number,
    airpath: number,
    omega: number,
    dx: number,
    dy: number,
    dz: number,
    ix: number,
    iy: number,
    iz: number,
    lambda: number,
    qx: number,
    qy: number,
    qz: number,
    stol: number,
  ): void;
  /** Each (source, phi step, domain): the rotated cell (9 numbers at cell[offset]) and Miller indices. */
  indices(
    source: number,
    phiTic: number,
    mos: number,
    cell: Float64Array,
    offset: number,
    h: number,
    k: number,
    l: number,
    h0: number,
    k0: number,
    l0: number,
  ): void;
  /** The lattice factor; fa, fb, fc only for the parallelepiped shape (NaN otherwise). */
  lattice(
    source: number,
    phiTic: number,
    mos: number,
    phi: number,
    k: number,
    fa: number,
    fb: number,
    fc: number,
    fLatt: number,
  ): void;
  /** The structure factor of a path that was not skipped for a zero lattice factor. */
  structureFactor(
    source: number,
    phiTic: number,
    mos: number,
    fCell: number,
    fLatt: number,
    polar: number,
    cos2theta: number,
    lambda: number,
  ): void;
  final(I: number, capture: number, polar: number, omega: number, cos2theta: number, value: number): void;
}

/** Per-thread mutable state: the C's globals that leak from pixel to pixel. */
export interface KernelState {
  /** The C's global interpolation switch, turned off for good by an out-of-range neighbourhood. */
  interpolate: boolean;
  /** Set when this thread turned interpolation off: h, k, l, h0, k0, l0 and the fast pixel index. */
  interpolationStop: Float64Array | null;
  /** Sum of the solid angle over every subpixel and layer rendered (the C's omega_sum). */
  omegaSum: number;
  /** Paths (subpixel, layer, source) that reached the phi loop. */
  paths: number;
  /** Partial statistics (stats.ts ROW_STATS fields) of the span renderSpan rendered last. */
  readonly spanStats: Float64Array;
  /** The plan in this thread's instance of the kernel. */
  readonly kernel: LoadedPlan;
}

export function kernelState(plan: KernelPlan): KernelState {
  const kernel = loaded(plan);
  return {
    interpolate: plan.interpolate,
    interpolationStop: null,
    omegaSum: 0,
    paths: 0,
    spanStats: kernel.stats,
    kernel,
  };
}

/**
 * Render pixels fFirst..fLast of row `spixel` (the caller clips to the ROI; masked pixels are
 * skipped) into out[index - outBase], as the C's `floatimage[index] += value` on a zeroed image.
 */
export function renderSpan(
  p: KernelPlan,
  st: KernelState,
  spixel: number,
  fFirst: number,
  fLast: number,
  out: Float32Array,
  outBase: number,
  tracer: PixelTracer | null,
): void {
  const k = st.kernel;
  const s = k.state;
  s[STATE_OMEGA_SUM] = st.omegaSum;
  s[STATE_PATHS] = st.paths;
  s[STATE_INTERPOLATE] = st.interpolate ? 1 : 0;
  s[STATE_STOPPED] = 0;
  const first = spixel * p.fpixels + fFirst - outBase;
  const count = fLast - fFirst + 1;
  // masked pixels are not written: they keep what `out` holds
  if (p.mask !== null) k.row.set(out.subarray(first, first + count));
  active = tracer === null ? null : { plan: p, tracer };
  try {
    (tracer === null ? k.renderSpan : k.traceSpan)(
      spixel,
      fFirst,
      fLast,
      k.rowOffset,
      spixel * p.fpixels + fFirst,
    );
  } finally {
    active = null;
  }
  k.spanStats(spixel, fFirst, fLast, k.rowOffset, spixel * p.fpixels + fFirst, k.stats.byteOffset);
  out.set(count === k.row.length ? k.row : k.row.subarray(0, count), first);
  st.omegaSum = s[STATE_OMEGA_SUM];
  st.paths = s[STATE_PATHS];
  st.interpolate = s[STATE_INTERPOLATE] !== 0;
  if (s[STATE_STOPPED] !== 0) st.interpolationStop = s.slice(STATE_STOP, STATE_STOP + 7);
}

/**
 * Partial statistics (stats.ts ROW_STATS fields) of the ROI pixels of row `row` of `image`, into
 * out[o..], as renderSpan leaves them for a rendered span (for an image rendered elsewhere).
 */
export function imageRowStats(
  p: KernelPlan,
  image: Float32Array,
  row: number,
  out: Float64Array,
  o: number,
): void {
  const k = loaded(p);
  const fFirst = Math.max(0, p.roiXmin);
  const fLast = Math.min(p.fpixels - 1, p.roiXmax);
  const first = row * p.fpixels + fFirst;
  if (fLast >= fFirst) k.row.set(image.subarray(first, first + fLast - fFirst + 1));
  k.spanStats(row, fFirst, fLast, k.rowOffset, first, k.stats.byteOffset);
  out.set(k.stats, o);
}

/**
 * A curved detector's pixel position for the point (x, py, pz) of the flat detector, into `out`, as
 * the kernel computes it (for the GPU backend's host geometry).
 */
export function curvedPixelPosition(plan: KernelPlan, py: number, pz: number, out: Float64Array): void {
  const k = loaded(plan);
  k.curvedPosition(py, pz);
  out.set(k.scratch);
}

type KernelCall = (spixel: number, fFirst: number, fLast: number, out: number, outBase: number) => void;
type StatsCall = (
  spixel: number,
  fFirst: number,
  fLast: number,
  out: number,
  outBase: number,
  stats: number,
) => void;

/** The kernel instance of one plan on this thread. */
interface LoadedPlan {
  renderSpan: KernelCall;
  /** renderSpan calling the trace hooks. */
  traceSpan: KernelCall;
  /** A curved detector's pixel position, into `scratch`. */
  curvedPosition: (py: number, pz: number) => void;
  /** Statistics of a span held in memory, into the block at byte offset `stats`. */
  spanStats: StatsCall;
  scratch: Float64Array;
  /** The statistics block (ROW_STATS fields). */
  stats: Float64Array;
  /** The state block: STATE_* fields. */
  state: Float64Array;
  /** One row of output (fpixels values) at byte offset `rowOffset`. */
  row: Float32Array;
  rowOffset: number;
}

const STATE_OMEGA_SUM = 0;
const STATE_PATHS = 1;
const STATE_INTERPOLATE = 2;
const STATE_STOPPED = 3;
const STATE_STOP = 4;
/** Then the statistics of the last span (ROW_STATS fields). */
const STATE_STATS = 11;
const STATE_FIELDS = STATE_STATS + ROW_STATS;
/** Scratch of the curved position and the tricubic neighbourhood, bytes. */
const SCRATCH_BYTES = 1024;

/**
 * The plan's numbers in the order the kernel's `configure` reads them (booleans as 0/1, arrays as
 * byte offsets into the memory `instantiate` lays out).
 */
function planHeader(p: KernelPlan, offsets: Record<PlanArray, number>): number[] {
  const g = p.grid;
  return [
    p.fpixels,
    p.oversample,
    p.subpixelSize,
    p.pixelSize,
    p.thicksteps,
    p.thickstep,
    p.detectorThick,
    p.detectorMu,
    Number(p.curved),
    Number(p.pointPixel),
    p.distance,
    p.closeDistance,
    p.sources,
    p.dmin,
    Number(p.nopolar),
    p.polarization,
    Number(p.oversampleThick),
    Number(p.oversamplePolar),
    Number(p.oversampleOmega),
    p.phisteps,
    p.domains,
    p.firstPathPixel,
    p.shape,
    p.Na,
    p.Nb,
    p.Nc,
    p.fudge,
    p.Ibg,
    p.waterSize,
    p.defaultF,
    Number(p.interpolationFallbackNearest),
    p.reFluence,
    p.steps,
    g.count,
    g.hMin,
    g.hMax,
    g.kMin,
    g.kMax,
    g.lMin,
    g.lMax,
    g.hRange,
    g.kRange,
    g.lRange,
    offsets.mask,
    offsets.detector,
    offsets.sourceDirection,
    offsets.sourceIncidentAgain,
    offsets.sourceLambda,
    offsets.polarAxis,
    offsets.cellTable,
    offsets.cellTableFirst,
    offsets.reciprocal,
    offsets.gridValues,
    offsets.state,
    offsets.scratch,
  ];
}

type PlanArray =
  | "mask"
  | "detector"
  | "sourceDirection"
  | "sourceIncidentAgain"
  | "sourceLambda"
  | "polarAxis"
  | "cellTable"
  | "cellTableFirst"
  | "reciprocal"
  | "gridValues"
  | "state"
  | "scratch";

let compiled: WebAssembly.Module | null = null;
let compiling: Promise<void> | null = null;

/**
 * Compile the kernel on a background thread (WebAssembly.compile), for a render to come: compiled on
 * the main thread when the render starts, while a worker starts beside it, it took up to 8 ms there.
 */
export function compileKernel(): Promise<void> {
  compiling ??= WebAssembly.compile(KERNEL_WASM).then((module) => {
    compiled ??= module;
  });
  return compiling;
}
const plans = new WeakMap<KernelPlan, LoadedPlan>();
/** The pixel being inspected, for the trace hooks. */
let active: { plan: KernelPlan; tracer: PixelTracer } | null = null;

function loaded(plan: KernelPlan): LoadedPlan {
  let k = plans.get(plan);
  if (!k) {
    k = instantiate(plan);
    plans.set(plan, k);
  }
  return k;
}

/** Instantiate the kernel over a fresh memory and lay the plan out there, after its static data. */
function instantiate(p: KernelPlan): LoadedPlan {
  const arrays: [PlanArray, ArrayLike<number> | null, number][] = [
    ["detector", p.detector, 8],
    ["sourceDirection", p.sourceDirection, 8],
    ["sourceIncidentAgain", p.sourceIncidentAgain, 8],
    ["sourceLambda", p.sourceLambda, 8],
    ["polarAxis", p.polarAxis, 8],
    ["cellTable", p.cellTable, 8],
    ["cellTableFirst", p.cellTableFirst, 8],
    ["reciprocal", p.reciprocal, 8],
    ["gridValues", p.grid.values, 8],
    ["state", new Float64Array(STATE_FIELDS), 8],
    ["scratch", new Float64Array(SCRATCH_BYTES / 8), 8],
    ["mask", p.mask, 2],
  ];
  compiled ??= new WebAssembly.Module(KERNEL_WASM);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const exports = new WebAssembly.Instance(compiled, { env: hostImports(memory) }).exports as unknown as {
    heapBase: () => number;
    configure: (header: number) => void;
    renderSpan: KernelCall;
    traceSpan: KernelCall;
    curvedPosition: (py: number, pz: number) => void;
    spanStats: StatsCall;
  };
  const header = 8 * Math.ceil(exports.heapBase() / 8);
  const headerLength = planHeader(p, {} as Record<PlanArray, number>).length;
  let end = header + 8 * headerLength;
  const offsets = {} as Record<PlanArray, number>;
  for (const [name, values, size] of arrays) {
    offsets[name] = values === null ? 0 : end;
    end += values === null ? 0 : 8 * Math.ceil((size * values.length) / 8);
  }
  const rowOffset = end;
  end += 4 * p.fpixels;
  growTo(
    memory,
    end,
    `the plan (${p.grid.values.length} structure factors, ${p.fpixels} x ${p.spixels} pixels)`,
  );
  const buffer = memory.buffer;
  new Float64Array(buffer, header, headerLength).set(planHeader(p, offsets));
  for (const [name, values, size] of arrays) {
    if (values === null) continue;
    const view =
      size === 8 ? new Float64Array(buffer, offsets[name]) : new Uint16Array(buffer, offsets[name]);
    view.set(values);
  }
  exports.configure(header);
  return {
    renderSpan: exports.renderSpan,
    traceSpan: exports.traceSpan,
    curvedPosition: exports.curvedPosition,
    spanStats: exports.spanStats,
    scratch: new Float64Array(buffer, offsets.scratch, 3),
    stats: new Float64Array(buffer, offsets.state + 8 * STATE_STATS, ROW_STATS),
    state: new Float64Array(buffer, offsets.state, STATE_FIELDS),
    row: new Float32Array(buffer, rowOffset, p.fpixels),
    rowOffset,
  };
}

/** The memory and the trace hooks, which hand the kernel's numbers to the active tracer. */
function hostImports(memory: WebAssembly.Memory): Record<string, WebAssembly.ImportValue> {
  return {
    memory,
    traceSource: (...values: Parameters<PixelTracer["source"]>) => active?.tracer.source(...values),
    traceIndices: (source: number, phiTic: number, mos: number, cellIndex: number, ...hkl: number[]) => {
      if (!active) return;
      // a negative index is into the table of the first path
      const first = cellIndex < 0;
      const cell = first ? active.plan.cellTableFirst : active.plan.cellTable;
      const [h, k, l, h0, k0, l0] = hkl;
      active.tracer.indices(
        source,
        phiTic,
        mos,
        cell,
        first ? -1 - cellIndex : cellIndex,
        h,
        k,
        l,
        h0,
        k0,
        l0,
      );
    },
    traceLattice: (source: number, phiTic: number, mos: number, ...factors: number[]) => {
      if (!active) return;
      const [k, fa, fb, fc, fLatt] = factors;
      active.tracer.lattice(source, phiTic, mos, active.plan.phi[phiTic], k, fa, fb, fc, fLatt);
    },
    traceStructureFactor: (...values: Parameters<PixelTracer["structureFactor"]>) =>
      active?.tracer.structureFactor(...values),
    traceFinal: (...values: Parameters<PixelTracer["final"]>) => active?.tracer.final(...values),
  };
}
