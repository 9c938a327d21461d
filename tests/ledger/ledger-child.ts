/**
 * A separate process that writes a ledger the way nbloop does, bundled by the tests with esbuild.
 * Modes: `append <ledger> <id> <count>` appends count attempts; `hold <ledger>` takes the lock and
 * keeps it until killed; `churn <ledger> <id>` appends until killed. It prints a line after each step.
 */

import { appendAttempt } from "../../src/ledger/fix-plan.js";
import { updateFile, withFileLock } from "../../src/ledger/safe-file.js";

const [mode, ledger, id, count] = process.argv.slice(2);

async function append(n: number): Promise<void> {
  await updateFile(ledger, (old) => {
    const summary = `child ${process.pid} step ${n}`;
    return appendAttempt(old ?? "", id, "Child item", { date: "2026-11-28", result: "partial", summary })
      .text;
  });
  process.stdout.write(`appended ${n}\n`);
}

if (mode === "append") {
  for (let n = 0; n < Number(count); n++) await append(n);
} else if (mode === "hold") {
  await withFileLock(ledger, () => {
    process.stdout.write("locked\n");
    return new Promise<void>(() => setInterval(() => {}, 1000));
  });
} else if (mode === "churn") {
  for (let n = 0; ; n++) await append(n);
} else {
  throw new Error(`unknown mode ${mode}`);
}
