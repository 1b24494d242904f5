/**
 * The sandbox worker's program as source text. Each function below is self-contained (it refers
 * only to its parameters, globals captured before user code exists, and the other functions
 * listed here by name), is type-checked where it is written, and is sent to the sandbox process
 * with `Function.prototype.toString`.
 *
 * @module
 */
import { capBuffers } from "./buffer_budget.ts";
import { openChannel } from "./channel.ts";
import { guardCodeEvaluation } from "./code_guard.ts";
import { createExecutor } from "./execute.ts";
import { captureIntrinsics } from "./intrinsics.ts";
import { startWorker, workerMain } from "./main.ts";
import { createOutput } from "./output.ts";
import { removeGlobals } from "./remove_globals.ts";
import { installReplGlobals, numberedLines } from "./repl_globals.ts";
import { createSubCalls } from "./sub_calls.ts";
import { trackTimers } from "./timers.ts";

/** The functions of the worker program, in the order they are declared in its source. */
export const WORKER_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [
  captureIntrinsics,
  openChannel,
  capBuffers,
  removeGlobals,
  guardCodeEvaluation,
  createOutput,
  createSubCalls,
  trackTimers,
  numberedLines,
  installReplGlobals,
  createExecutor,
  startWorker,
  workerMain,
];

/** The worker module's source text: every function, then `workerMain()`. */
export function workerSource(): string {
  return `${WORKER_FUNCTIONS.map((fn) => fn.toString()).join("\n")}\nworkerMain();\n`;
}
