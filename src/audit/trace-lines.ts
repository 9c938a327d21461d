/**
 * Reading pixel traces of any implementation: `PREFIX: key v1 [v2 v3]` lines (per-pixel values),
 * `PREFIX_PHI k=v ...` lines (one per phi step) and `PREFIX_SOURCE2: key v` lines, where PREFIX is
 * TRACE_C, TRACE_TS or TRACE_PY. Set-up lines (`TRACE_C:key=value`) and anything else are ignored.
 */

export interface TraceEntry {
  /** Key as written; phi lines get "phi", source-2 lines "source2:<key>". */
  key: string;
  values: number[];
  line: number;
}

const PIXEL_LINE = /^(TRACE_(?:C|TS|PY))(_PHI|_SOURCE2)?(:?) (.*)$/;

export function parseTrace(text: string): TraceEntry[] {
  const entries: TraceEntry[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const m = PIXEL_LINE.exec(lines[n].trimEnd());
    if (!m) continue;
    const [, , kind, colon, body] = m;
    if (kind === "_PHI") {
      const fields = body.split(/\s+/).map((f) => f.split("="));
      entries.push({ key: "phi", values: fields.map(([, v]) => Number(v)), line: n + 1 });
      continue;
    }
    if (colon !== ":") continue;
    const [key, ...values] = body.split(/\s+/);
    entries.push({
      key: kind === "_SOURCE2" ? `source2:${key}` : key,
      values: values.map(Number),
      line: n + 1,
    });
  }
  return entries;
}
