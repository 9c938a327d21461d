/** Plan task tables (`| ID | Task Description | State | How/Why & Guidance |`): reading states, setting one. */

import { type Cell, cellValue, isSeparatorRow, tableCells } from "./table-row.js";
import { splitLines } from "./text-lines.js";

export type TaskState = "[ ]" | "[P]" | "[D]" | "[B]";

export interface PlanTask {
  id: string;
  /** The State cell as written, trimmed (plans also hold off-spec marks such as `[X]`). */
  state: string;
  /** 1-based. */
  line: number;
}

const STATES: readonly TaskState[] = ["[ ]", "[P]", "[D]", "[B]"];

interface TaskRow {
  task: PlanTask;
  /** Offset of the row's line in the text. */
  offset: number;
  stateCell: Cell;
}

/** Rows of every table whose header's first cell is ID and which has a State column. */
export function parsePlanTasks(text: string): PlanTask[] {
  return taskRows(text).map((row) => row.task);
}

/** Sets the State cell of the first row whose ID is `taskId`; only that cell's token changes. */
export function setTaskState(
  text: string,
  taskId: string,
  state: TaskState,
): { text: string; found: boolean; previous: string | null } {
  if (!STATES.includes(state)) throw new Error(`task state "${state}" is not one of ${STATES.join(" ")}`);
  const row = taskRows(text).find((r) => r.task.id === taskId);
  if (!row) return { text, found: false, previous: null };
  const { start, end, text: cell } = row.stateCell;
  const token = cell.trim();
  // Keep the spaces around the token; an empty cell gets one on each side.
  const [from, to] = token
    ? [start + cell.indexOf(token), start + cell.indexOf(token) + token.length]
    : [start, end];
  const replacement = token ? state : ` ${state} `;
  return {
    text: text.slice(0, row.offset + from) + replacement + text.slice(row.offset + to),
    found: true,
    previous: token,
  };
}

function taskRows(text: string): TaskRow[] {
  const view = splitLines(text);
  const rows: TaskRow[] = [];
  // The State column of the table being read: -1 inside a table that holds no tasks, null between tables.
  let stateColumn: number | null = null;
  for (let i = 0; i < view.lines.length; i++) {
    const cells = view.fenced[i] ? null : tableCells(view.lines[i]);
    if (!cells) {
      stateColumn = null;
      continue;
    }
    if (stateColumn === null) {
      const names = cells.map((c) => cellValue(c).toLowerCase());
      stateColumn = names[0] === "id" ? names.indexOf("state") : -1;
      continue;
    }
    if (stateColumn < 0 || isSeparatorRow(cells) || stateColumn >= cells.length) continue;
    const stateCell = cells[stateColumn];
    rows.push({
      task: { id: cellValue(cells[0]), state: stateCell.text.trim(), line: i + 1 },
      offset: i === 0 ? 0 : view.ends[i - 1],
      stateCell,
    });
  }
  return rows;
}
