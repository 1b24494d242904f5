/**
 * The budget on off-heap memory. Sent as source text (see `source.ts`): {@linkcode capBuffers}
 * refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { AnyConstructor, AnyFunction, Intrinsics, WorkerLimits } from "./types.ts";

/** What {@linkcode capBuffers} returns. */
export interface BufferBudget {
  /** Bytes of buffers counted as live. */
  liveBytes(): number;
}

/**
 * Memory that ArrayBuffer, SharedArrayBuffer and typed-array constructors allocate lives outside
 * the V8 heap limit, so one allocation and all live ones are capped. A buffer is charged at the
 * size it was actually made with (read back through captured getters, so an argument whose
 * getters answer differently the second time cannot slip a larger buffer past the check), at a
 * resizable buffer's maximum. Dead buffers are uncounted by a finalizer after a garbage
 * collection. The runtime's copy routes (`structuredClone`, `TextEncoder.encode`,
 * `Uint8Array.fromBase64`/`fromHex`, Web Crypto results, `ArrayBuffer.prototype.transfer`) are
 * charged too. Call before user code exists. The operating system's limit on the whole process
 * stands behind this budget.
 */
export function capBuffers(limits: WorkerLimits, caps: Intrinsics): BufferBudget {
  const { apply, construct, create, defineProperty, getOwnPropertyDescriptor } = caps;
  const g = globalThis as unknown as Record<string, unknown>;
  const getter = (proto: object, name: string) =>
    getOwnPropertyDescriptor(proto, name)!.get as AnyFunction;
  const maxOf = getter(ArrayBuffer.prototype, "maxByteLength");
  const sharedMaxOf = getter(SharedArrayBuffer.prototype, "maxByteLength");
  const typedBufferOf = getter(Object.getPrototypeOf(Uint8Array.prototype), "buffer");
  const viewBufferOf = getter(DataView.prototype, "buffer");
  const isView = ArrayBuffer.isView;
  const mapForEach = Map.prototype.forEach;
  const setForEach = Set.prototype.forEach;
  const setHas = Set.prototype.has;
  const setAdd = Set.prototype.add;
  const SetClass = Set;
  /** Calls a captured brand-checked method; false when `value` is not of its kind. */
  const tryCall = (fn: AnyFunction, value: unknown, args: unknown[]): boolean => {
    try {
      apply(fn, value, args);
      return true;
    } catch {
      return false;
    }
  };
  const keys = caps.keys;
  let live = 0;
  const registry = new caps.FinalizationRegistryClass((bytes: number) => {
    live -= bytes;
  });
  /** The most a buffer can grow to, or -1 for anything that is not a buffer. */
  const sizeOf = (value: unknown): number => {
    try {
      return apply(maxOf, value, []);
    } catch {
      try {
        return apply(sharedMaxOf, value, []);
      } catch {
        return -1;
      }
    }
  };
  const refuse = (bytes: number): never => {
    if (bytes <= limits.bufferBytes) caps.gc?.();
    throw new caps.RangeErrorClass(
      `buffer allocation of ${bytes} bytes refused: the REPL allows ${limits.bufferBytes} ` +
        `bytes per buffer and ${limits.liveBufferBytes} bytes of live buffers (buffers no ` +
        "longer referenced count until they are collected, at the next await at the latest)",
    );
  };
  const allowed = (bytes: number) =>
    bytes <= limits.bufferBytes && live + bytes <= limits.liveBufferBytes;
  /** Charges a buffer that now exists; refuses (and drops it) when it is over the budget. */
  const charge = (buffer: unknown, bytes: number) => {
    if (!(bytes > 0)) return;
    if (!allowed(bytes)) refuse(bytes);
    live += bytes;
    apply(caps.registryRegister, registry, [buffer, bytes]);
  };
  /** Charges every buffer inside a value the runtime just made (a clone, an encoding). */
  const chargeBuffersIn = (root: unknown) => {
    const seen = new SetClass<unknown>();
    const stack = create(null) as Record<number, unknown>;
    let depth = 0;
    stack[depth++] = root;
    while (depth > 0) {
      const value = stack[--depth];
      if (value === null || typeof value !== "object" || apply(setHas, seen, [value])) continue;
      apply(setAdd, seen, [value]);
      if (isView(value)) {
        let buffer: unknown;
        try {
          buffer = apply(typedBufferOf, value, []);
        } catch {
          buffer = apply(viewBufferOf, value, []);
        }
        stack[depth++] = buffer;
        continue;
      }
      const bytes = sizeOf(value);
      if (bytes >= 0) charge(value, bytes);
      else if (
        tryCall(mapForEach, value, [(v: unknown, k: unknown) => {
          stack[depth++] = k;
          stack[depth++] = v;
        }])
      ) continue;
      else if (tryCall(setForEach, value, [(v: unknown) => stack[depth++] = v])) continue;
      else {
        const names = keys(value);
        for (let i = 0; i < names.length; i++) {
          stack[depth++] = (value as Record<string, unknown>)[names[i]];
        }
      }
    }
  };
  const nullHandler = () => create(null) as ProxyHandler<AnyConstructor>;
  const wrapConstructor = (name: string, estimate: (args: unknown[]) => number) => {
    const Original = g[name] as AnyConstructor | undefined;
    if (typeof Original !== "function") return;
    const handler = nullHandler();
    const wrapped: AnyConstructor = new Proxy(Original, handler);
    handler.construct = (target, args, newTarget) => {
      // Refuse the obvious before allocating; the made buffer is then charged at its real size.
      const guess = estimate(args);
      if (guess > 0 && !allowed(guess)) refuse(guess);
      const made = construct(target, args, newTarget === wrapped ? target : newTarget);
      const bytes = sizeOf(made);
      if (bytes >= 0) charge(made, bytes); // An ArrayBuffer or SharedArrayBuffer.
      else if (!(args[0] !== null && typeof args[0] === "object" && sizeOf(args[0]) >= 0)) {
        charge(made, sizeOf(apply(typedBufferOf, made, []))); // A typed array's own new buffer.
      }
      return made;
    };
    defineProperty(Original.prototype, "constructor", {
      value: wrapped,
      writable: true,
      configurable: true,
    });
    defineProperty(g, name, { value: wrapped, writable: true, configurable: true });
  };
  const first = (args: unknown[]) => typeof args[0] === "number" ? args[0] : 0;
  wrapConstructor("ArrayBuffer", first);
  wrapConstructor("SharedArrayBuffer", first);
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
    const per = (g[name] as { BYTES_PER_ELEMENT?: number } | undefined)?.BYTES_PER_ELEMENT ?? 8;
    wrapConstructor(name, (args) => first(args) * per);
  }
  const copies = (owner: Record<string, unknown>, names: string[], after: AnyFunction) => {
    for (const name of names) {
      const original = getOwnPropertyDescriptor(owner, name)?.value;
      if (typeof original !== "function") continue;
      defineProperty(owner, name, {
        value: function (this: unknown, ...args: unknown[]) {
          return after(apply(original, this, args));
        },
        writable: true,
        configurable: true,
      });
    }
  };
  const charged = (value: unknown) => {
    chargeBuffersIn(value);
    return value;
  };
  copies(g, ["structuredClone"], charged);
  copies(Uint8Array as unknown as Record<string, unknown>, ["fromBase64", "fromHex"], charged);
  copies(TextEncoder.prototype as unknown as Record<string, unknown>, ["encode"], charged);
  copies(ArrayBuffer.prototype as unknown as Record<string, unknown>, [
    "transfer",
    "transferToFixedLength",
    "slice",
  ], charged);
  copies(SharedArrayBuffer.prototype as unknown as Record<string, unknown>, ["slice"], charged);
  // Web Crypto results (encrypt, decrypt, deriveBits, exportKey, ...) are fresh buffers too.
  const subtle = SubtleCrypto.prototype as unknown as Record<string, unknown>;
  const subtleNames = Object.getOwnPropertyNames(subtle).filter((n) => n !== "constructor");
  copies(subtle, subtleNames, (promise: unknown) => apply(caps.promiseThen, promise, [charged]));
  return { liveBytes: () => live };
}
