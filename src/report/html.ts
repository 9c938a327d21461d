/** HTML from strings that come from files: everything escaped, pages in one frame, links relative. */

import { relative } from "node:path";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const esc = (text: unknown): string => String(text ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** A link's target from the page at `pageDir` to `target` (both absolute), each segment URI-encoded. */
export function href(pageDir: string, target: string): string {
  return relative(pageDir, target).split("/").map(encodeURIComponent).join("/") || ".";
}

export function link(url: string, text: string, cls?: string): string {
  return `<a href="${esc(url)}"${cls ? ` class="${cls}"` : ""}>${esc(text)}</a>`;
}

/** Rows' cells are HTML already; `rowClass` names a class per row index ("" for none). */
export function table(head: string[], rows: string[][], cls = "", rowClass?: (i: number) => string): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows
    .map((r, i) => {
      const c = rowClass?.(i);
      return `<tr${c ? ` class="${c}"` : ""}>${r.map((cell) => `<td>${cell}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A whole page: `root` is the site's folder relative to the page ("." or ".."). */
export function page(title: string, root: string, body: string, scripts: string[] = []): string {
  const js = scripts.map((s) => `<script src="${esc(`${root}/${s}`)}"></script>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${esc(root)}/style.css">
</head>
<body>
<header><a href="${esc(root)}/index.html">nbloop evidence</a></header>
<main>
${body}
</main>
${js}
</body>
</html>
`;
}

/** A status or result word as a coloured badge. */
export function badge(text: string): string {
  // ledgers write results in bold (**PARTIAL SUCCESS**): the badge shows the words
  const word = text.replace(/\*\*|__/g, "").trim();
  const w = word.toLowerCase();
  const kind = /success|done|pass|match|complete|cached|reused|\[d\]|^ok$|^exit 0$/.test(w)
    ? "ok"
    : /block|fail|error|differ|diverg|flip|missing|changed|^exit [1-9]|\[b\]/.test(w)
      ? "bad"
      : /partial|progress|running|\[p\]/.test(w)
        ? "mid"
        : "plain";
  return `<span class="badge ${kind}">${esc(word || "—")}</span>`;
}
