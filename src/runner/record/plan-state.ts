/** The phase's task state in the plan's table: done, partial or blocked, as the run ended. */

import { existsSync } from "node:fs";
import { setTaskState, type TaskState } from "../../ledger/plan-table.js";
import { updateFile } from "../../ledger/safe-file.js";
import type { RunStatus } from "../collect/bundle.js";
import type { PhasePlan } from "../plan/phase-plan.js";

const PLAN_STATE: Record<RunStatus, TaskState> = {
  running: "[P]",
  success: "[D]",
  failed: "[P]",
  blocked: "[B]",
  interrupted: "[P]",
};

export async function recordPlanState(plan: PhasePlan, status: RunStatus): Promise<void> {
  if (!plan.plan || !existsSync(plan.plan)) return;
  const task = plan.phase.task ?? plan.phaseName;
  await updateFile(plan.plan, (old) => setTaskState(old ?? "", task, PLAN_STATE[status]).text);
}
