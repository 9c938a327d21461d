/**
 * A CPU render worker: on start it joins the first pass; afterwards it joins each pass the main
 * thread announces by number.
 */

import { parentPort, workerData } from "node:worker_threads";
import { type KernelPlan, kernelState } from "../sim/kernel.js";
import { renderClaimedRows, type SharedRender } from "./cpu-rows.js";

const { plan, shared } = workerData as { plan: KernelPlan; shared: SharedRender };
const state = kernelState(plan);

renderClaimedRows(plan, shared, 0, state);
parentPort?.on("message", (pass: number) => renderClaimedRows(plan, shared, pass, state));
