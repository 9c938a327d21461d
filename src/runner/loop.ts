/** The loop file: one ledger item's plan phases (the contract is schemas/loop.schema.json). */

export interface LoopFile {
  /** Ledger item ID in the ledger (docs/fix_plan.md unless `ledger` says otherwise). */
  item: string;
  title: string;
  ledger?: string;
  /** Plan markdown whose task table holds the phases' states. */
  plan?: string;
  branch?: string;
  /** Bundle folder template, workspace-relative: {stamp}, {phase}, {item}. */
  bundle: string;
  env?: Record<string, string | number>;
  /** Named argument lists, spliced into a step's argv where it says "@name". */
  presets?: Record<string, Array<string | number>>;
  phases: Record<string, Phase>;
}

export interface Phase {
  summary: string;
  mode?: string;
  focus?: string;
  /** Plan task ID whose state the run sets (default: the phase name). */
  task?: string;
  mapped_tests?: string[];
  do_now: Step[];
  artifacts?: Artifact[];
  metrics?: { from: string; keys: string[] };
  /** Markdown files of the bundle, included in summary.md in this order. */
  report?: string | string[];
  if_blocked?: { capture?: Array<"stdout" | "stderr" | "env" | "git_status">; note?: string };
  guards?: Array<"no_stray_files" | "protected_assets">;
  pitfalls?: string[];
  pointers?: string[];
  next_up?: string[];
}

export interface Step {
  id: string;
  /** argv run without a shell; a string only with shell: true. */
  run: Array<string | number> | string;
  shell?: boolean;
  /** File names in the bundle for the step's output (default <id>.stdout / <id>.stderr). */
  stdout?: string;
  stderr?: string;
  /** Seconds. */
  timeout?: number;
  cwd?: string;
  env?: Record<string, string | number>;
  /** Run only when this environment variable is set and not empty. */
  if_env?: string;
  /** Skip when this environment variable is set and not empty. */
  unless_env?: string;
}

export interface Artifact {
  /** Relative to the bundle. */
  path: string;
  /** Default true. */
  non_empty?: boolean;
  contains?: string;
  /** JSON Schema file, workspace-relative. */
  schema?: string;
}
