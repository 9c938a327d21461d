/**
 * Trace diff: sets a port's pixel trace beside the reference's, key by key in the reference's trace
 * order, and names the first value that diverges. Both traces are read whole (C, TS or PY tags, both
 * line grammars, per-phi and per-source taps); keys are aligned through KEY_ALIASES and by occurrence.
 */

/** One value of a trace: the n-th time (`occurrence`) a key was printed. */
export interface TraceValue {
  /**
   * `key` of `TRACE_<impl>: key v...` and `TRACE_<impl>:key=v...`; `<tap>.key` for tapped lines
   * (`TRACE_C_SOURCE2: key v` and `TRACE_PY_SOURCE 2: key v` both give `source2.key`); per-step
   * field lines give `<tap>[<phi_tic>].<field>` (`TRACE_C_PHI phi_tic=3 k_frac=...` → `phi[3].k_frac`).
   */
  key: string;
  /** The numbers printed (labels such as `rotx:` and brackets dropped); empty for text values. */
  values: number[];
  /** The value as printed. */
  text: string;
  /** 1-based line number. */
  line: number;
  occurrence: number;
}

export interface TraceDiffOptions {
  rtol?: number;
  atol?: number;
}

export interface KeyComparison {
  key: string;
  occurrence: number;
  ref: number[];
  port: number[];
  refText: string;
  portText: string;
  refLine: number;
  portLine: number;
  /** Largest |p - r| / |r| over the components (Infinity where r = 0 but p differs; NaN if not comparable). */
  relErr: number;
  absErr: number;
  status: "match" | "diverges" | "sign_flip" | "length_mismatch";
  /** Component indices whose signs differ, both beyond the absolute floor. */
  signFlips: number[];
}

export interface TracePrecision {
  /** Significant digits the trace carries: the most it prints, or 7 when its long numbers are float32. */
  digits: number;
  float32: boolean;
}

export interface TraceDiff {
  rtol: number;
  atol: number;
  /** True when rtol was derived from the traces' precision rather than given. */
  tolerancesChosen: boolean;
  /** Relative noise floor: a component's absolute floor is atol + noise * max|ref components|. */
  noise: number;
  precision: { ref: TracePrecision; port: TracePrecision };
  /** Shared (key, occurrence) pairs in the reference's trace order. */
  compared: KeyComparison[];
  firstDivergence: KeyComparison | null;
  divergent: KeyComparison[];
  /** `key` when the other side never prints it, `key#n` / `key#n-m` for occurrences beyond its count. */
  onlyInRef: string[];
  onlyInPort: string[];
}

/**
 * Key names that differ between implementations for the same quantity, mapped to the C's name
 * (the canonical one). An alias applies only to a trace that does not print the C's name itself.
 * Not aliased on purpose: `omega_pixel_sr` / `omega_pixel` (the C prints both: the solid angle
 * held at the first subpixel, and the last one held at scaling), `I_before_scaling_post_polar`
 * (the C prints no post-polarization accumulator).
 */
export const KEY_ALIASES: ReadonlyArray<{ from: string; to: string; why: string }> = [
  {
    from: "I_before_scaling_pre_polar",
    to: "I_before_scaling",
    why: "the PyTorch port (simulator.py, CLI-FLAGS-003 M1) splits the accumulator into pre/post polarization; the C's I_before_scaling is the pre-polarization one",
  },
  {
    from: "polarization_factor",
    to: "polar",
    why: "the PyTorch port's single-pixel trace script (trace_at012_pixel_368_262.py) prints the Kahn factor under this name",
  },
  {
    from: "fluence",
    to: "fluence_photons_per_m2",
    why: "the same PyTorch script prints the fluence (photons/m^2) under this name",
  },
  {
    from: "source2.wavelength_angstroms",
    to: "source2.lambda_angstroms",
    why: "the PyTorch per-source block (TRACE_PY_SOURCE 2:) names the wavelength so; TRACE_C_SOURCE2 prints lambda_angstroms",
  },
  {
    from: "source2.I_contribution_pre_polar",
    to: "source2.I_contribution",
    why: "the C's source-2 I_contribution is F_cell^2 * F_latt^2, before polarization",
  },
];

// `TRACE_<impl>[_<TAP>][ <index>]:` then `key v1 v2` (pixel grammar) or `key=v1 v2` (set-up grammar).
const KEYED_LINE = /^TRACE_(?:C|TS|PY)(?:_([A-Z0-9_]+)(?: (\d+))?)?:(.*)$/;
// `TRACE_<impl>_<TAP> f1=v1 f2=v2 ...`: one line per step (phi).
const FIELD_LINE = /^TRACE_(?:C|TS|PY)_([A-Z0-9_]+) (\S+=.*)$/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
const NOT_FINITE = /^([-+]?)(nan|inf|infinity)$/i;

function parseNumber(token: string): number | undefined {
  if (NUMBER.test(token)) return Number(token);
  const m = NOT_FINITE.exec(token);
  if (!m) return undefined;
  if (m[2].toLowerCase() === "nan") return Number.NaN;
  return m[1] === "-" ? -Infinity : Infinity;
}

/** Numeric tokens of a printed value; `label:` prefixes (`rotx:0`) and matrix brackets are dropped. */
function numberTokens(text: string): string[] {
  return text
    .split(/[\s,;[\]()]+/)
    .map((t) => t.replace(/^[A-Za-z_]\w*:/, ""))
    .filter((t) => parseNumber(t) !== undefined);
}

function entry(key: string, text: string, line: number): Omit<TraceValue, "occurrence"> {
  return { key, values: numberTokens(text).map((t) => parseNumber(t) as number), text, line };
}

/** Every tagged value of a trace, in order; banners, `TRACE_CONFIG:` and untagged lines are skipped. */
export function readTrace(text: string): TraceValue[] {
  const read: Array<Omit<TraceValue, "occurrence">> = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trimEnd();
    const keyed = KEYED_LINE.exec(line);
    if (keyed) {
      const [, tap, index, body] = keyed;
      const m = /^([^\s=]+)(?:=|\s+|$)(.*)$/.exec(body.trim());
      if (!m) continue;
      const prefix = tap ? `${tap.toLowerCase()}${index ?? ""}.` : "";
      read.push(entry(prefix + m[1], m[2].trim(), n + 1));
      continue;
    }
    const tapped = FIELD_LINE.exec(line);
    if (!tapped) continue;
    const fields = tapped[2].split(/\s+/).map((f) => {
      const at = f.indexOf("=");
      return at < 0 ? [f, ""] : [f.slice(0, at), f.slice(at + 1)];
    });
    const tic = fields.find(([k]) => k === "phi_tic")?.[1];
    const prefix = tapped[1].toLowerCase() + (tic === undefined ? "" : `[${tic}]`);
    for (const [k, v] of fields) if (k !== "phi_tic") read.push(entry(`${prefix}.${k}`, v, n + 1));
  }
  return withOccurrences(read);
}

function withOccurrences(values: Array<Omit<TraceValue, "occurrence">>): TraceValue[] {
  const seen = new Map<string, number>();
  return values.map((v) => {
    const occurrence = seen.get(v.key) ?? 0;
    seen.set(v.key, occurrence + 1);
    return { ...v, occurrence };
  });
}

function canonical(values: TraceValue[]): TraceValue[] {
  const printed = new Set(values.map((v) => v.key));
  const rename = new Map(KEY_ALIASES.filter((a) => !printed.has(a.to)).map((a) => [a.from, a.to]));
  return withOccurrences(values.map((v) => ({ ...v, key: rename.get(v.key) ?? v.key })));
}

function significantDigits(token: string): number {
  const mantissa = token.replace(/^[-+]/, "").split(/e/i)[0];
  const digits = mantissa.replace(".", "").replace(/^0+/, "");
  // Without a decimal point trailing zeros are not evidence of precision (1e+24, 1556209280).
  return (mantissa.includes(".") ? digits : digits.replace(/0+$/, "")).length;
}

/**
 * How many significant digits a trace carries. A float32 port often prints its float32 numbers with
 * %.15g, so the printed digits overstate its precision: when at least 3/4 of the numbers printed with
 * 9 or more digits (enough to tell) are float32 values, the trace is float32 (7 digits).
 */
function tracePrecision(values: TraceValue[]): TracePrecision {
  let digits = 0;
  let long = 0;
  let single = 0;
  for (const v of values) {
    for (const token of numberTokens(v.text)) {
      const d = significantDigits(token);
      const x = Number(token);
      digits = Math.max(digits, d);
      if (d < 9 || !Number.isFinite(x)) continue;
      long++;
      if (Math.abs(x - Math.fround(x)) <= Math.abs(x) * 10 ** -(d - 1)) single++;
    }
  }
  if (long > 0 && single >= 0.75 * long) return { digits: Math.min(digits, 7), float32: true };
  return { digits: digits || 15, float32: false };
}

const sameValue = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

function compareValues(
  r: TraceValue,
  p: TraceValue,
  rtol: number,
  atol: number,
  noise: number,
): KeyComparison {
  const base = {
    key: r.key,
    occurrence: r.occurrence,
    ref: r.values,
    port: p.values,
    refText: r.text,
    portText: p.text,
    refLine: r.line,
    portLine: p.line,
    signFlips: [] as number[],
  };
  if (r.values.length !== p.values.length) {
    return { ...base, relErr: Number.NaN, absErr: Number.NaN, status: "length_mismatch" };
  }
  if (r.values.length === 0) {
    const same = r.text === p.text;
    return {
      ...base,
      relErr: same ? 0 : Number.NaN,
      absErr: same ? 0 : Number.NaN,
      status: same ? "match" : "diverges",
    };
  }
  let scale = 0;
  for (const x of r.values) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  const floor = atol + noise * scale;
  let relErr = 0;
  let absErr = 0;
  let matches = true;
  r.values.forEach((rv, i) => {
    const pv = p.values[i];
    const d = sameValue(rv, pv) ? 0 : Math.abs(pv - rv);
    const rel = d === 0 ? 0 : rv === 0 ? Infinity : d / Math.abs(rv);
    // NaN (a NaN on one side only, or infinities of opposite sign) makes both errors NaN.
    absErr = Number.isNaN(d) || Number.isNaN(absErr) ? Number.NaN : Math.max(absErr, d);
    relErr = Number.isNaN(rel) || Number.isNaN(relErr) ? Number.NaN : Math.max(relErr, rel);
    if (!(d <= floor + rtol * Math.abs(rv))) matches = false;
    if (rv * pv < 0 && Math.abs(rv) > floor && Math.abs(pv) > floor) base.signFlips.push(i);
  });
  const status = base.signFlips.length > 0 ? "sign_flip" : matches ? "match" : "diverges";
  return { ...base, relErr, absErr, status };
}

/** What one side prints beyond the other, in trace order: whole keys, or runs of extra occurrences. */
function unmatched(side: TraceValue[], other: TraceValue[]): string[] {
  const count = (values: TraceValue[]) => {
    const n = new Map<string, number>();
    for (const v of values) n.set(v.key, (n.get(v.key) ?? 0) + 1);
    return n;
  };
  const mine = count(side);
  const theirs = count(other);
  const out: string[] = [];
  for (const v of side) {
    const m = theirs.get(v.key) ?? 0;
    if (v.occurrence !== m) continue;
    const last = (mine.get(v.key) ?? 0) - 1;
    out.push(m === 0 ? v.key : last === m ? `${v.key}#${m}` : `${v.key}#${m}-${last}`);
  }
  return out;
}

/**
 * Tolerance rule. A component matches when |p - r| <= atol + noise * s + rtol * |r|, with s the
 * largest |component| of the reference's value (its scale).
 * - rtol, when not given: 10^-(d - 2) clamped to [1e-12, 1e-3], d the fewer significant digits of the
 *   two traces (see tracePrecision): two %.15g traces get 1e-12, a float32 port 1e-5.
 * - atol, when not given: 0. No single absolute floor fits values from r_e_sqr (7.9e-30) to fluence
 *   (1e24): even 1e-30 would hide a 13% error in r_e_sqr. The floor is per value instead:
 * - noise: rounding noise of the arithmetic, relative to the value's scale: 1e-6 when either trace is
 *   float32 (some 10 float32 ulps), else 1e-14 (some 50 float64 ulps). It keeps a component that is 0
 *   up to cancellation noise (rot_a 100 6.1e-15 6.1e-15) from diverging or flipping sign. A value
 *   that is exactly 0 throughout (hkl_frac 0 0 0) has no scale: a port's tiny non-zero there diverges
 *   unless atol is given.
 */
export function diffTraces(refText: string, portText: string, options: TraceDiffOptions = {}): TraceDiff {
  const ref = canonical(readTrace(refText));
  const port = canonical(readTrace(portText));
  const precision = { ref: tracePrecision(ref), port: tracePrecision(port) };
  const digits = Math.min(precision.ref.digits, precision.port.digits);
  const rtol = options.rtol ?? Math.min(1e-3, Math.max(1e-12, Number(`1e${2 - digits}`)));
  const atol = options.atol ?? 0;
  const noise = precision.ref.float32 || precision.port.float32 ? 1e-6 : 1e-14;
  const byId = new Map(port.map((p) => [`${p.key}#${p.occurrence}`, p]));
  const compared: KeyComparison[] = [];
  for (const r of ref) {
    const p = byId.get(`${r.key}#${r.occurrence}`);
    if (p) compared.push(compareValues(r, p, rtol, atol, noise));
  }
  const divergent = compared.filter((c) => c.status !== "match");
  return {
    rtol,
    atol,
    tolerancesChosen: options.rtol === undefined,
    noise,
    precision,
    compared,
    firstDivergence: divergent[0] ?? null,
    divergent,
    onlyInRef: unmatched(ref, port),
    onlyInPort: unmatched(port, ref),
  };
}

const label = (c: KeyComparison) => (c.occurrence === 0 ? c.key : `${c.key}#${c.occurrence}`);
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

function formatError(x: number): string {
  if (Number.isNaN(x)) return "–";
  return Number.isFinite(x) ? x.toExponential(2) : "∞";
}

function flags(c: KeyComparison): string {
  if (c.status === "length_mismatch") return `length ${c.ref.length} vs ${c.port.length}`;
  if (c.status === "sign_flip") return `sign flip (component ${c.signFlips.join(", ")})`;
  return "";
}

const formatNumber = (x: number) => (x === 0 ? "0" : x.toExponential());
const cell = (text: string) => text.replaceAll("|", "\\|");

function precisionText(p: TracePrecision): string {
  return p.float32
    ? "float32 (its numbers printed with 9 or more digits are float32 values: 7 digits)"
    : `${p.digits} significant digits`;
}

function keyList(keys: string[]): string {
  return keys.length === 0 ? "none" : keys.map((k) => `\`${k}\``).join(", ");
}

/** summary.md of a trace diff. */
export function traceDiffSummary(diff: TraceDiff, refName: string, portName: string): string {
  const first = diff.firstDivergence;
  const flips = diff.divergent.filter((c) => c.status === "sign_flip");
  const float32 = diff.precision.ref.float32 || diff.precision.port.float32;
  const out = [`# Trace diff: ${portName} against ${refName}`, ""];
  if (first) {
    out.push(
      `**First divergence: \`${label(first)}\`** (${refName} line ${first.refLine}, ${portName} line ${first.portLine}): ` +
        `${refName} \`${first.refText}\`, ${portName} \`${first.portText}\`, rel err ${formatError(first.relErr)}` +
        (flags(first) ? `, ${flags(first)}` : ""),
    );
  } else {
    out.push("**No divergence**: every value both traces print agrees within tolerance.");
  }
  out.push(
    "",
    `${diff.compared.length} values compared in ${refName}'s trace order, ${diff.divergent.length} divergent` +
      (flips.length > 0 ? `, sign flips at ${keyList(flips.map(label))}.` : "."),
    "",
  );
  if (diff.divergent.length > 0) {
    out.push(
      "## Divergent values",
      "",
      `| # | key | ${refName} | ${portName} | rel err | abs err | flags |`,
      "|---|---|---|---|---|---|---|",
      ...diff.divergent.map(
        (c, i) =>
          `| ${i + 1} | \`${label(c)}\` | ${cell(c.refText)} | ${cell(c.portText)} | ${formatError(c.relErr)} | ${formatError(c.absErr)} | ${flags(c)} |`,
      ),
      "",
    );
  }
  out.push(
    "## Printed on one side only (not compared)",
    "",
    `- only in ${refName} (${diff.onlyInRef.length}): ${keyList(diff.onlyInRef)}`,
    `- only in ${portName} (${diff.onlyInPort.length}): ${keyList(diff.onlyInPort)}`,
    "",
    "## Tolerances",
    "",
    `A component matches when |port - ref| <= atol + noise * scale + rtol * |ref|, scale being the largest |component| of the ${refName} value.`,
    "",
    `- rtol = ${formatNumber(diff.rtol)} (${diff.tolerancesChosen ? "chosen: 10^-(digits - 2) clamped to [1e-12, 1e-3], digits being the fewer of the two traces'" : "given"})`,
    diff.atol === 0
      ? "- atol = 0: no one absolute floor suits values from r_e_sqr (7.9e-30) to fluence (1e24); the noise term scales with each value instead"
      : `- atol = ${formatNumber(diff.atol)} (given)`,
    `- noise = ${formatNumber(diff.noise)} (rounding noise of ${float32 ? "float32" : "float64"} arithmetic: near-zero components of a vector are compared at the vector's scale)`,
    `- precision: ${refName} ${precisionText(diff.precision.ref)}, ${portName} ${precisionText(diff.precision.port)}`,
    "",
  );
  return out.join("\n");
}

/** metrics.json content of a trace diff. */
/** comparisons.json: every value compared, in the reference's order, the first divergence marked. */
export function traceComparisons(diff: TraceDiff, refName: string, portName: string): object {
  return {
    ref_name: refName,
    port_name: portName,
    rtol: diff.rtol,
    atol: diff.atol,
    first_divergence: diff.firstDivergence ? label(diff.firstDivergence) : null,
    compared: diff.compared.map((c) => ({
      key: label(c),
      ref: c.refText,
      port: c.portText,
      rel_err: finiteOrNull(c.relErr),
      abs_err: finiteOrNull(c.absErr),
      status: c.status,
      first: c === diff.firstDivergence,
    })),
  };
}

export function traceDiffMetrics(diff: TraceDiff): object {
  const first = diff.firstDivergence;
  return {
    // flat, for ledgers and metric lists that take one word
    first_divergence_key: first ? first.key : "none",
    first_divergence: first && {
      key: first.key,
      occurrence: first.occurrence,
      status: first.status,
      rel_err: finiteOrNull(first.relErr),
      abs_err: finiteOrNull(first.absErr),
      ref: first.ref.map(finiteOrNull),
      port: first.port.map(finiteOrNull),
      sign_flip: first.signFlips.length > 0,
    },
    divergent: diff.divergent.map(label),
    sign_flips: diff.divergent.filter((c) => c.status === "sign_flip").map(label),
    n_compared: diff.compared.length,
    n_divergent: diff.divergent.length,
    only_in_ref: diff.onlyInRef,
    only_in_port: diff.onlyInPort,
    rtol: diff.rtol,
    atol: diff.atol,
    tolerances_chosen: diff.tolerancesChosen,
    noise: diff.noise,
    precision: diff.precision,
  };
}
