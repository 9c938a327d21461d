/**
 * A CPU render worker. The first message brings the plan and the shared buffers and starts the first
 * pass (the main thread renders meanwhile, from the moment the worker is started); later messages
 * name further passes. Once the image is made, the worker makes the SMV counts when asked and writes
 * the output files it is sent, in the order asked, and stops when told that none follows.
 */

import { parentPort } from "node:worker_threads";
import { FAILED, type FileWrite, WRITTEN, type WritesDone, writeFileNow } from "../io/background-writes.js";
import { intImage } from "../sim/integer-images.js";
import { type KernelPlan, type KernelState, kernelState } from "../sim/kernel.js";
import { renderClaimedRows, type SharedRender } from "./cpu-rows.js";

let job: { plan: KernelPlan; shared: SharedRender; state: KernelState } | null = null;

/** Make the SMV counts of the rendered image into `out` (shared), as intImage does. */
export interface SmvCountsJob {
  kind: "smv counts";
  scale: number;
  adc: number;
  maskedGetAdc: boolean;
  out: Uint16Array;
}

type Message = { plan: KernelPlan; shared: SharedRender } | number | FileWrite | WritesDone | SmvCountsJob;

parentPort?.on("message", (message: Message) => {
  if (typeof message === "number") {
    if (job) renderClaimedRows(job.plan, job.shared, message, job.state);
    return;
  }
  if ("kind" in message) {
    if (message.kind === "done") process.exit(0);
    if (message.kind === "smv counts") {
      if (job)
        intImage(job.shared.image, job.plan, message.scale, message.adc, message.maskedGetAdc, message.out);
      return;
    }
    const answer = writeFileNow(message);
    Atomics.store(message.status, 0, answer.error ? FAILED : WRITTEN);
    Atomics.notify(message.status, 0);
    // a written file needs no answer: its status says it all
    if (answer.error) parentPort?.postMessage(answer);
    return;
  }
  job = { ...message, state: kernelState(message.plan) };
  renderClaimedRows(job.plan, job.shared, 0, job.state);
});
