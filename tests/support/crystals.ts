/** Command-line crystals the CLI tests share. */

/** A 5x5x5-cell cubic crystal (100 A, every F = 100) at 1 A. */
export const CUBIC_CRYSTAL: readonly string[] = [
  ...["-cell", "100", "100", "100", "90", "90", "90"],
  ...["-default_F", "100", "-lambda", "1", "-N", "5"],
];
