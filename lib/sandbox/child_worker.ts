// deno-lint-ignore-file no-explicit-any
/**
 * The user-code Worker of the sandbox process. {@linkcode workerMain} is sent as source text,
 * preceded by the source of {@linkcode hardenWorkerGlobals} (see `workerSource()` in
 * `process.ts`), so it may refer to that function and to nothing else outside its own body.
 *
 * @module
 */
import { hardenWorkerGlobals } from "./child_harden.ts";

/**
 * The user-code Worker. On the first message from its parent it takes the private port, strips
 * every global that reaches outside the process's computation (files, network, processes,
 * storage, raw messaging, Wasm, GPU), installs the REPL globals, and serves executions.
 */
export function workerMain(): void {
  const g = globalThis as any;
  const D = g.Deno;
  const inspect = D.inspect;
  const ConsoleClass = D[D.internal]?.Console;
  const indirectEval = g.eval;
  const defineProperty = Object.defineProperty;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const freeze = Object.freeze;
  const isArray = Array.isArray;
  const stringOf = String;
  const ErrorClass = Error;
  const TypeErrorClass = TypeError;
  const RangeErrorClass = RangeError;
  const PromiseClass = Promise;
  const mapClass = Map;
  const selfRef = g.self;
  const addListener = g.addEventListener.bind(g);
  const apply = Reflect.apply;
  const setTimer = g.setTimeout;
  const setRepeatingTimer = g.setInterval;
  const clearTimer = g.clearTimeout;

  const onFirst = (event: any) => {
    selfRef.onmessage = null;
    const data = event.data;
    if (!data || data.type !== "init" || !data.port) return;
    start(data);
  };
  selfRef.onmessage = onFirst;

  function start(init: any) {
    const port = init.port;
    const limits = init.limits;
    const { reclaimBuffers } = hardenWorkerGlobals(limits);

    let buffer: string[] = [];
    let kept = 0;
    let total = 0;
    // Output is also streamed to the relay (at most every 50 ms) so that what an execution printed
    // before a timeout or crash can still be shown; the result carries the whole buffer.
    let currentId = 0;
    let unflushed: string[] = [];
    let lastFlush = -Infinity;
    const now = performance.now.bind(performance);
    const flush = () => {
      if (unflushed.length === 0 || currentId === 0) return;
      port.postMessage({ type: "output", id: currentId, text: unflushed.join("") });
      unflushed = [];
      lastFlush = now();
    };
    const append = (text: string) => {
      // Output written between executions (by a promise chain an execution did not await) has
      // no execution to belong to: it is dropped rather than shown as the next one's output.
      if (currentId === 0) return;
      total += text.length;
      if (kept < limits.outputBufferChars) {
        const piece = text.slice(0, limits.outputBufferChars - kept);
        buffer.push(piece);
        unflushed.push(piece);
        kept += piece.length;
        if (now() - lastFlush >= 50) flush();
      }
    };
    const format = (values: unknown[]) =>
      values.map((v) => typeof v === "string" ? v : safeInspect(v)).join(" ");
    const safeInspect = (v: unknown) => {
      try {
        return inspect(v, { colors: false, depth: 4 });
      } catch (e) {
        return `[uninspectable: ${safeMessage(e)}]`;
      }
    };
    const safeMessage = (e: unknown) => {
      try {
        return stringOf((e as any)?.message ?? e);
      } catch {
        return "unknown error";
      }
    };

    const print = (...values: unknown[]) => append(format(values) + "\n");
    let consoleObject: any;
    if (ConsoleClass) {
      consoleObject = new ConsoleClass((message: string) => append(message));
    } else {
      consoleObject = {};
      for (const name of ["log", "info", "debug", "warn", "error", "trace", "dir", "table"]) {
        consoleObject[name] = print;
      }
    }

    let nextRequest = 1;
    const waiting = new mapClass<number, { resolve(v: string[]): void; reject(e: Error): void }>();
    const llmBatch = (prompts: unknown): Promise<string[]> => {
      if (!isArray(prompts)) {
        return PromiseClass.reject(new TypeErrorClass("llm_batch expects an array of strings"));
      }
      const list: string[] = [];
      let chars = 0;
      const tooMany = () =>
        PromiseClass.reject(
          new RangeErrorClass(
            `llm_batch is limited to ${limits.prompts} prompts and ${limits.promptChars} characters`,
          ),
        );
      for (const p of prompts as unknown[]) {
        if (typeof p !== "string") {
          return PromiseClass.reject(
            new TypeErrorClass(
              `llm_batch expects strings, got ${kindOf(p)} at index ${list.length}${hintFor(p)}`,
            ),
          );
        }
        chars += p.length;
        list.push(p);
        if (list.length > limits.prompts || chars > limits.promptChars) return tooMany();
      }
      if (list.length === 0) return PromiseClass.resolve([]);
      const id = nextRequest++;
      return new PromiseClass((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        port.postMessage({ type: "llm", id, prompts: list });
      });
    };
    const llmQuery = async (prompt: unknown): Promise<string> => {
      if (typeof prompt !== "string") {
        throw new TypeErrorClass(
          `llm_query expects a string, got ${kindOf(prompt)}${hintFor(prompt)}`,
        );
      }
      return (await llmBatch([prompt]))[0];
    };
    // Strict on purpose: `set_answer(llm_query(...))` without `await`, or an object, would
    // otherwise end the run with "[object Promise]" as the report.
    const setAnswer = (text: unknown) => {
      if (typeof text !== "string") {
        throw new TypeErrorClass(
          `set_answer expects a string, got ${kindOf(text)}${
            hintFor(text) || " (build the report as text, e.g. with JSON.stringify)"
          }`,
        );
      }
      g.answer = { content: text, ready: true };
      port.postMessage({ type: "answer", content: text, ready: true });
    };
    const kindOf = (v: unknown) => v === null ? "null" : isArray(v) ? "an array" : typeof v;
    const hintFor = (v: unknown) => {
      try {
        return v && typeof (v as any).then === "function" ? " (a Promise: await it first)" : "";
      } catch {
        return "";
      }
    };
    const safeString = (v: unknown) => {
      try {
        return stringOf(v);
      } catch {
        return safeInspect(v);
      }
    };

    // Timers belong to the execution that set them and are cancelled when it ends, so an interval
    // or a storm of timers left behind cannot print into, slow down or block later executions.
    const timers = new Set<number>();
    const tracked = (original: any, repeating: boolean) =>
      function (callback: unknown, ...rest: unknown[]): number {
        if (typeof callback !== "function") return original(callback, ...rest);
        const id: number = original(function (this: unknown, ...args: unknown[]) {
          if (!repeating) timers.delete(id);
          return apply(callback, this, args);
        }, ...rest);
        timers.add(id);
        return id;
      };
    const untrack = (id: unknown) => {
      timers.delete(id as number);
      clearTimer(id);
    };
    for (
      const [name, value] of [
        ["setTimeout", tracked(setTimer, false)],
        ["setInterval", tracked(setRepeatingTimer, true)],
        ["clearTimeout", untrack],
        ["clearInterval", untrack],
      ] as const
    ) {
      defineProperty(g, name, { value, writable: true, enumerable: true, configurable: true });
    }
    /** Cancels what an execution left running: its timers and its sub-model calls. */
    const settleLeftovers = () => {
      for (const id of timers) clearTimer(id);
      timers.clear();
      for (const entry of waiting.values()) {
        entry.reject(
          new ErrorClass(
            "llm_query/llm_batch was not awaited: its execution ended before the answer came",
          ),
        );
      }
      waiting.clear();
    };

    const codebase = freeze(init.codebase ?? {});
    const deepFreeze = (v: any): any => {
      if (v && typeof v === "object" && !Object.isFrozen(v)) {
        freeze(v);
        for (const key of Object.keys(v)) deepFreeze(v[key]);
      }
      return v;
    };
    const fixed = (name: string, value: unknown) =>
      defineProperty(g, name, { value, writable: false, enumerable: true, configurable: false });
    fixed("codebase", codebase);
    fixed("file_tree", stringOf(init.fileTree ?? ""));
    fixed("metadata", deepFreeze(init.metadata ?? {}));
    fixed("llm_query", llmQuery);
    fixed("llm_batch", llmBatch);
    fixed("set_answer", setAnswer);
    fixed("print", print);
    fixed("console", consoleObject);
    const initialAnswer = init.answer && typeof init.answer === "object"
      ? { content: stringOf(init.answer.content ?? ""), ready: init.answer.ready === true }
      : { content: "", ready: false };
    defineProperty(g, "answer", {
      value: initialAnswer,
      writable: true,
      enumerable: true,
      configurable: false,
    });

    const protectedNames = new Set([
      "codebase",
      "file_tree",
      "metadata",
      "llm_query",
      "llm_batch",
      "set_answer",
      "print",
      "console",
      "answer",
      "__deeprepo__",
    ]);
    const helper = {
      declare(names: string[]) {
        for (const name of names) {
          if (protectedNames.has(name) && name !== "answer") {
            throw new TypeErrorClass(`"${name}" is a REPL global and cannot be redeclared`);
          }
          const desc = getOwnPropertyDescriptor(g, name);
          if (!desc) {
            defineProperty(g, name, {
              value: undefined,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          } else if (!("value" in desc) || !desc.writable) {
            if (!desc.configurable) {
              throw new TypeErrorClass(`Cannot redeclare global "${name}"`);
            }
            defineProperty(g, name, {
              value: "value" in desc ? desc.value : undefined,
              writable: true,
              enumerable: true,
              configurable: true,
            });
          }
        }
      },
      define(name: string, value: unknown) {
        defineProperty(g, name, { value, writable: true, enumerable: true, configurable: true });
      },
      freeze(names: string[]) {
        for (const name of names) {
          const desc = getOwnPropertyDescriptor(g, name);
          if (desc && desc.configurable) {
            defineProperty(g, name, {
              value: desc.value,
              writable: false,
              enumerable: true,
              configurable: true,
            });
          }
        }
      },
      importDenied(specifier: unknown) {
        return PromiseClass.reject(
          new TypeErrorClass(
            `import of ${
              safeString(specifier)
            } is not allowed in the deeprepo REPL: everything is in codebase`,
          ),
        );
      },
      importMeta: freeze({}),
    };
    fixed(
      "__deeprepo__",
      freeze({
        ...helper,
        importStatement(specifier: unknown) {
          throw new TypeErrorClass(
            `import of ${
              safeString(specifier)
            } is not allowed in the deeprepo REPL: everything is in codebase`,
          );
        },
      }),
    );

    const errorLine = (error: unknown, sourceUrl: string): number | undefined => {
      try {
        const stack = stringOf((error as any)?.stack ?? "");
        const at = stack.indexOf(sourceUrl);
        if (at === -1) return undefined;
        // V8 writes "at eval (<sourceURL>, <anonymous>:LINE:COL)" for evaluated code.
        const match = /^(?:, <anonymous>)?:(\d+)/.exec(stack.slice(at + sourceUrl.length));
        return match ? Number(match[1]) : undefined;
      } catch {
        return undefined;
      }
    };
    const describe = (error: unknown, sourceUrl: string) => {
      let name = "Error";
      let message = "";
      try {
        if (
          error instanceof ErrorClass || (error && typeof error === "object" && "message" in error)
        ) {
          name = stringOf((error as any).name ?? "Error");
          message = stringOf((error as any).message ?? "");
        } else {
          message = safeString(error);
        }
      } catch {
        message = "unprintable error";
      }
      const line = errorLine(error, sourceUrl);
      return line === undefined ? { name, message } : { name, message, line };
    };
    const readAnswer = () => {
      try {
        const a = g.answer;
        const content = a?.content;
        return {
          content: typeof content === "string"
            ? content
            : content == null
            ? ""
            : safeString(content),
          ready: a?.ready === true,
        };
      } catch {
        return { content: "", ready: false };
      }
    };

    const execute = async (id: number, source: string) => {
      buffer = [];
      kept = 0;
      total = 0;
      unflushed = [];
      lastFlush = -Infinity;
      settleLeftovers();
      await reclaimBuffers();
      currentId = id;
      const sourceUrl = /sourceURL=(\S+)\s*$/.exec(source)?.[1] ?? "";
      let error: unknown;
      let failed = false;
      let value: string | undefined;
      try {
        const fn = indirectEval(source);
        const result = await fn();
        if (result !== undefined) {
          value = (typeof result === "string" ? result : safeInspect(result))
            .slice(0, limits.valueChars);
        }
      } catch (e) {
        failed = true;
        error = e;
      }
      settleLeftovers();
      port.postMessage({
        type: "result",
        id,
        output: buffer.join(""),
        outputChars: total,
        ...(failed ? { error: describe(error, sourceUrl) } : {}),
        ...(value === undefined ? {} : { value }),
        answer: readAnswer(),
      });
      currentId = 0;
      unflushed = [];
    };

    port.onmessage = (event: any) => {
      const data = event.data;
      if (!data || typeof data !== "object") return;
      if (data.type === "exec" && typeof data.id === "number" && typeof data.source === "string") {
        port.postMessage({ type: "started", id: data.id });
        execute(data.id, data.source);
      } else if (data.type === "llm_result" && typeof data.id === "number") {
        const entry = waiting.get(data.id);
        if (!entry) return;
        waiting.delete(data.id);
        if (isArray(data.results)) entry.resolve(data.results);
        else entry.reject(new ErrorClass(stringOf(data.error ?? "sub-model call failed")));
      }
    };
    // Errors and rejections that user code leaves behind must not end the worker.
    addListener("error", (event: any) => event.preventDefault());
    addListener("unhandledrejection", (event: any) => event.preventDefault());
    port.postMessage({ type: "ready" });
  }
}
