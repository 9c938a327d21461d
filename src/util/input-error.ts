/**
 * A problem with what the user gave (a flag, a value, a file). The message names the flag or the
 * file (and line) so that it can be printed as is; the CLI turns it into a non-zero exit.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "InputError";
  }
}
