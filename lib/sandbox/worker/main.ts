/**
 * The entry of the sandbox worker. Sent as source text (see `source.ts`): {@linkcode workerMain}
 * and {@linkcode startWorker} call the other worker functions by name and nothing else outside
 * their bodies.
 *
 * @module
 */
import { capBuffers } from "./buffer_budget.ts";
import { openChannel } from "./channel.ts";
import { guardCodeEvaluation } from "./code_guard.ts";
import { createExecutor } from "./execute.ts";
import { captureIntrinsics } from "./intrinsics.ts";
import { createOutput } from "./output.ts";
import { removeGlobals } from "./remove_globals.ts";
import { installReplGlobals } from "./repl_globals.ts";
import { createSubCalls } from "./sub_calls.ts";
import { trackTimers } from "./timers.ts";
import type { Intrinsics, WorkerLimits } from "./types.ts";

/** The relay's first message to the worker. */
export interface WorkerInit {
  type: "init";
  port: MessagePort;
  codebase: unknown;
  fileTree: unknown;
  metadata: unknown;
  answer: unknown;
  limits: WorkerLimits;
}

/**
 * The user-code Worker: captures the intrinsics it will need, then waits for its first message
 * from the relay (which carries the private port); later messages on the worker's global channel
 * are ignored.
 */
export function workerMain(): void {
  const caps = captureIntrinsics();
  const scope = globalThis as unknown as { onmessage: ((event: MessageEvent) => void) | null };
  scope.onmessage = (event) => {
    scope.onmessage = null;
    const init = event.data as WorkerInit | null;
    if (!init || init.type !== "init" || !init.port) return;
    startWorker(caps, init);
  };
}

/**
 * Before any user code exists: opens the private channel, caps off-heap buffers, removes the
 * outward-facing globals, guards run-time code evaluation and installs the REPL; then serves
 * executions and sub-model results from the relay.
 */
export function startWorker(caps: Intrinsics, init: WorkerInit): void {
  const limits = init.limits;
  let serve: (data: Record<string, unknown>) => void = () => {};
  const send = openChannel(init.port, caps, (data) => serve(data));
  const budget = capBuffers(limits, caps);
  removeGlobals(caps);
  guardCodeEvaluation(caps);
  const output = createOutput(caps, limits, send);
  const calls = createSubCalls(caps, limits, send);
  const timers = trackTimers(caps);
  installReplGlobals(caps, {
    codebase: init.codebase,
    fileTree: init.fileTree,
    metadata: init.metadata,
    answer: init.answer,
    print: output.print,
    console: output.console,
    llmQuery: calls.llmQuery,
    llmBatch: calls.llmBatch,
    setAnswer: calls.setAnswer,
  });
  const resolved = new caps.PromiseClass<void>((resolve) => resolve());
  const execute = createExecutor(caps, limits, send, {
    output,
    calls,
    cancelTimers: timers.cancelAll,
    reclaimBuffers() {
      // Dead buffers are uncounted by finalizers, which run only after a collection and between
      // tasks: when the budget is more than half used, collect and give them a turn.
      if (!caps.gc || budget.liveBytes() <= limits.liveBufferBytes / 2) return resolved;
      caps.gc();
      return new caps.PromiseClass((resolve) =>
        caps.apply(caps.setTimeout, globalThis, [resolve, 0])
      );
    },
  });
  serve = (data) => {
    if (data.type === "ping") {
      // Answered only when the event loop is free: the host's clock counts the delay as work.
      send({ type: "pong" });
    } else if (
      data.type === "exec" && typeof data.id === "number" && typeof data.source === "string"
    ) {
      send({ type: "started", id: data.id });
      execute(data.id, data.source);
    } else if (data.type === "llm_result" && typeof data.id === "number") {
      calls.settle(data.id, data.results, data.error);
    }
  };
  // Errors and rejections that user code leaves behind must not end the worker.
  addEventListener("error", (event) => event.preventDefault());
  addEventListener("unhandledrejection", (event) => event.preventDefault());
  send({ type: "ready" });
}
