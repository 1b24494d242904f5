/**
 * Progress on stderr in three modes: a live, redrawn status line on a terminal; plain lines at
 * milestones when stderr is a file or pipe; nothing at all with `-q`. Streamed model text and
 * message lines are interleaved without garbling the live line.
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import type { RetryInfo } from "../providers/mod.ts";
import { DEFAULT_RETRY_POLICY } from "../providers/mod.ts";
import { terminalLine, terminalText } from "./terminal_text.ts";
import { fitLine, wrapLine } from "./width.ts";
import { registerLiveLine } from "./screen.ts";

export { clearLiveLine } from "./screen.ts";

/** The progress surface commands write to. */
export interface Progress {
  /**
   * Sets the status. A terminal redraws the live line at most every 100 ms unless `milestone`
   * (a status throttled away is drawn when the 100 ms have passed, so the line is never stale);
   * otherwise a plain line is printed for milestones only, never twice in a row.
   */
  status(text: string, milestone?: boolean): void;
  /** A message line (warning, retry, phase change), printed above the live line. */
  line(text: string): void;
  /** Streamed model text, written as it comes. */
  text(chunk: string): void;
  /** Removes the live line for good (until the next `status`); call before the summary. */
  done(): void;
}

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** `-q`: print nothing. */
  quiet: boolean;
  /** Milliseconds clock. @default performance.now */
  now?(): number;
  /** Terminal width for clipping the live line. @default the context's, else the console's */
  columns?: number;
  /**
   * Runs `fn` after `ms` milliseconds; returns a cancel function. Used to draw a status that
   * arrived within the throttle window once the window has passed, so the live line never
   * stays stale while the run waits on a model. @default an unref'd `setTimeout`
   */
  schedule?(fn: () => void, ms: number): () => void;
}

/** Least time between two redraws of the live line, in milliseconds. */
const REDRAW_MS = 100;

function defaultSchedule(fn: () => void, ms: number): () => void {
  const id = setTimeout(fn, ms);
  Deno.unrefTimer(id); // never keeps the process alive
  return () => clearTimeout(id);
}

const CLEAR = "\r\x1b[2K";

/**
 * Creates the progress surface for a command.
 *
 * @example
 * ```ts ignore
 * const progress = createProgress(ctx, { quiet: options.quiet });
 * progress.status("turn 1/20 · $0.0000");
 * progress.done();
 * ```
 */
export function createProgress(ctx: CliContext, options: ProgressOptions): Progress {
  if (options.quiet) return { status() {}, line() {}, text() {}, done() {} };
  const now = options.now ?? (() => performance.now());
  return ctx.isTerminal ? createLiveProgress(ctx, now, options) : createPlainProgress(ctx);
}

/**
 * Repository and model text made safe for the terminal: status and message lines stay one line
 * each; streamed text keeps its line breaks, and a `\r` that ends a chunk waits for the next one
 * (it may be the first half of a `\r\n`).
 */
function sanitizer() {
  let heldCr = false;
  return {
    line: terminalLine,
    text(chunk: string): string {
      const whole = (heldCr ? "\r" : "") + chunk;
      heldCr = whole.endsWith("\r");
      return terminalText(heldCr ? whole.slice(0, -1) : whole);
    },
  };
}

/** Plain lines at milestones, for a file or pipe. */
function createPlainProgress(ctx: CliContext): Progress {
  let last = "";
  let midLine = false;
  const safe = sanitizer();
  const endText = () => {
    if (midLine) ctx.stderr("\n");
    midLine = false;
  };
  return {
    status(text, milestone) {
      if (!milestone || text === last) return;
      endText();
      last = text;
      ctx.stderr(`${safe.line(text)}\n`);
    },
    line(text) {
      endText();
      ctx.stderr(`${safe.line(text)}\n`);
    },
    text(chunk) {
      const shown = safe.text(chunk);
      if (!shown) return;
      ctx.stderr(shown);
      midLine = !shown.endsWith("\n");
    },
    done: endText,
  };
}

/** The redrawn live line, for a terminal. */
function createLiveProgress(
  ctx: CliContext,
  now: () => number,
  options: ProgressOptions,
): Progress {
  const control = ctx.control ?? ctx.stderr;
  const safe = sanitizer();
  const columns = options.columns ?? ctx.columns ?? consoleColumns();
  let current = "";
  let shown = false;
  let midLine = false;
  let lastDraw = -Infinity;
  let cancelPending: (() => void) | undefined;
  const schedule = options.schedule ?? defaultSchedule;
  const clear = () => {
    if (shown) control(CLEAR);
    shown = false;
  };
  const endText = () => {
    if (midLine) ctx.stderr("\n");
    midLine = false;
  };
  registerLiveLine(ctx, () => {
    clear();
    endText();
  });
  const draw = () => {
    cancelPending?.();
    cancelPending = undefined;
    if (!current) return;
    endText();
    const clipped = fitLine(current, columns);
    control(ctx.color ? `${CLEAR}\x1b[2m` : CLEAR);
    ctx.stderr(clipped);
    if (ctx.color) control("\x1b[22m");
    shown = true;
    lastDraw = now();
  };
  return {
    status(text, milestone) {
      current = safe.line(text);
      const since = now() - lastDraw;
      if (milestone || since >= REDRAW_MS) draw();
      else {
        cancelPending ??= schedule(() => {
          cancelPending = undefined;
          if (!midLine) draw(); // never break a line of streamed model text
        }, REDRAW_MS - since);
      }
    },
    line(text) {
      clear();
      endText();
      // Wrapped at word boundaries to the terminal, not split mid-word by it.
      for (const part of wrapLine(safe.line(text), columns)) ctx.stderr(`${part}\n`);
      draw();
    },
    text(chunk) {
      const shown = safe.text(chunk);
      if (!shown) return;
      clear();
      ctx.stderr(shown);
      midLine = !shown.endsWith("\n");
    },
    done() {
      cancelPending?.();
      cancelPending = undefined;
      clear();
      endText();
      current = ""; // later message lines must not bring the live line back
    },
  };
}

function consoleColumns(): number {
  try {
    return Deno.consoleSize().columns || 100;
  } catch {
    return 100;
  }
}

/**
 * The `[retry]` line printed for one retry of a model call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const line = retryLine({ provider: "anthropic", model: "claude-x", attempt: 1, delayMs: 1200,
 *   reason: "status 429" });
 * assert.equal(line, "[retry] anthropic claude-x: status 429; retry 1/3 in 1.2 s");
 * ```
 */
export function retryLine(info: RetryInfo): string {
  const wait = info.delayMs < 1000
    ? `${Math.round(info.delayMs)} ms`
    : `${(info.delayMs / 1000).toFixed(1)} s`;
  return `[retry] ${info.provider} ${info.model}: ${info.reason}; ` +
    `retry ${info.attempt}/${DEFAULT_RETRY_POLICY.retries} in ${wait}`;
}
