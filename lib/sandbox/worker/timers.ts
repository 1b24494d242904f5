/**
 * Timers that belong to an execution. Sent as source text (see `source.ts`):
 * {@linkcode trackTimers} refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { AnyFunction, Intrinsics } from "./types.ts";

/**
 * Replaces `setTimeout`/`setInterval`/`clearTimeout`/`clearInterval` with versions that record
 * each timer, so the timers an execution set are cancelled when it ends: an interval or a storm of
 * timers left behind cannot print into, slow down or block later executions.
 *
 * @returns `cancelAll()`, which clears every recorded timer.
 */
export function trackTimers(caps: Intrinsics): { cancelAll(): void } {
  const { apply, defineProperty } = caps;
  const g = globalThis as unknown as Record<string, unknown>;
  const active = caps.create(null) as Record<number, true>;
  const tracked = (original: AnyFunction, repeating: boolean) =>
    function (callback: unknown, ...rest: unknown[]): number {
      const args: unknown[] = [];
      for (let i = 0; i < rest.length; i++) {
        defineProperty(args, i + 1, {
          value: rest[i],
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
      if (typeof callback !== "function") {
        defineProperty(args, 0, { value: callback, writable: true, configurable: true });
        return apply(original, g, args);
      }
      const run = function (this: unknown, ...callArgs: unknown[]) {
        if (!repeating) delete active[id];
        return apply(callback as AnyFunction, this, callArgs);
      };
      defineProperty(args, 0, { value: run, writable: true, configurable: true });
      const id: number = apply(original, g, args);
      active[id] = true;
      return id;
    };
  const clear = (id: unknown) => {
    delete active[id as number];
    apply(caps.clearTimeout, g, [id]);
  };
  const replacements: [string, unknown][] = [
    ["setTimeout", tracked(caps.setTimeout, false)],
    ["setInterval", tracked(caps.setInterval, true)],
    ["clearTimeout", clear],
    ["clearInterval", clear],
  ];
  for (const [name, value] of replacements) {
    defineProperty(g, name, { value, writable: true, enumerable: true, configurable: true });
  }
  return {
    cancelAll() {
      for (const id in active) clear(+id);
    },
  };
}
