/**
 * `llm_query`, `llm_batch` and `set_answer`. Sent as source text (see `source.ts`):
 * {@linkcode createSubCalls} refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { Intrinsics, Send, WorkerLimits } from "./types.ts";

/** The REPL's calls to the host, and their bookkeeping. */
export interface SubCalls {
  llmQuery(prompt: unknown): Promise<string>;
  llmBatch(prompts: unknown): Promise<string[]>;
  setAnswer(text: unknown): void;
  /** Settles request `id` with the relay's `llm_result`. */
  settle(id: number, results: unknown, error: unknown): void;
  /** Rejects every request still waiting (its execution ended). */
  rejectWaiting(): void;
}

/**
 * Requests carry only strings (a non-string is a `TypeError` naming its index), at most
 * `limits.prompts` prompts and `limits.promptChars` characters. `set_answer` accepts only a
 * string: `set_answer(llm_query(...))` without `await`, or an object, would otherwise end the run
 * with "[object Promise]" as the report.
 */
export function createSubCalls(caps: Intrinsics, limits: WorkerLimits, send: Send): SubCalls {
  const { defineProperty, isArray, stringOf, PromiseClass, TypeErrorClass } = caps;
  const g = globalThis as unknown as Record<string, unknown>;
  type Waiter = { resolve(results: string[]): void; reject(error: Error): void; chars: number };
  const waiting = caps.create(null) as Record<number, Waiter>;
  let nextId = 1;
  /** Characters of the prompts of the requests in `waiting`. */
  let waitingChars = 0;
  const kindOf = (v: unknown) => v === null ? "null" : isArray(v) ? "an array" : typeof v;
  const hintFor = (v: unknown) => {
    try {
      return v && typeof (v as { then?: unknown }).then === "function"
        ? " (a Promise: await it first)"
        : "";
    } catch {
      return "";
    }
  };
  const rejected = <T>(error: Error) => new PromiseClass<T>((_, reject) => reject(error));
  const llmBatch = (prompts: unknown): Promise<string[]> => {
    if (!isArray(prompts)) {
      return rejected(new TypeErrorClass("llm_batch expects an array of strings"));
    }
    const list: string[] = [];
    let chars = 0;
    const count = prompts.length;
    if (count > limits.prompts) return tooMany();
    for (let i = 0; i < count; i++) {
      const p: unknown = prompts[i];
      if (typeof p !== "string") {
        return rejected(
          new TypeErrorClass(
            `llm_batch expects strings, got ${kindOf(p)} at index ${i}${hintFor(p)}`,
          ),
        );
      }
      chars += p.length;
      if (chars > limits.promptChars) return tooMany();
      defineProperty(list, i, { value: p, writable: true, enumerable: true, configurable: true });
    }
    if (count === 0) return new PromiseClass((resolve) => resolve([]));
    if (waitingChars + chars > limits.inflightPromptChars) {
      return rejected(
        new caps.RangeErrorClass(
          "too many sub-model prompt characters in flight (at most " +
            `${limits.inflightPromptChars}): await earlier llm_query/llm_batch calls before ` +
            "starting more",
        ),
      );
    }
    const id = nextId++;
    waitingChars += chars;
    return new PromiseClass((resolve, reject) => {
      waiting[id] = { resolve, reject, chars };
      send({ type: "llm", id, prompts: list });
    });
  };
  const tooMany = () =>
    rejected<string[]>(
      new caps.RangeErrorClass(
        `llm_batch is limited to ${limits.prompts} prompts and ${limits.promptChars} characters`,
      ),
    );
  const llmQuery = async (prompt: unknown): Promise<string> => {
    if (typeof prompt !== "string") {
      throw new TypeErrorClass(
        `llm_query expects a string, got ${kindOf(prompt)}${hintFor(prompt)}`,
      );
    }
    return (await llmBatch([prompt]))[0];
  };
  const setAnswer = (text: unknown) => {
    if (typeof text !== "string") {
      throw new TypeErrorClass(
        `set_answer expects a string, got ${kindOf(text)}${
          hintFor(text) || " (build the report as text, e.g. with JSON.stringify)"
        }`,
      );
    }
    g.answer = { content: text, ready: true };
    send({ type: "answer", content: text, ready: true });
  };
  return {
    llmQuery,
    llmBatch,
    setAnswer,
    settle(id, results, error) {
      const waiter = waiting[id];
      if (!waiter) return;
      delete waiting[id];
      waitingChars -= waiter.chars;
      if (isArray(results)) waiter.resolve(results as string[]);
      else waiter.reject(new caps.ErrorClass(stringOf(error ?? "sub-model call failed")));
    },
    rejectWaiting() {
      for (const id in waiting) {
        const waiter = waiting[id as unknown as number];
        delete waiting[id as unknown as number];
        waitingChars -= waiter.chars;
        waiter.reject(
          new caps.ErrorClass(
            "llm_query/llm_batch was not awaited: its execution ended before the answer came",
          ),
        );
      }
    },
  };
}
