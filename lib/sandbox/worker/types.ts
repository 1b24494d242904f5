/**
 * Types shared by the functions of the sandbox worker program (see `source.ts`). Type-only: the
 * worker's source text carries none of this.
 *
 * @module
 */

/** The limits the worker enforces (the relay and the host enforce their own copies). */
export interface WorkerLimits {
  outputBufferChars: number;
  promptChars: number;
  prompts: number;
  inflightPromptChars: number;
  bufferBytes: number;
  liveBufferBytes: number;
  valueChars: number;
}

/** A message from the worker to the relay. */
export type ToRelay = { type: string } & Record<string, unknown>;

/** Posts a message to the relay through the private port. */
export type Send = (message: ToRelay) => void;

/** A function called with an explicit receiver (`Reflect.apply` style). */
// deno-lint-ignore no-explicit-any
export type AnyFunction = (...args: any[]) => any;

/** A constructor as the wrappers see it. */
// deno-lint-ignore no-explicit-any
export type AnyConstructor = new (...args: any[]) => any;

/**
 * Everything the worker's own code calls after user code exists, taken before user code exists:
 * user code may replace any prototype method or global, so the worker never looks one up again.
 */
export interface Intrinsics {
  apply: typeof Reflect.apply;
  construct: typeof Reflect.construct;
  defineProperty: typeof Object.defineProperty;
  getOwnPropertyDescriptor: typeof Object.getOwnPropertyDescriptor;
  freeze: typeof Object.freeze;
  isFrozen: typeof Object.isFrozen;
  keys: typeof Object.keys;
  create: typeof Object.create;
  isArray: typeof Array.isArray;
  stringOf: typeof String;
  ErrorClass: ErrorConstructor;
  TypeErrorClass: TypeErrorConstructor;
  RangeErrorClass: RangeErrorConstructor;
  PromiseClass: PromiseConstructor;
  promiseThen: AnyFunction;
  stringSlice: AnyFunction;
  stringIndexOf: AnyFunction;
  charCodeAt: AnyFunction;
  regexpExec: AnyFunction;
  /** The original `eval`, called indirectly (it sees globals only). */
  evaluate: (source: string) => unknown;
  inspect: (value: unknown, options: Record<string, unknown>) => string;
  /** Deno's console class, when the runtime exposes it. */
  ConsoleClass: (new (print: (message: string) => void) => Record<string, unknown>) | undefined;
  /** `MessagePort.prototype.postMessage`. */
  postMessage: AnyFunction;
  setTimeout: AnyFunction;
  setInterval: AnyFunction;
  clearTimeout: AnyFunction;
  now: () => number;
  /** V8's `gc` (the process runs with `--expose-gc`); taken off the global object later. */
  gc: (() => void) | undefined;
  FinalizationRegistryClass: FinalizationRegistryConstructor;
  registryRegister: AnyFunction;
}
