// deno-lint-ignore-file no-explicit-any
/**
 * Hardening of the user-code Worker's global scope, run before any user code exists. Sent as
 * source text ahead of the worker program, so {@linkcode hardenWorkerGlobals} must be
 * self-contained.
 *
 * @module
 */

/**
 * Removes every global that reaches outside the process's computation (files, network,
 * processes, storage, raw messaging, Wasm, GPU), guards run-time code evaluation against
 * `import()`, and caps explicit off-heap allocations.
 *
 * @param limits The worker's limits (`bufferBytes`, `liveBufferBytes`).
 * @returns `reclaimBuffers()`: when buffers counted as live fill more than half the budget, runs
 *   a full garbage collection (the process runs with `--expose-gc`; `gc` is taken off the global
 *   object here) and resolves after the finalizers that uncount dead buffers had a turn.
 */
export function hardenWorkerGlobals(limits: any): { reclaimBuffers(): Promise<void> } {
  const g = globalThis as any;
  const defineProperty = Object.defineProperty;
  const stringOf = String;
  const TypeErrorClass = TypeError;
  const RangeErrorClass = RangeError;
  const collect: (() => void) | undefined = typeof g.gc === "function" ? g.gc : undefined;
  const setTimer = g.setTimeout;
  let liveBytes = () => 0;
  harden(limits);
  return {
    reclaimBuffers() {
      if (!collect || liveBytes() <= limits.liveBufferBytes / 2) return Promise.resolve();
      collect();
      return new Promise((resolve) => setTimer(resolve, 0));
    },
  };

  /** Removes what user code must not reach, and caps explicit off-heap allocations. */
  function harden(limits: any) {
    const remove = [
      "gc",
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
      // These allocate off-heap memory the buffer budget cannot see (ImageData(w, h) makes a
      // w × h × 4 byte array; a decompression stream inflates a small input without bound), and
      // code analysis has no use for them.
      "ImageData",
      "CompressionStream",
      "DecompressionStream",
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
    const blank = /\s/;
    const lineEnd = /[\n\r\u2028\u2029]/g;
    /**
     * True when `text` holds the word `import` followed, after any blanks and comments, by `(`
     * (`import(...)`) or `.` (`import.source(...)`, `import.defer(...)`, `import.meta`). Every
     * comment form counts, including the HTML-like `<!--` and `-->` of sloppy scripts: a regular
     * expression that knew only `/* *\/` and `//` let `import <!--\n('node:os')` through.
     */
    const reachesLoader = (text: string): boolean => {
      const word = /\bimport\b/g;
      for (let match = word.exec(text); match !== null; match = word.exec(text)) {
        let i = match.index + 6;
        while (i < text.length) {
          if (blank.test(text[i])) {
            i++;
          } else if (text.startsWith("/*", i)) {
            const end = text.indexOf("*/", i + 2);
            i = end === -1 ? text.length : end + 2;
          } else if (
            text.startsWith("//", i) || text.startsWith("<!--", i) || text.startsWith("-->", i)
          ) {
            lineEnd.lastIndex = i;
            i = lineEnd.exec(text) ? lineEnd.lastIndex : text.length;
          } else break;
        }
        if (text[i] === "(" || text[i] === ".") return true;
      }
      return false;
    };
    const check = (texts: string[]) => {
      for (const text of texts) {
        if (reachesLoader(text)) {
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
    const guard = (Original: any) =>
      new Proxy(Original, {
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
    const guardedFunction = guard(Function);
    defineProperty(Function.prototype, "constructor", {
      value: guardedFunction,
      writable: true,
      configurable: true,
    });
    defineProperty(g, "Function", { value: guardedFunction, writable: true, configurable: true });
    const siblings = [
      Object.getPrototypeOf(async function () {}).constructor,
      Object.getPrototypeOf(function* () {}).constructor,
      Object.getPrototypeOf(async function* () {}).constructor,
    ];
    for (const Original of siblings) {
      defineProperty(Original.prototype, "constructor", {
        value: guard(Original),
        writable: true,
        configurable: true,
      });
      // The sibling constructors inherit from `Function` itself: without this,
      // `Object.getPrototypeOf(AsyncFunction)` handed out the unguarded original.
      Object.setPrototypeOf(Original, guardedFunction);
    }
  }

  /**
   * Wraps ArrayBuffer, SharedArrayBuffer and typed-array constructors: memory they allocate lives
   * outside the V8 heap limit, so one allocation and all live ones are capped.
   */
  function capBuffers(limits: any) {
    let live = 0;
    liveBytes = () => live;
    // Dead buffers are uncounted by finalizers, which run only after a garbage collection and
    // only between tasks: a refusal starts a collection, so the budget is back after an `await`
    // (each execution also starts with one when the budget is more than half used).
    const registry = new FinalizationRegistry((bytes: number) => {
      live -= bytes;
    });
    const charge = (bytes: number) => {
      if (!(bytes >= 0)) return;
      if (bytes > limits.bufferBytes || live + bytes > limits.liveBufferBytes) {
        if (bytes <= limits.bufferBytes) collect?.();
        throw new RangeErrorClass(
          `buffer allocation of ${bytes} bytes refused: the REPL allows ${limits.bufferBytes} ` +
            `bytes per buffer and ${limits.liveBufferBytes} bytes of live buffers (buffers no ` +
            "longer referenced count until they are collected, at the next await at the latest)",
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
    chargeRuntimeCopies(charge, track);
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

  /**
   * Buffers the runtime allocates for `structuredClone` and `TextEncoder.encode` do not pass
   * through the wrapped constructors, so cloning one capped buffer over and over would escape
   * the live-buffer budget. Their results are charged after the fact (a refused copy is dropped).
   * Everything used here is captured before user code exists: it may replace the prototypes.
   */
  function chargeRuntimeCopies(
    charge: (bytes: number) => void,
    track: (buffer: unknown, bytes: number) => void,
  ) {
    const apply = Reflect.apply;
    const keys = Object.keys;
    const isView = ArrayBuffer.isView;
    // The most a buffer can grow to (its length when it is not resizable), as the constructors
    // charge it.
    const byteLengthOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "maxByteLength")!
      .get!;
    const sharedByteLengthOf = Object.getOwnPropertyDescriptor(
      SharedArrayBuffer.prototype,
      "maxByteLength",
    )!.get!;
    const typedBufferOf = Object.getOwnPropertyDescriptor(
      Object.getPrototypeOf(Uint8Array.prototype),
      "buffer",
    )!.get!;
    const viewBufferOf = Object.getOwnPropertyDescriptor(DataView.prototype, "buffer")!.get!;
    const mapForEach = Map.prototype.forEach;
    const setForEach = Set.prototype.forEach;
    const MapClass = Map;
    const SetClass = Set;
    const DataViewClass = DataView;
    const bytesOf = (value: unknown): number => {
      try {
        return apply(byteLengthOf, value, []);
      } catch {
        try {
          return apply(sharedByteLengthOf, value, []);
        } catch {
          return -1; // Not a buffer.
        }
      }
    };
    const chargeBuffersIn = (root: unknown) => {
      const seen = new SetClass<unknown>();
      const stack = [root];
      while (stack.length > 0) {
        const value: any = stack.pop();
        if (value === null || typeof value !== "object" || seen.has(value)) continue;
        seen.add(value);
        if (isView(value)) {
          stack.push(
            apply(value instanceof DataViewClass ? viewBufferOf : typedBufferOf, value, []),
          );
          continue;
        }
        const bytes = bytesOf(value);
        if (bytes >= 0) {
          charge(bytes);
          track(value, bytes);
        } else if (value instanceof MapClass) {
          apply(mapForEach, value, [(v: unknown, k: unknown) => stack.push(k, v)]);
        } else if (value instanceof SetClass) {
          apply(setForEach, value, [(v: unknown) => stack.push(v)]);
        } else {
          for (const key of keys(value)) stack.push(value[key]);
        }
      }
    };
    const clone = g.structuredClone;
    defineProperty(g, "structuredClone", {
      value: function structuredClone(value: unknown, options?: unknown) {
        const copy = clone(value, options);
        chargeBuffersIn(copy);
        return copy;
      },
      writable: true,
      configurable: true,
    });
    // Uint8Array.fromBase64/fromHex build their result with the original constructor.
    const U8 = Uint8Array as any;
    for (const name of ["fromBase64", "fromHex"]) {
      const original = U8[name];
      if (typeof original !== "function") continue;
      defineProperty(U8, name, {
        value: function (this: unknown, ...args: unknown[]) {
          const bytes = apply(original, this, args);
          chargeBuffersIn(bytes);
          return bytes;
        },
        writable: true,
        configurable: true,
      });
    }
    // Web Crypto results (encrypt, decrypt, deriveBits, exportKey, ...) are fresh buffers too.
    const subtle = SubtleCrypto.prototype as any;
    for (const name of Object.getOwnPropertyNames(subtle)) {
      const original = Object.getOwnPropertyDescriptor(subtle, name)?.value;
      if (name === "constructor" || typeof original !== "function") continue;
      defineProperty(subtle, name, {
        value: function (this: unknown, ...args: unknown[]) {
          return (apply(original, this, args) as Promise<unknown>).then((result) => {
            chargeBuffersIn(result);
            return result;
          });
        },
        writable: true,
        configurable: true,
      });
    }
    const originalEncode = TextEncoder.prototype.encode;
    defineProperty(TextEncoder.prototype, "encode", {
      value: function encode(this: TextEncoder, input?: string) {
        const bytes = apply(originalEncode, this, [input]);
        chargeBuffersIn(bytes);
        return bytes;
      },
      writable: true,
      configurable: true,
    });
  }
}
