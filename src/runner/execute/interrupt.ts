/**
 * SIGINT and SIGTERM while a phase runs: the running step (or test runner) is stopped through an
 * abort signal, and the run ends at the next stage boundary as "interrupted", its bundle written and
 * nothing recorded in the ledger. A second signal ends the process at once.
 */

const controller = new AbortController();
let received: NodeJS.Signals | null = null;

/**
 * Abort the running child on the first SIGINT or SIGTERM; exit on the second. The listeners stay:
 * execa's clean-up re-raises a signal that no other listener handles, which would end the process
 * before the bundle is written.
 */
export function watchInterrupts(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (received) process.exit(signalExitCode(signal));
      received = signal;
      controller.abort();
    });
  }
}

/** Passed to every child process the run starts. */
export const interruptSignal: AbortSignal = controller.signal;

/** The signal that interrupted the run, or null. */
export function interruptedBy(): NodeJS.Signals | null {
  return received;
}

/** The exit status of a process ended by the signal, as a shell reports it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? 130 : 143;
}
