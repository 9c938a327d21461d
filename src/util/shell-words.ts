/**
 * Shell-like reading of a command line (quotes, backslashes, leading variable assignments, `env`),
 * and what in it only a shell can do (pipes, redirections, expansions, heredocs), so that commands
 * written for people become argv arrays where they can.
 */

interface Word {
  /** The word after quote removal. */
  text: string;
  /** The word as written. */
  raw: string;
  /** Offset just past the word. */
  end: number;
}

const OPERATORS: Record<string, string> = {
  "|": "a pipe",
  "&": "a command list",
  ";": "a command list",
  "<": "a redirection",
  ">": "a redirection",
  "(": "a subshell",
  ")": "a subshell",
};

/** Index of the parenthesis closing the one at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

/** The text of the double-quoted span opening at `open` and the offset after it, or null if it never closes. */
function doubleQuoted(
  command: string,
  open: number,
  needs: Set<string>,
): { text: string; end: number } | null {
  let text = "";
  let j = open + 1;
  for (; j < command.length && command[j] !== '"'; j++) {
    const d = command[j];
    if (d === "\\" && '$`"\\\n'.includes(command[j + 1] ?? "")) {
      text += command[++j];
      continue;
    }
    if (d === "$" && command[j + 1] === "(") needs.add("command substitution");
    else if (d === "$" && /[A-Za-z_{]/.test(command[j + 1] ?? "")) needs.add("$ expansion");
    if (d === "`") needs.add("command substitution");
    text += d;
  }
  return j >= command.length ? null : { text, end: j + 1 };
}

/**
 * POSIX-shell word splitting (quotes, backslashes) that also says what in the command only a shell can
 * do. `[` is left literal: pytest node IDs carry brackets and a shell passes them on when nothing
 * matches.
 */
export function lex(command: string): { words: Word[]; needs: string[] } {
  const words: Word[] = [];
  const needs = new Set<string>();
  let text = "";
  let start = -1;
  const flush = (end: number) => {
    if (start >= 0) words.push({ text, raw: command.slice(start, end), end });
    text = "";
    start = -1;
  };
  let i = 0;
  while (i < command.length) {
    const c = command[i];
    const next = command[i + 1] ?? "";
    if (c === " " || c === "\t" || c === "\n") {
      flush(i);
      if (c === "\n") needs.add("several lines");
      i++;
      continue;
    }
    if (start < 0) {
      start = i;
      if (c === "#") needs.add("a comment");
      if (c === "~") needs.add("~ expansion");
    }
    if (c === "\\") {
      if (next !== "\n") text += next;
      i += 2;
    } else if (c === "'") {
      const close = command.indexOf("'", i + 1);
      if (close < 0) {
        needs.add("an unbalanced quote");
        break;
      }
      text += command.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      const quoted = doubleQuoted(command, i, needs);
      if (quoted === null) {
        needs.add("an unbalanced quote");
        break;
      }
      text += quoted.text;
      i = quoted.end;
    } else if (c === "$" && next === "(") {
      needs.add("command substitution");
      const close = closingParen(command, i + 1);
      if (close < 0) {
        needs.add("unbalanced parentheses");
        break;
      }
      text += command.slice(i, close + 1);
      i = close + 1;
    } else if (c in OPERATORS) {
      flush(i);
      if (c === "<" && next === "<") {
        // the rest is the heredoc's body, not words
        needs.add("a heredoc");
        break;
      }
      needs.add(OPERATORS[c]);
      i++;
    } else {
      if (c === "$" && /[A-Za-z_{]/.test(next)) needs.add("$ expansion");
      if (c === "`") needs.add("command substitution");
      if (c === "*" || c === "?") needs.add("a glob");
      if (c === "{" && /^\{[^\s{}]*(,|\.\.)[^\s{}]*\}/.test(command.slice(i))) needs.add("brace expansion");
      text += c;
      i++;
    }
  }
  flush(Math.min(i, command.length));
  return { words, needs: [...needs] };
}

export const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const PROGRAM = /^(?!-)[\w.+~/-]*[\w.+~-]$/;

/**
 * Whether a backticked span is a command rather than a path or a code fragment: a program word
 * followed by a blank and at least one more word (arguments or variable prefixes), or variable
 * assignments alone (which set up later commands).
 */
export function isCommand(span: string): boolean {
  const { words } = lex(span);
  let i = 0;
  while (i < words.length && ASSIGNMENT.test(words[i].raw)) i++;
  if (i === words.length) return i > 0;
  if (words[i].raw === "env") i++;
  while (i < words.length && ASSIGNMENT.test(words[i].raw)) i++;
  const program = words[i];
  if (!program || words.length < 2 || !PROGRAM.test(program.raw)) return false;
  return program.end === span.length || /\s/.test(span[program.end]);
}

export interface Command {
  run: string[] | string;
  env?: Record<string, string>;
  /** What only a shell can do; empty for an argv command. */
  needs: string[];
}

/** A command as argv plus variables (leading `A=b` words and an `env A=b` prefix), or a shell string. */
export function parseCommand(span: string): Command {
  const command = span.trim();
  const { words, needs } = lex(command);
  if (needs.length > 0) return { run: command, needs };
  const env: Record<string, string> = {};
  let i = 0;
  const assignments = () => {
    for (; i < words.length && ASSIGNMENT.test(words[i].raw); i++) {
      const eq = words[i].text.indexOf("=");
      env[words[i].text.slice(0, eq)] = words[i].text.slice(eq + 1);
    }
  };
  assignments();
  if (words[i]?.raw === "env" && ASSIGNMENT.test(words[i + 1]?.raw ?? "")) {
    i++;
    assignments();
  }
  if (i === words.length) return { run: command, needs: ["shell variables only"] };
  const run = words.slice(i).map((w) => w.text);
  return Object.keys(env).length > 0 ? { run, env, needs } : { run, needs };
}

export const sameCommand = (a: Command, b: Command): boolean =>
  JSON.stringify([a.run, a.env ?? {}]) === JSON.stringify([b.run, b.env ?? {}]);
