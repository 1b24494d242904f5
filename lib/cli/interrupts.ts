/**
 * What Ctrl-C does. The first press stops the run gracefully (everything paid for is written);
 * a second press leaves at once; a command may take presses for itself for a while (the
 * interactive REPL stops only the running code).
 *
 * One press can arrive as two SIGINTs: the terminal signals its whole foreground process group,
 * and `deno task` (like other runners) also forwards the SIGINT it received to its child. Both
 * land within a few milliseconds, so SIGINTs closer together than {@linkcode SAME_PRESS_MS} count
 * as one press; otherwise `deno task deeprepo ...` would treat one Ctrl-C as two and exit without
 * writing anything.
 *
 * @module
 */

/**
 * SIGINTs within this many milliseconds of the previous one are the same key press delivered
 * twice (measured: the two copies arrive 3–4 ms apart under `deno task`; a person cannot press
 * Ctrl-C twice within a quarter of a second on purpose).
 */
export const SAME_PRESS_MS = 250;

/** Dependencies of {@linkcode createInterruptHandler}. */
export interface InterruptDeps {
  /** Stops the run gracefully (first press). */
  abort(): void;
  /** Leaves at once with status 130 (second press). */
  exit(code: number): void;
  /** Milliseconds clock. @default performance.now */
  now?(): number;
}

/** The SIGINT listener and the registry of commands that take Ctrl-C for themselves. */
export interface InterruptHandler {
  /** Call on every SIGINT. */
  onSignal(): void;
  /** See `CliContext.interceptInterrupt`. Returns the function that unregisters `handler`. */
  intercept(handler: () => boolean): () => void;
}

/**
 * Creates the Ctrl-C logic: duplicates of one press dropped, interceptors asked first, then the
 * first press aborts and the second exits.
 *
 * @example
 * ```ts
 * import { createInterruptHandler } from "./interrupts.ts";
 * const controller = new AbortController();
 * const interrupts = createInterruptHandler({
 *   abort: () => controller.abort(),
 *   exit: (code) => console.log("exit", code),
 * });
 * interrupts.onSignal(); // aborts
 * ```
 */
export function createInterruptHandler(deps: InterruptDeps): InterruptHandler {
  const now = deps.now ?? (() => performance.now());
  const interceptors = new Set<() => boolean>();
  let presses = 0;
  let last = -Infinity;
  return {
    onSignal() {
      const at = now();
      const duplicate = at - last < SAME_PRESS_MS;
      last = at;
      if (duplicate) return;
      for (const intercept of interceptors) if (intercept()) return;
      presses++;
      if (presses === 1) deps.abort();
      else deps.exit(130);
    },
    intercept(handler) {
      interceptors.add(handler);
      return () => interceptors.delete(handler);
    },
  };
}
