/** The executor a run uses: the command line's, else the phase's, else the loop's, else the local pool. */

import { availableParallelism } from "node:os";
import { InputError } from "../../../util/input-error.js";
import type { ExecutorName, LoopFile, Phase, SlurmOptions } from "../../load/loop.js";
import { findProgram } from "../test-runners/program.js";
import type { Executor } from "./executor.js";
import { localExecutor } from "./local.js";
import { slurmExecutor } from "./slurm.js";

export interface ExecutorChoice {
  executor: Executor;
  jobs: number;
  slurm: SlurmOptions;
}

const EXECUTORS: Record<ExecutorName, Executor> = {
  local: localExecutor as Executor,
  slurm: slurmExecutor as Executor,
};

export function chooseExecutor(
  loop: LoopFile,
  phase: Phase,
  workspace: string,
  asked: { executor?: string; jobs?: number },
): ExecutorChoice {
  const name = asked.executor ?? phase.executor ?? loop.executor ?? "local";
  if (!Object.hasOwn(EXECUTORS, name))
    throw new InputError(`--executor: expected local or slurm (got ${name})`);
  if (name === "slurm") {
    const missing = ["sbatch", "squeue", "scancel", "scontrol"].filter(
      (p) => !findProgram(p, workspace, process.env),
    );
    if (missing.length > 0)
      throw new InputError(
        `the slurm executor needs Slurm's ${missing.join(", ")} on PATH (is Slurm installed here?)`,
      );
  }
  const jobs = asked.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new InputError(`--jobs: a whole number of 1 or more (got ${asked.jobs})`);
  return { executor: EXECUTORS[name as ExecutorName], jobs, slurm: { ...loop.slurm, ...phase.slurm } };
}
