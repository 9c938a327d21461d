/** The detector set-up lines of a trace (`TRACE_C:key=value`, `TRACE_TS:key=value`), without their tag. */
export function setupLines(text: string): string[] {
  return [...text.matchAll(/^TRACE_(?:C|TS):(\S+=.*)$/gm)].map((m) => m[1]);
}
