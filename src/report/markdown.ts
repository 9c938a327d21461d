/**
 * Markdown of the workspace (bundle summaries, audit reports) as HTML, through markdown-it with raw
 * HTML off, so that nothing a file holds runs in the page. Relative links and images are rebased from
 * the markdown file's folder to the page's.
 */

import { posix } from "node:path";
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
/** Ledger entries are written line by line (Metrics:, Artifacts:): their line breaks are kept. */
const lines = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });

const LOCAL = /^(?![a-z][a-z0-9+.-]*:|#|\/)/i;

/** `from`: the markdown file's folder; `to`: the page's folder (both absolute); `keepBreaks` for ledger text. */
export function renderMarkdown(text: string, from: string, to: string, keepBreaks = false): string {
  const renderer = keepBreaks ? lines : md;
  const rebase = (url: string) => {
    if (!LOCAL.test(url)) return url;
    const [path, hash = ""] = url.split("#", 2);
    const target = posix.relative(to, posix.resolve(from, decodeURIComponent(path)));
    return target.split("/").map(encodeURIComponent).join("/") + (hash ? `#${hash}` : "");
  };
  const env = {};
  const tokens = renderer.parse(text, env);
  const walk = (list: typeof tokens) => {
    for (const t of list) {
      if (t.type === "link_open") t.attrSet("href", rebase(String(t.attrGet("href") ?? "")));
      if (t.type === "image") t.attrSet("src", rebase(String(t.attrGet("src") ?? "")));
      if (t.children) walk(t.children);
    }
  };
  walk(tokens);
  return renderer.renderer.render(tokens, renderer.options, env);
}
