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
  /** The test runner of every phase's mapped tests, unless a phase or a test names another. */
  runner?: RunnerSpec;
  /** Where steps run, unless a phase or the command line says otherwise (default local). */
  executor?: ExecutorName;
  slurm?: SlurmOptions;
  phases: Record<string, Phase>;
}

export type ExecutorName = "local" | "slurm";

/** sbatch options of the Slurm executor. */
export interface SlurmOptions {
  partition?: string;
  /** sbatch --time; default: the step's timeout. */
  time?: string;
  mem?: string;
  cpus_per_task?: number;
  /** More sbatch words, as written. */
  extra?: string[];
}

/**
 * The values of one matrix name: a list, an inclusive numeric range, or read from a file (a JSON
 * file's array, or object keys, at a dotted path, or each element's field; a text file's lines).
 */
export type MatrixAxis =
  | Array<string | number>
  | { from: number; to: number; by?: number }
  | { file: string; path?: string; field?: string };

export type RunnerName = "pytest" | "vitest" | "node" | "command";

/** A runner by name, or with the command that starts it (`[python3, -m, pytest]`). */
export type RunnerSpec = RunnerName | { name: RunnerName; command?: string[] };

/**
 * A mapped test: a selector of the project's own runner (a pytest node ID, a vitest or node test
 * file with an optional `::name`, a command line for `command`), with the runner picked from the
 * selector unless it is named.
 */
export type MappedTest = string | { select: string; runner?: RunnerSpec };

export type Stream = "stdout" | "stderr";

/** Where a blocked step's output goes besides the bundle: a workspace file. */
export interface CaptureFile {
  file: string;
  /** Default both, stdout first. */
  streams?: Stream[];
  /** The step whose output is captured (default: the step that blocked). */
  step?: string;
}

export type CaptureKind = Stream | "env" | "git_status";

export interface IfBlocked {
  /** What blocked.md and the notes quote (a memo's If Blocked sentence, as written). */
  note?: string;
  capture?: Array<CaptureKind | CaptureFile>;
  /** Who to tell, and how: written into the ledger Attempt of a blocked run. */
  notify?: string;
}

export interface Phase {
  summary: string;
  mode?: string;
  focus?: string;
  /** Plan task ID whose state the run sets (default: the phase name). */
  task?: string;
  runner?: RunnerSpec;
  executor?: ExecutorName;
  slurm?: SlurmOptions;
  mapped_tests?: MappedTest[];
  do_now: Step[];
  artifacts?: Artifact[];
  metrics?: { from: string; keys: string[] };
  /** Markdown files of the bundle, included in summary.md in this order. */
  report?: string | string[];
  if_blocked?: IfBlocked;
  guards?: Array<"no_stray_files" | "protected_assets">;
  /** A memo's Priorities & Rationale bullets. */
  priorities?: string[];
  /** A memo's How-To Map bullets: guidance for a person, never run. */
  how_to?: string[];
  pitfalls?: string[];
  pointers?: string[];
  next_up?: string[];
}

export interface Step {
  id: string;
  /** argv run without a shell; a string only with shell: true. Exactly one of run and script. */
  run?: Array<string | number> | string;
  /** A zx script (workspace-relative .mjs), run with zx's $ in the workspace. */
  script?: string;
  /** Arguments of the script (presets and placeholders filled as in run). */
  args?: Array<string | number>;
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
  /** Run once per combination of these values, {matrix.NAME} filled, each task in its own folder ({task}). */
  matrix?: Record<string, MatrixAxis>;
  /** Files or folders the step reads without naming them in its argv (part of its cache key). */
  inputs?: string[];
  /** The inputs are all the step reads: the cache key hashes them, not the paths its argv names. */
  inputs_only?: boolean;
}

export interface Artifact {
  /** Relative to the workspace, or to the bundle when it starts with {bundle}/. */
  path: string;
  /** Default true. */
  non_empty?: boolean;
  /** Written during this run (default true); false for a file the phase only reads. */
  fresh?: boolean;
  contains?: string;
  /** JSON Schema file, workspace-relative, or one of nbloop's as nbloop:NAME.schema.json. */
  schema?: string;
}
