/**
 * `print` and `console` of the REPL. Sent as source text (see `source.ts`):
 * {@linkcode createOutput} refers to nothing outside its body and its parameters.
 *
 * @module
 */
import type { Intrinsics, Send, WorkerLimits } from "./types.ts";

/** The output of the running execution. */
export interface Output {
  print(...values: unknown[]): void;
  console: Record<string, unknown>;
  /** A value as text, never throwing. */
  inspect(value: unknown): string;
  /** Starts collecting for execution `id`. */
  begin(id: number): void;
  /** Stops collecting; returns what was kept and the true length. */
  end(): { output: string; outputChars: number };
}

/**
 * Output goes to a buffer that keeps `limits.outputBufferChars` characters and counts the rest,
 * and is streamed to the relay at most every 50 ms while an execution runs (so a timed-out or
 * crashed execution still shows what it printed). Output written between executions (by a
 * promise chain an execution did not await) belongs to none and is dropped.
 */
export function createOutput(caps: Intrinsics, limits: WorkerLimits, send: Send): Output {
  const { apply, stringOf } = caps;
  let kept = "";
  let total = 0;
  let unflushed = "";
  let lastFlush = -Infinity;
  let currentId = 0;
  const flush = () => {
    if (unflushed === "" || currentId === 0) return;
    send({ type: "output", id: currentId, text: unflushed });
    unflushed = "";
    lastFlush = caps.now();
  };
  const append = (piece: string) => {
    if (currentId === 0) return;
    const text = typeof piece === "string" ? piece : stringOf(piece);
    total += text.length;
    if (kept.length >= limits.outputBufferChars) return;
    const part: string = apply(caps.stringSlice, text, [0, limits.outputBufferChars - kept.length]);
    kept += part;
    unflushed += part;
    if (caps.now() - lastFlush >= 50) flush();
  };
  const message = (e: unknown) => {
    try {
      return stringOf((e as { message?: unknown })?.message ?? e);
    } catch {
      return "unknown error";
    }
  };
  const inspect = (value: unknown): string => {
    try {
      return caps.inspect(value, { colors: false, depth: 4 });
    } catch (e) {
      return `[uninspectable: ${message(e)}]`;
    }
  };
  const print = (...values: unknown[]) => {
    let line = "";
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      line += (i > 0 ? " " : "") + (typeof value === "string" ? value : inspect(value));
    }
    append(line + "\n");
  };
  let console: Record<string, unknown>;
  if (caps.ConsoleClass) console = new caps.ConsoleClass((text: string) => append(text));
  else {
    console = {};
    for (const name of ["log", "info", "debug", "warn", "error", "trace", "dir", "table"]) {
      console[name] = print;
    }
  }
  return {
    print,
    console,
    inspect,
    begin(id) {
      kept = "";
      total = 0;
      unflushed = "";
      lastFlush = -Infinity;
      currentId = id;
    },
    end() {
      const result = { output: kept, outputChars: total };
      currentId = 0;
      unflushed = "";
      return result;
    },
  };
}
