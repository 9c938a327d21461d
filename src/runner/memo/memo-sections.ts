/**
 * The memo's text format: `Key: value` lines, each with the bullets and continuation lines under it,
 * read into entries that keep where they stood, so that the importer can say where a line it could
 * not map came from.
 */

export interface Entry {
  key: string;
  line: number;
  value: string;
  bullets: string[];
}

// At most four words, so that a prose line with a colon is not taken for a key.
const KEY_LINE = /^([A-Z][A-Za-z]*(?:[ -](?:&|[A-Za-z]+)){0,3}):(?:[ \t]+(.*))?$/;
const BULLET = /^\s*[-*]\s+(.*)$/;

/** The canonical key of each memo line the importer maps (the prompt's SupervisorMode is Mode). */
const KEYS: Record<string, string> = {
  summary: "summary",
  mode: "mode",
  supervisormode: "mode",
  focus: "focus",
  branch: "branch",
  "mapped tests": "tests",
  artifacts: "artifacts",
  "do now": "do_now",
  "if blocked": "blocked",
  "priorities & rationale": "priorities",
  "how-to map": "howto",
  "pitfalls to avoid": "pitfalls",
  pointers: "pointers",
  "next up": "next_up",
};

export const canonicalKey = (key: string): string | undefined => KEYS[key.toLowerCase().replace(/\s+/g, " ")];
const oddTicks = (text: string): boolean => (text.match(/`/g)?.length ?? 0) % 2 === 1;

/**
 * Entries in memo order. A line continues the last bullet (or the value); inside a backtick span left
 * open (a heredoc) it is kept verbatim with its newline; only a known key not seen yet ends the span
 * (each comes once), so that a stray backtick cannot swallow the rest of the memo.
 */
export function parseMemo(text: string): { entries: Entry[]; preamble: string[] } {
  const entries: Entry[] = [];
  const preamble: string[] = [];
  const seen = new Set<string>();
  let open = false;
  text.split(/\r?\n/).forEach((line, index) => {
    const last = entries.at(-1);
    const key = KEY_LINE.exec(line);
    const bullet = BULLET.exec(line);
    const canonical = key ? canonicalKey(key[1]) : undefined;
    if (key && (!open || (canonical && !seen.has(canonical)))) {
      if (canonical) seen.add(canonical);
      entries.push({ key: key[1], line: index + 1, value: key[2]?.trim() ?? "", bullets: [] });
    } else if (!last) {
      if (line.trim()) preamble.push(line.trim());
    } else if (open || (!bullet && line.trim())) {
      const separator = open ? "\n" : " ";
      const continued = open ? line : line.trim();
      if (last.bullets.length > 0) last.bullets[last.bullets.length - 1] += separator + continued;
      else last.value = last.value ? last.value + separator + continued : continued;
    } else if (bullet) {
      last.bullets.push(bullet[1].trim());
    }
    const current = entries.at(-1);
    open = current ? oddTicks(current.bullets.at(-1) ?? current.value) : false;
  });
  return { entries, preamble };
}

export const itemsOf = (entry: Entry | undefined): string[] =>
  entry ? [entry.value, ...entry.bullets].filter((item) => item.length > 0) : [];
export const textOf = (entry: Entry | undefined): string => itemsOf(entry).join(" ");
