/**
 * A CPU render worker. The first message brings the plan and the shared buffers and starts the first
 * pass (the main thread renders meanwhile, from the moment the worker is started); later messages
 * name further passes.
 */

import { parentPort } from "node:worker_threads";
import { type KernelPlan, type KernelState, kernelState } from "../sim/kernel.js";
import { renderClaimedRows, type SharedRender } from "./cpu-rows.js";

let job: { plan: KernelPlan; shared: SharedRender; state: KernelState } | null = null;

parentPort?.on("message", (message: { plan: KernelPlan; shared: SharedRender } | number) => {
  if (typeof message === "number") {
    if (job) renderClaimedRows(job.plan, job.shared, message, job.state);
    return;
  }
  job = { ...message, state: kernelState(message.plan) };
  renderClaimedRows(job.plan, job.shared, 0, job.state);
});
