/**
 * Running one execution. Sent as source text (see `source.ts`): {@linkcode createExecutor}
 * refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { Intrinsics, Send, WorkerLimits } from "./types.ts";
import type { Output } from "./output.ts";
import type { SubCalls } from "./sub_calls.ts";

/** What an execution uses. */
export interface ExecutorParts {
  output: Output;
  calls: SubCalls;
  cancelTimers(): void;
  /** Runs a garbage collection first when buffers fill more than half the budget. */
  reclaimBuffers(): Promise<void>;
}

/**
 * Returns `execute(id, source)`: evaluates the host-prepared source (an async function
 * expression) with the original indirect `eval`, awaits it, and posts one `result` with the
 * output, the error as data (`{ name, message, line }`), the last expression's value and the
 * REPL's `answer`. Timers and sub-model calls the execution left running end with it.
 */
export function createExecutor(
  caps: Intrinsics,
  limits: WorkerLimits,
  send: Send,
  parts: ExecutorParts,
): (id: number, source: string) => Promise<void> {
  const { apply, stringOf } = caps;
  const g = globalThis as unknown as Record<string, unknown>;
  const sourceUrlPattern = /sourceURL=(\S+)\s*$/;
  const linePattern = /^(?:, <anonymous>)?:(\d+)/;
  const exec = (pattern: RegExp, text: string): RegExpExecArray | null =>
    apply(caps.regexpExec, pattern, [text]);
  const safeString = (v: unknown) => {
    try {
      return stringOf(v);
    } catch {
      return parts.output.inspect(v);
    }
  };
  const errorLine = (error: unknown, sourceUrl: string): number | undefined => {
    try {
      const stack = stringOf((error as { stack?: unknown })?.stack ?? "");
      const at: number = apply(caps.stringIndexOf, stack, [sourceUrl]);
      if (at === -1 || sourceUrl === "") return undefined;
      // V8 writes "at eval (<sourceURL>, <anonymous>:LINE:COL)" for evaluated code.
      const rest: string = apply(caps.stringSlice, stack, [at + sourceUrl.length]);
      const match = exec(linePattern, rest);
      return match ? +match[1] : undefined;
    } catch {
      return undefined;
    }
  };
  const describe = (error: unknown, sourceUrl: string) => {
    let name = "Error";
    let message = "";
    try {
      if (error && typeof error === "object" && "message" in error) {
        name = stringOf((error as { name?: unknown }).name ?? "Error");
        message = stringOf((error as { message?: unknown }).message ?? "");
      } else if (error instanceof caps.ErrorClass) {
        name = stringOf(error.name);
        message = stringOf(error.message);
      } else message = safeString(error);
    } catch {
      message = "unprintable error";
    }
    return { name, message, line: errorLine(error, sourceUrl) };
  };
  const readAnswer = () => {
    try {
      const answer = g.answer as { content?: unknown; ready?: unknown } | null | undefined;
      const content = answer?.content;
      return {
        content: typeof content === "string" ? content : content == null ? "" : safeString(content),
        ready: answer?.ready === true,
      };
    } catch {
      return { content: "", ready: false };
    }
  };
  return async (id, source) => {
    parts.cancelTimers();
    parts.calls.rejectWaiting();
    await parts.reclaimBuffers();
    parts.output.begin(id);
    const sourceUrl = exec(sourceUrlPattern, source)?.[1] ?? "";
    let error: { name: string; message: string; line?: number } | undefined;
    let value: string | undefined;
    try {
      const run = caps.evaluate(source) as () => Promise<unknown>;
      const result = await run();
      if (result !== undefined) {
        const text = typeof result === "string" ? result : parts.output.inspect(result);
        value = apply(caps.stringSlice, text, [0, limits.valueChars]);
      }
    } catch (e) {
      error = describe(e, sourceUrl);
    }
    parts.cancelTimers();
    parts.calls.rejectWaiting();
    const { output, outputChars } = parts.output.end();
    send({ type: "result", id, output, outputChars, error, value, answer: readAnswer() });
  };
}
