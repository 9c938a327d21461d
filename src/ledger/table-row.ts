/** The cells of one markdown table row, with where each lies in the line so that one cell can be rewritten. */

export interface Cell {
  /** The cell's text between its pipes, surrounding spaces included. */
  text: string;
  start: number;
  end: number;
}

/** The row's cells, or null when the line is not a table row (it must start with a pipe). */
export function tableCells(line: string): Cell[] | null {
  const first = line.search(/\S/);
  if (first < 0 || line[first] !== "|") return null;
  const pipes: number[] = [];
  for (let i = first; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === "|") pipes.push(i);
  }
  const cells: Cell[] = [];
  for (let k = 0; k + 1 < pipes.length; k++) {
    cells.push({ text: line.slice(pipes[k] + 1, pipes[k + 1]), start: pipes[k] + 1, end: pipes[k + 1] });
  }
  const last = pipes[pipes.length - 1] + 1;
  // A row may omit its closing pipe; its last cell then runs to the end of the line.
  if (line.slice(last).trim() !== "") cells.push({ text: line.slice(last), start: last, end: line.length });
  return cells;
}

export function isSeparatorRow(cells: Cell[]): boolean {
  return cells.length > 0 && cells.every((c) => /^\s*:?-+:?\s*$/.test(c.text));
}

/** A cell's value without surrounding spaces and without a code span wrapped around all of it. */
export function cellValue(cell: Cell): string {
  const value = cell.text.trim();
  return /^`[^`]+`$/.test(value) ? value.slice(1, -1).trim() : value;
}
