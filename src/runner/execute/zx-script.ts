/**
 * Runs a loop's zx script step: `node zx-script.js SCRIPT [ARGS...]`, started by nbloop in the step's
 * working folder with the step's variables. As under the zx command, the script finds zx's globals
 * ($, cd, fs, path, glob, echo, argv, ...), here with $ running in that folder, each command echoed
 * to stderr, its stdout to the step's stdout and its stderr to the step's stderr, all bounded by the
 * step's timeout.
 * A command that fails ends the script with that command's exit status.
 */

import "zx/globals";
import { pathToFileURL } from "node:url";
import { $, type LogEntry, log, minimist, ProcessOutput, ps } from "zx";

const TIMEOUT_ENV = "NBLOOP_STEP_TIMEOUT_MS";

async function killChildren(): Promise<void> {
  const children = await ps.tree({ pid: process.pid, recursive: true });
  for (const child of children) {
    try {
      process.kill(Number(child.pid), "SIGTERM");
    } catch {
      // already gone
    }
  }
}

async function main(): Promise<number> {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    process.stderr.write("usage: zx-script.js SCRIPT [ARGS...]\n");
    return 2;
  }
  $.verbose = true;
  // zx logs everything to stderr; a command's stdout belongs on the step's stdout
  $.log = (entry: LogEntry) => {
    if (entry.kind === "stdout") process.stdout.write(entry.data);
    else log(entry);
  };
  $.cwd = process.cwd();
  const timeout = Number(process.env[TIMEOUT_ENV]);
  if (timeout > 0) $.timeout = `${timeout}ms`;
  (globalThis as { argv?: unknown }).argv = minimist(args);
  process.argv = [process.argv[0], script, ...args];
  // the step's timeout ends this process with SIGTERM: take the script's commands with it
  process.once("SIGTERM", () => {
    killChildren().finally(() => process.exit(143));
  });
  try {
    await import(pathToFileURL(script).href);
    return 0;
  } catch (error) {
    if (error instanceof ProcessOutput) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode ?? 1;
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

main().then((code) => {
  process.exitCode = code;
});
