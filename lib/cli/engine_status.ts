/**
 * The analyze status line: turn, phase, sub-model calls (with a bar, rate and time left while a
 * batch is under way), files sent, elapsed time and spend, fitted to the terminal's width by
 * dropping the least useful parts first.
 *
 * Counts: "files" are the files eligible for sub-model review (loaded as text, not too large,
 * not unreadable) and a file counts once a prompt holding it is *sent*; "sub-calls" count prompts
 * *answered*. So files can run ahead of sub-calls while a batch is in flight.
 *
 * @module
 */
import type { EngineProgress, SubStats } from "../engine/types.ts";
import { formatBudgetUsd, formatUsd } from "../format.ts";
import { displayWidth, fitLine } from "./width.ts";

/** How long a window of answers the rate is measured over, in milliseconds. */
const RATE_WINDOW_MS = 15_000;

/** `75s` → `1m15s`; `3725s` → `1h02m`; under a minute `42s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
}

/** A bar of `width` cells, `done` of `total` filled. */
export function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.min(width, Math.floor((done / total) * width)) : 0;
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}

/** Sub-model answers per second over the last {@linkcode RATE_WINDOW_MS}. */
export class RateMeter {
  #samples: { at: number; done: number }[] = [];

  /** Records the answers done so far at time `at` (milliseconds). */
  add(at: number, done: number): void {
    const last = this.#samples.at(-1);
    if (last && last.done === done) return;
    this.#samples.push({ at, done });
    while (this.#samples.length > 2 && at - this.#samples[1].at > RATE_WINDOW_MS) {
      this.#samples.shift();
    }
  }

  /** Answers per second at time `at`, or undefined before two answers were seen. */
  rate(at: number): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.done === first.done) return undefined;
    // Time since the last answer counts too: a stalled batch shows a falling rate.
    return (last.done - first.done) / (Math.max(at, last.at) - first.at) * 1000;
  }
}

/** What the status line is drawn from besides the engine's numbers. */
export interface StatusView {
  elapsedMs: number;
  /** Sub-model answers per second, when known. */
  rate?: number;
  /** Display columns to fit into. */
  columns: number;
}

const PHASES: Record<EngineProgress["phase"], string> = {
  root: "root model",
  thinking: "root model thinking",
  exec: "running code",
  turn_done: "turn done",
  done: "finished",
};

/**
 * The status line for `p`, as wide as `view.columns` allows.
 *
 * @example
 * ```ts
 * import { engineStatusLine } from "./engine_status.ts";
 * engineStatusLine({ phase: "exec", turn: 3, maxTurns: 20, subDone: 12, subRequested: 40,
 *   cacheHits: 5, filesCovered: 30, filesEligible: 42, spentUsd: 0.1234 },
 *   { elapsedMs: 75_000, rate: 2, columns: 120 });
 * // "turn 3/20 · running code · sub-calls ███░░░░░░░░░░░░ 12/40 (5 cached) · 2.0/s · 14s left · files 30/42 sent · 1m15s · $0.1234"
 * ```
 */
export function engineStatusLine(p: EngineProgress, view: StatusView): string {
  const pending = p.subRequested - p.subDone;
  const cached = p.cacheHits > 0 ? ` (${p.cacheHits} cached)` : "";
  const spend = p.budgetUsd === undefined
    ? formatUsd(p.spentUsd)
    : `${formatUsd(p.spentUsd)} of ${formatBudgetUsd(p.budgetUsd)}`;
  const rate = view.rate !== undefined && pending > 0 ? view.rate : undefined;
  const parts = (barWidth: number, drop: Set<string>) => {
    const out: string[] = [`turn ${p.turn}/${p.maxTurns}`];
    if (!drop.has("phase")) out.push(PHASES[p.phase]);
    const counts = `${p.subDone}/${p.subRequested}${cached}`;
    out.push(
      pending > 0 && barWidth > 0
        ? `sub-calls ${bar(p.subDone, p.subRequested, barWidth)} ${counts}`
        : `sub-calls ${counts}`,
    );
    if (rate !== undefined && !drop.has("rate")) {
      out.push(`${rate.toFixed(1)}/s`);
      if (rate > 0) out.push(`${formatDuration((pending / rate) * 1000)} left`);
    }
    if (!drop.has("files")) out.push(`files ${p.filesCovered}/${p.filesEligible} sent`);
    if (!drop.has("elapsed")) out.push(formatDuration(view.elapsedMs));
    out.push(spend);
    return out.join(" · ");
  };
  // Widest first; then a shorter bar, then parts dropped least useful first.
  const drop = new Set<string>();
  for (const barWidth of [15, 10]) {
    const line = parts(barWidth, drop);
    if (displayWidth(line) < view.columns) return line;
  }
  for (const part of ["elapsed", "phase", "rate", "files"]) {
    drop.add(part);
    const line = parts(pending > 0 ? 10 : 0, drop);
    if (displayWidth(line) < view.columns) return line;
  }
  return fitLine(parts(0, drop), view.columns);
}

/**
 * The REPL's line while `llm_query`/`llm_batch` calls are answered: a bar, done/total, rate,
 * time left and what the sub-model cost so far.
 *
 * @example
 * ```ts
 * import { batchStatusLine } from "./engine_status.ts";
 * batchStatusLine({ requested: 40, done: 10, calls: 10, errors: 0, cacheHits: 0,
 *   cacheMisses: 10, budgetSkipped: 0, cancelled: 0, truncated: 0 }, 0.0123,
 *   { elapsedMs: 0, rate: 2, columns: 80 });
 * // "llm sub-calls ███░░░░░░░░░░░░ 10/40 · 2.0/s · 15s left · $0.0123"
 * ```
 */
export function batchStatusLine(stats: SubStats, spentUsd: number, view: StatusView): string {
  const pending = stats.requested - stats.done;
  const cached = stats.cacheHits > 0 ? ` (${stats.cacheHits} cached)` : "";
  const parts = [
    `llm sub-calls ${pending > 0 ? `${bar(stats.done, stats.requested, 15)} ` : ""}` +
    `${stats.done}/${stats.requested}${cached}`,
  ];
  if (pending > 0 && view.rate !== undefined) {
    parts.push(`${view.rate.toFixed(1)}/s`);
    if (view.rate > 0) parts.push(`${formatDuration((pending / view.rate) * 1000)} left`);
  }
  parts.push(formatUsd(spentUsd));
  return fitLine(parts.join(" · "), view.columns);
}

/** Options of {@linkcode engineStatusReporter}. */
export interface ReporterOptions {
  /** Where the status goes. */
  status(text: string, milestone: boolean): void;
  /** Display columns of the status line. */
  columns: number;
  /** Redraw every second (elapsed time, time left) even without news: on a terminal. */
  tick: boolean;
  /** Milliseconds clock. @default performance.now */
  now?(): number;
}

/**
 * Turns the engine's progress events into status lines with rate, time left and elapsed time.
 * Call `stop()` when the run ends (it stops the once-a-second redraw).
 */
export function engineStatusReporter(options: ReporterOptions): {
  onProgress(p: EngineProgress, milestone: boolean): void;
  stop(): void;
} {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const meter = new RateMeter();
  let last: EngineProgress | undefined;
  const line = (p: EngineProgress) =>
    engineStatusLine(p, {
      elapsedMs: now() - start,
      rate: meter.rate(now()),
      columns: options.columns,
    });
  let timer: ReturnType<typeof setInterval> | undefined;
  if (options.tick) {
    const id = setInterval(() => {
      if (last && last.phase !== "done") options.status(line(last), false);
    }, 1000);
    Deno.unrefTimer(id as unknown as number);
    timer = id;
  }
  return {
    onProgress(p, milestone) {
      last = p;
      meter.add(now(), p.subDone);
      options.status(line(p), milestone);
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
