// deno-lint-ignore-file no-explicit-any
/**
 * The program that runs inside the sandbox process. Both functions here are sent as source text
 * (`Function.prototype.toString`), so they must be self-contained: no imports, no references to
 * anything outside their own bodies.
 *
 * Two walls: the process (no permissions, killed from outside) runs {@linkcode relayMain} on its
 * main thread; user code runs in a Worker started from {@linkcode workerMain}, which strips the
 * dangerous globals before any user code exists. Only the relay can write protocol frames: each
 * frame carries a per-process nonce the worker never sees.
 *
 * @module
 */

/** Limits shared by the relay and the worker (the host enforces its own copies). */
export const CHILD_LIMITS = {
  /** Characters of captured output kept per execution (the true length is counted too). */
  outputBufferChars: 1_000_000,
  /** Total characters of prompts in one `llm_batch`. */
  promptChars: 16_000_000,
  /** Prompts in one `llm_batch`. */
  prompts: 10_000,
  /** Bytes of one frame written to the host. */
  frameBytes: 64 * 1024 * 1024,
  /** Bytes of one explicit ArrayBuffer/typed-array allocation, and of all live ones. */
  bufferBytes: 256 * 1024 * 1024,
  liveBufferBytes: 1024 * 1024 * 1024,
  /** Characters of the inspected value of the last expression. */
  valueChars: 10_000,
  /** Characters of `answer.content` returned to the host. */
  answerChars: 8_000_000,
};

/**
 * Main thread of the sandbox process: reads host messages from stdin, starts the user-code
 * Worker, relays between the two, and writes nonce-tagged frames to stdout. Exits when stdin
 * closes (the host is gone).
 *
 * @param workerSource Source of the worker module (see {@linkcode workerMain}).
 * @param limits {@linkcode CHILD_LIMITS}.
 */
export function relayMain(workerSource: string, limits: typeof CHILD_LIMITS): void {
  const D = (globalThis as any).Deno;
  const stdout = D.stdout;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let nonce = "";
  let worker: any = null;
  let port: any = null;
  let hello: any = null;
  let initialized = false;

  const writeFrame = (message: unknown): boolean => {
    const bytes = encoder.encode(`\x1e${nonce} ${JSON.stringify(message)}\n`);
    if (bytes.length > limits.frameBytes) return false;
    let rest = bytes;
    while (rest.length > 0) rest = rest.subarray(stdout.writeSync(rest));
    return true;
  };

  const isStringArray = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === "string");

  const fromWorker = (data: any) => {
    if (!data || typeof data !== "object") return;
    switch (data.type) {
      case "ready":
        writeFrame({ type: "ready" });
        return;
      case "answer":
        writeFrame({
          type: "answer",
          content: String(data.content ?? "").slice(0, limits.answerChars),
          ready: data.ready === true,
        });
        return;
      case "output":
        if (typeof data.id === "number" && typeof data.text === "string") {
          writeFrame({
            type: "output",
            id: data.id,
            text: data.text.slice(0, limits.outputBufferChars),
          });
        }
        return;
      case "llm": {
        const id = data.id;
        if (typeof id !== "number") return;
        const prompts = data.prompts;
        let error = "";
        if (!isStringArray(prompts)) error = "llm_batch expects an array of strings";
        else if (prompts.length > limits.prompts) {
          error = `llm_batch accepts at most ${limits.prompts} prompts`;
        } else if (prompts.reduce((n, p) => n + p.length, 0) > limits.promptChars) {
          error = `llm_batch prompts exceed ${limits.promptChars} characters in total`;
        }
        if (!error && !writeFrame({ type: "llm", id, prompts })) {
          error = "llm_batch request is too large";
        }
        if (error) port.postMessage({ type: "llm_result", id, error });
        return;
      }
      case "result": {
        const error = data.error && typeof data.error === "object"
          ? {
            name: String(data.error.name).slice(0, 200),
            message: String(data.error.message).slice(0, 10_000),
            ...(typeof data.error.line === "number" ? { line: data.error.line } : {}),
          }
          : undefined;
        const id = Number(data.id);
        const outputChars = Number(data.outputChars) || 0;
        const written = writeFrame({
          type: "result",
          id,
          output: String(data.output ?? "").slice(0, limits.outputBufferChars),
          outputChars,
          ...(error ? { error } : {}),
          ...(typeof data.value === "string"
            ? { value: data.value.slice(0, limits.valueChars) }
            : {}),
          answer: {
            content: String(data.answer?.content ?? "").slice(0, limits.answerChars),
            ready: data.answer?.ready === true,
          },
        });
        if (!written) {
          writeFrame({
            type: "result",
            id,
            output: "",
            outputChars,
            error: {
              name: "RangeError",
              message: "the execution's result was too large to return",
            },
            answer: { content: "", ready: false },
          });
        }
        return;
      }
    }
  };

  const fromHost = (message: any) => {
    if (!message || typeof message !== "object") return;
    if (message.type === "hello" && !hello && typeof message.nonce === "string") {
      hello = message;
      nonce = message.nonce;
      return;
    }
    if (message.type === "init" && hello && !initialized) {
      initialized = true;
      worker.postMessage({
        type: "init",
        port: channel.port2,
        codebase: message.codebase,
        fileTree: message.fileTree,
        metadata: message.metadata,
        answer: hello.answer,
        limits,
      }, [channel.port2]);
      return;
    }
    if (!initialized) return;
    if (message.type === "exec" && typeof message.id === "number") {
      port.postMessage({ type: "exec", id: message.id, source: String(message.source) });
    } else if (message.type === "llm_result" && typeof message.id === "number") {
      port.postMessage({
        type: "llm_result",
        id: message.id,
        ...(isStringArray(message.results) ? { results: message.results } : {}),
        ...(typeof message.error === "string" ? { error: message.error } : {}),
      });
    }
  };

  // The worker boots while the host is still sending the codebase; it waits for its init.
  const channel = new MessageChannel();
  port = channel.port1;
  port.onmessage = (event: any) => {
    try {
      fromWorker(event.data);
    } catch {
      // A malformed message from the worker is dropped; the host's timeout still applies.
    }
  };
  const url = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
  worker = new Worker(url, { type: "module" });
  worker.onmessage = () => {}; // Raw worker messages are not part of the protocol.
  worker.onerror = (event: any) => {
    event.preventDefault?.();
    D.exit(70);
  };

  (async () => {
    const pending: Uint8Array[] = [];
    for await (const chunk of D.stdin.readable as AsyncIterable<Uint8Array>) {
      let start = 0;
      let newline = chunk.indexOf(10, start);
      while (newline !== -1) {
        pending.push(chunk.subarray(start, newline));
        const size = pending.reduce((n, p) => n + p.length, 0);
        const line = new Uint8Array(size);
        let offset = 0;
        for (const part of pending) {
          line.set(part, offset);
          offset += part.length;
        }
        pending.length = 0;
        fromHost(JSON.parse(decoder.decode(line)));
        start = newline + 1;
        newline = chunk.indexOf(10, start);
      }
      if (start < chunk.length) pending.push(chunk.slice(start));
    }
    D.exit(0);
  })();
}

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
    harden(limits);

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
      for (const p of prompts as unknown[]) {
        if (typeof p !== "string") {
          return PromiseClass.reject(
            new TypeErrorClass(`llm_batch expects strings, got ${typeof p}`),
          );
        }
        chars += p.length;
        list.push(p);
      }
      if (list.length > limits.prompts || chars > limits.promptChars) {
        return PromiseClass.reject(
          new RangeErrorClass(
            `llm_batch is limited to ${limits.prompts} prompts and ${limits.promptChars} characters`,
          ),
        );
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
        throw new TypeErrorClass(`llm_query expects a string, got ${typeof prompt}`);
      }
      return (await llmBatch([prompt]))[0];
    };
    const setAnswer = (text: unknown) => {
      const content = typeof text === "string" ? text : safeString(text);
      g.answer = { content, ready: true };
      port.postMessage({ type: "answer", content, ready: true });
    };
    const safeString = (v: unknown) => {
      try {
        return stringOf(v);
      } catch {
        return safeInspect(v);
      }
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

  /** Removes what user code must not reach, and caps explicit off-heap allocations. */
  function harden(limits: any) {
    const remove = [
      "Deno",
      "process",
      "fetch",
      "Request",
      "Response",
      "WebSocket",
      "WebSocketStream",
      "EventSource",
      "WebTransport",
      "Worker",
      "SharedWorker",
      "caches",
      "CacheStorage",
      "Cache",
      "BroadcastChannel",
      "postMessage",
      "close",
      "onmessage",
      "onmessageerror",
      "importScripts",
      "navigator",
      "WorkerNavigator",
      "Navigator",
      "NavigatorUAData",
      "location",
      "WorkerLocation",
      "WebAssembly",
      "Blob",
      "File",
      "FileReader",
      "OffscreenCanvas",
      "createImageBitmap",
      "ImageBitmap",
      "ImageBitmapRenderingContext",
      "Lock",
      "LockManager",
      "localStorage",
      "sessionStorage",
      "indexedDB",
      "XMLHttpRequest",
      "require",
      "Buffer",
      "setImmediate",
      "clearImmediate",
      "global",
    ];
    for (const key of Reflect.ownKeys(g)) {
      if (typeof key === "string" && key.startsWith("GPU")) remove.push(key);
    }
    for (const key of remove) {
      try {
        delete g[key];
      } catch {
        // Non-configurable: overwrite below.
      }
      if (key in g) {
        try {
          defineProperty(g, key, { value: undefined, writable: false, configurable: false });
        } catch {
          // Nothing more can be done; the process wall still holds.
        }
      }
    }
    capBuffers(limits);
    guardCodeEvaluation();
  }

  /**
   * Code built at run time (`eval`, `Function` and its async/generator siblings) is not seen by
   * the host's transform, so its `import()` calls would reach the module loader (where `node:`
   * built-ins load). These wrappers refuse such code; all other code evaluates as before (`eval`
   * becomes indirect: it sees globals, not the caller's local variables).
   */
  function guardCodeEvaluation() {
    const importCall = /\bimport\s*(?:(?:\/\*[\s\S]*?\*\/|\/\/[^\n]*(?:\n|$))\s*)*\(/;
    const check = (texts: string[]) => {
      for (const text of texts) {
        if (importCall.test(text)) {
          throw new TypeErrorClass(
            "import() is not allowed in the deeprepo REPL: everything is in codebase",
          );
        }
      }
    };
    const originalEval = g.eval;
    defineProperty(g, "eval", {
      value: function evaluate(code: unknown) {
        if (typeof code !== "string") return code;
        check([code]);
        return originalEval(code);
      },
      writable: true,
      configurable: true,
    });
    const constructors = [
      Function,
      Object.getPrototypeOf(async function () {}).constructor,
      Object.getPrototypeOf(function* () {}).constructor,
      Object.getPrototypeOf(async function* () {}).constructor,
    ];
    for (const Original of constructors) {
      const guarded: any = new Proxy(Original, {
        apply(target, _this, args) {
          const texts = args.map((a: unknown) => stringOf(a));
          check(texts);
          return Reflect.apply(target, undefined, texts);
        },
        construct(target, args) {
          const texts = args.map((a: unknown) => stringOf(a));
          check(texts);
          return Reflect.construct(target, texts);
        },
      });
      defineProperty(Original.prototype, "constructor", {
        value: guarded,
        writable: true,
        configurable: true,
      });
      if (Original === Function) {
        defineProperty(g, "Function", { value: guarded, writable: true, configurable: true });
      }
    }
  }

  /**
   * Wraps ArrayBuffer, SharedArrayBuffer and typed-array constructors: memory they allocate lives
   * outside the V8 heap limit, so one allocation and all live ones are capped.
   */
  function capBuffers(limits: any) {
    let live = 0;
    const registry = new FinalizationRegistry((bytes: number) => {
      live -= bytes;
    });
    const charge = (bytes: number) => {
      if (!(bytes >= 0)) return;
      if (bytes > limits.bufferBytes || live + bytes > limits.liveBufferBytes) {
        throw new RangeErrorClass(
          `buffer allocation of ${bytes} bytes refused: the REPL allows ${limits.bufferBytes} ` +
            `bytes per buffer and ${limits.liveBufferBytes} bytes of live buffers`,
        );
      }
    };
    const track = (buffer: any, bytes: number) => {
      if (bytes > 0) {
        live += bytes;
        registry.register(buffer, bytes);
      }
    };
    const wrapConstructor = (name: string, bytesOf: (args: any[]) => number) => {
      const Original = g[name];
      if (typeof Original !== "function") return;
      const wrapped: any = new Proxy(Original, {
        construct(target, args, newTarget) {
          const bytes = bytesOf(args);
          charge(bytes);
          const made: object = Reflect.construct(
            target,
            args,
            newTarget === wrapped ? target : newTarget,
          );
          track(made, bytes);
          return made;
        },
      });
      defineProperty(Original.prototype, "constructor", {
        value: wrapped,
        writable: true,
        configurable: true,
      });
      defineProperty(g, name, { value: wrapped, writable: true, configurable: true });
    };
    const maxLength = (args: any[]) => {
      const options = args[1];
      const max = options && typeof options === "object" ? Number(options.maxByteLength) : 0;
      return Math.max(Number(args[0]) || 0, max || 0);
    };
    wrapConstructor("ArrayBuffer", maxLength);
    wrapConstructor("SharedArrayBuffer", maxLength);
    const typed = [
      "Int8Array",
      "Uint8Array",
      "Uint8ClampedArray",
      "Int16Array",
      "Uint16Array",
      "Int32Array",
      "Uint32Array",
      "Float16Array",
      "Float32Array",
      "Float64Array",
      "BigInt64Array",
      "BigUint64Array",
    ];
    for (const name of typed) {
      const per = g[name]?.BYTES_PER_ELEMENT ?? 8;
      wrapConstructor(name, (args) => {
        const first = args[0];
        if (typeof first === "number") return first * per;
        if (first && typeof first === "object" && !(first instanceof g.ArrayBuffer)) {
          const length = Number(first.length);
          return Number.isFinite(length) ? length * per : 0;
        }
        return 0;
      });
    }
    const transfer = g.ArrayBuffer.prototype.transfer;
    if (typeof transfer === "function") {
      for (const method of ["transfer", "transferToFixedLength"]) {
        const original = g.ArrayBuffer.prototype[method];
        defineProperty(g.ArrayBuffer.prototype, method, {
          value: function (this: ArrayBuffer, length?: number) {
            if (length !== undefined) charge(Number(length));
            return original.call(this, length);
          },
          writable: true,
          configurable: true,
        });
      }
    }
  }
}
