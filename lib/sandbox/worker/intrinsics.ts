/**
 * The first function the sandbox worker runs: {@linkcode captureIntrinsics} is sent as source text
 * (see `source.ts`), so it refers to nothing outside its body.
 *
 * @module
 */
import type { AnyFunction, Intrinsics } from "./types.ts";

/**
 * Takes every function the worker's own code needs later, before any user code exists. Later
 * code calls them through `apply` with an explicit receiver, never through a prototype or a
 * global that user code could have replaced.
 */
export function captureIntrinsics(): Intrinsics {
  const g = globalThis as unknown as Record<string, unknown>;
  const D = g.Deno as
    & { inspect: Intrinsics["inspect"]; internal: symbol }
    & Record<
      symbol,
      { Console?: Intrinsics["ConsoleClass"] } | undefined
    >;
  const apply = Reflect.apply;
  const perf = g.performance as Performance;
  const nowOf = Performance.prototype.now;
  const method = (proto: object, name: string): AnyFunction =>
    Object.getOwnPropertyDescriptor(proto, name)!.value as AnyFunction;
  return Object.freeze({
    apply,
    construct: Reflect.construct,
    defineProperty: Object.defineProperty,
    getOwnPropertyDescriptor: Object.getOwnPropertyDescriptor,
    freeze: Object.freeze,
    isFrozen: Object.isFrozen,
    keys: Object.keys,
    create: Object.create,
    isArray: Array.isArray,
    stringOf: String,
    ErrorClass: Error,
    TypeErrorClass: TypeError,
    RangeErrorClass: RangeError,
    PromiseClass: Promise,
    promiseThen: method(Promise.prototype, "then"),
    stringSlice: method(String.prototype, "slice"),
    stringIndexOf: method(String.prototype, "indexOf"),
    charCodeAt: method(String.prototype, "charCodeAt"),
    regexpExec: method(RegExp.prototype, "exec"),
    evaluate: g.eval as Intrinsics["evaluate"],
    inspect: D.inspect,
    ConsoleClass: D[D.internal]?.Console,
    postMessage: method(MessagePort.prototype, "postMessage"),
    setTimeout: g.setTimeout as AnyFunction,
    setInterval: g.setInterval as AnyFunction,
    clearTimeout: g.clearTimeout as AnyFunction,
    now: () => apply(nowOf, perf, []) as number,
    gc: typeof g.gc === "function" ? g.gc as () => void : undefined,
    FinalizationRegistryClass: FinalizationRegistry,
    registryRegister: method(FinalizationRegistry.prototype, "register"),
  });
}
