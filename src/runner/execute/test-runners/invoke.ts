/** Starting a test runner: its answer kept in memory (listing), or its output written to files (a run). */

import { execa } from "execa";
import { interruptSignal } from "../interrupt.js";

export interface Answer {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not start (no such program), or null. */
  notStarted: string | null;
}

const common = (cwd: string, env: Record<string, string>) => ({
  cwd,
  env,
  extendEnv: true,
  reject: false,
  stdin: "ignore" as const,
  cancelSignal: interruptSignal,
});

export async function ask(argv: string[], cwd: string, env: Record<string, string>): Promise<Answer> {
  const r = await execa(argv[0], argv.slice(1), { ...common(cwd, env), encoding: "utf8" });
  const started = r.exitCode !== undefined || r.signal !== undefined;
  return {
    exitCode: r.exitCode ?? null,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    notStarted: started ? null : (r.shortMessage ?? "it did not start"),
  };
}

/** Run with stdout and stderr into one file (the order a person would see them in). */
export async function runInto(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  outputFile: string,
): Promise<{ exitCode: number | null; notStarted: string | null }> {
  const file = { file: outputFile };
  const r = await execa(argv[0], argv.slice(1), { ...common(cwd, env), stdout: file, stderr: file });
  const started = r.exitCode !== undefined || r.signal !== undefined;
  return {
    exitCode: r.exitCode ?? null,
    notStarted: started ? null : (r.shortMessage ?? "it did not start"),
  };
}
