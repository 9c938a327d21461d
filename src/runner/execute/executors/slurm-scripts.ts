/**
 * The files a Slurm job runs, written into the bundle before it is submitted: one shell script per
 * task (readable, and runnable by hand), which writes a status line beside itself when the task ends,
 * and the batch script that picks a task by its array index. A node that cannot see the bundle says
 * so in the job's output, and leaves no status (the executor names the cause).
 */

import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { quote } from "../../collect/bundle.js";
import type { PreparedTask } from "../../plan/steps.js";

/** Exit status of the batch script on a node that cannot see the bundle. */
export const NO_SHARED_BUNDLE = 98;

export const taskScript = (dir: string, index: number) => join(dir, `task-${index}.sh`);
export const statusFile = (dir: string, index: number) => join(dir, `task-${index}.status`);

/** The command line of a task, as sh runs it, with coreutils' timeout where the step has one. */
function commandLine(task: PreparedTask): string {
  const command = task.shell ? `sh -c ${quote(task.argv[0])}` : task.argv.map(quote).join(" ");
  if (task.timeoutMs === undefined) return command;
  return `timeout --kill-after=5 ${task.timeoutMs / 1000} ${command}`;
}

export function writeTaskScript(dir: string, index: number, task: PreparedTask, bundle: string): void {
  const status = statusFile(dir, index);
  const lines = [
    "#!/bin/sh",
    `# ${task.dir || task.id}: one task of an nbloop step, run by Slurm; its status line says how it ended`,
    `status=${quote(status)}`,
    "host=$(hostname)",
    "start=$(date +%s%N)",
    `cd ${quote(task.cwd)} || { echo "nbloop: $host cannot enter ${task.cwd}" >&2; exit 97; }`,
    ...Object.entries(task.env).map(([k, v]) => `export ${k}=${quote(v)}`),
    `${commandLine(task)} >${quote(join(bundle, task.stdoutFile))} 2>${quote(join(bundle, task.stderrFile))} </dev/null`,
    "code=$?",
    'printf "%s %s %s %s\\n" "$code" "$start" "$(date +%s%N)" "$host" >"$status.tmp" && mv "$status.tmp" "$status"',
    'exit "$code"',
  ];
  writeFileSync(taskScript(dir, index), `${lines.join("\n")}\n`);
  chmodSync(taskScript(dir, index), 0o755);
}

/** The batch script: task N of the array (task 0 of a plain job) from the folder of task scripts. */
export function writeBatchScript(dir: string, title: string): string {
  const path = join(dir, "batch.sh");
  const lines = [
    "#!/bin/sh",
    `# ${title}`,
    `dir=${quote(dir)}`,
    'if [ ! -d "$dir" ]; then',
    `  echo "nbloop: node $(hostname) cannot see $dir: the workspace must be on a filesystem the Slurm nodes share" >&2`,
    `  exit ${NO_SHARED_BUNDLE}`,
    "fi",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's parameter expansion
    'exec sh "$dir/task-$(( ${NBLOOP_TASK_OFFSET:-0} + ${SLURM_ARRAY_TASK_ID:-0} )).sh"',
  ];
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

export interface TaskStatus {
  exitCode: number;
  durationMs: number;
  host: string;
}

/** A status line: "<exit> <start ns> <end ns> <host>". */
export function parseStatus(text: string): TaskStatus | null {
  const m = /^(\d+) (\d+) (\d+) (\S+)/.exec(text);
  if (!m) return null;
  return {
    exitCode: Number(m[1]),
    durationMs: Math.round(Number((BigInt(m[3]) - BigInt(m[2])) / 1_000_000n)),
    host: m[4],
  };
}
