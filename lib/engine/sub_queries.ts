/**
 * Host side of `llm_query` / `llm_batch`: sends sub-model prompts with bounded concurrency,
 * returns answers in order, turns failures into `[ERROR: ...]` items, consults the sub-model
 * cache, applies the budget, and records coverage.
 *
 * @module
 */
import type { ModelClient } from "../providers/types.ts";
import type { SubQueryHandler } from "../sandbox/types.ts";
import type { CoverageLedger } from "./coverage.ts";
import type { SpendLedger } from "./spend.ts";
import { SUB_MAX_TOKENS, SUB_SYSTEM_PROMPT } from "./prompts.ts";
import { type Cache, cacheBatcher } from "../cache/mod.ts";

/**
 * Runs prompts through a cache: `send` receives only the misses and must answer them in order,
 * reporting each answer through `onResult` as it arrives so the cache stores it at once (an
 * interrupted batch keeps what it received). The CLI binds this to `cacheBatcher` from
 * `lib/cache/mod.ts`.
 */
export type BatchThroughCache = (
  prompts: string[],
  send: (misses: string[], onResult?: (index: number, result: string) => void) => Promise<string[]>,
) => Promise<{ results: string[]; hits: number; misses: number }>;

/** One sub-model call as the trajectory records it. */
export interface SubCallRecord {
  /** Root turn during which the call was made. */
  turn: number;
  promptChars: number;
  /** The first 300 characters of the prompt. */
  promptHead: string;
  /** Files whose content the prompt carried (see coverage.ts). */
  files: string[];
  /** The answer, or the `[ERROR: ...]` text. */
  result: string;
  cached: boolean;
  error: boolean;
}

/** Counters the metrics and progress line use. */
export interface SubStats {
  /** Prompts handed to the dispatcher (including cache hits and budget skips). */
  requested: number;
  /** Prompts answered or failed so far. */
  done: number;
  /** Calls actually sent to the model. */
  calls: number;
  /** Calls that failed after retries (budget skips are counted in `budgetSkipped` only). */
  errors: number;
  cacheHits: number;
  cacheMisses: number;
  /** Prompts not sent because of the budget. */
  budgetSkipped: number;
  /** Calls cut short because the run ended or was interrupted (not counted in `errors`). */
  cancelled: number;
}

/** The item a call cancelled by the end of the run comes back as. */
export const CANCELLED_TEXT = "[ERROR: cancelled]";

/**
 * The cache wrapper for the engine's sub-model calls: keyed on the sub-model, its endpoint and
 * the settings the dispatcher sends with every prompt (system prompt, max output tokens).
 *
 * @param cache The sub-model result cache.
 * @param model The sub-model's `provider:id` label.
 * @param endpoint The sub-model's base URL when not the provider's default.
 */
export function subCallBatcher(cache: Cache, model: string, endpoint?: string): BatchThroughCache {
  return cacheBatcher(cache, {
    model,
    endpoint,
    system: SUB_SYSTEM_PROMPT,
    maxTokens: SUB_MAX_TOKENS,
  });
}

/** Options of {@linkcode createSubDispatcher}. */
export interface SubDispatcherOptions {
  client: ModelClient;
  spend: SpendLedger;
  coverage: CoverageLedger;
  /** Calls in flight at once, across all concurrent batches and queries of the run. @default 5 */
  concurrency?: number;
  /** @default SUB_SYSTEM_PROMPT */
  system?: string;
  /** @default SUB_MAX_TOKENS (4096) */
  maxTokens?: number;
  /** Cache wrapper; without it every prompt is sent. */
  batch?: BatchThroughCache;
  /** Aborted when the run ends or is interrupted: work in flight is cancelled. */
  signal: AbortSignal;
  /** The current root turn (for records). */
  turn(): number;
  /** Dollars that must stay free for a final root turn when a budget is set. */
  rootReserve?(): number;
  /** Called whenever counters change; `batchDone` once a batch is answered and recorded. */
  onChange?(stats: SubStats, batchDone: boolean): void;
}

/** A dispatcher: the REPL's sub-query handler plus what it has recorded. */
export interface SubDispatcher {
  handle: SubQueryHandler;
  stats: SubStats;
  records: SubCallRecord[];
  /** Budget notices produced since the last call (the engine appends them to tool results). */
  takeNotices(): number;
}

/** Text of a budget-skipped item. */
export const BUDGET_SKIP_TEXT =
  "[ERROR: budget exhausted — this prompt was not sent; finalize with what you have]";

/**
 * Creates the sub-query dispatcher of one run.
 *
 * @example
 * ```ts
 * const d = createSubDispatcher({ client, spend, coverage, signal, turn: () => 1 });
 * const [a, b] = await d.handle(["q1", "q2"], signal);
 * ```
 */
export function createSubDispatcher(options: SubDispatcherOptions): SubDispatcher {
  const concurrency = Math.max(1, options.concurrency ?? 5);
  const system = options.system ?? SUB_SYSTEM_PROMPT;
  const maxTokens = options.maxTokens ?? SUB_MAX_TOKENS;
  const stats: SubStats = {
    requested: 0,
    done: 0,
    calls: 0,
    errors: 0,
    cacheHits: 0,
    cacheMisses: 0,
    budgetSkipped: 0,
    cancelled: 0,
  };
  const records: SubCallRecord[] = [];
  let notices = 0;
  const changed = (batchDone = false) => options.onChange?.(stats, batchDone);

  // One limit for the whole run: concurrent llm_batch calls and parallel llm_query calls
  // (`Promise.all(paths.map(llm_query))`) share the same `concurrency` slots, first come first
  // served.
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (active < concurrency) {
      active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const releaseSlot = () => {
    const next = waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else active--;
  };

  const sendOne = async (prompt: string, signal: AbortSignal): Promise<string> => {
    await acquire();
    try {
      return await sendInSlot(prompt, signal);
    } finally {
      releaseSlot();
    }
  };

  const sendInSlot = async (prompt: string, signal: AbortSignal): Promise<string> => {
    if (signal.aborted) return CANCELLED_TEXT;
    const projected = options.spend.projectSub(prompt.length + system.length);
    if (!options.spend.tryReserve(projected, options.rootReserve?.() ?? 0)) {
      stats.budgetSkipped++;
      return BUDGET_SKIP_TEXT;
    }
    stats.calls++;
    try {
      const res = await options.client.complete({
        system,
        messages: [{ role: "user", content: prompt }],
        maxTokens,
        signal,
      });
      options.spend.addSub(res.usage);
      if (!res.text.trim()) return "[ERROR: the sub-model returned an empty answer]";
      return res.text;
    } catch (error) {
      if (signal.aborted) return CANCELLED_TEXT;
      return `[ERROR: ${oneLine(error)}]`;
    } finally {
      options.spend.release(projected);
    }
  };

  /**
   * Sends prompts with at most `concurrency` in flight; answers in prompt order. Each answered
   * prompt's files are recorded as it arrives (into `seen`), so the progress line's file count
   * moves during a long batch instead of jumping at its end.
   */
  const sendAll = async (
    prompts: string[],
    signal: AbortSignal,
    seen: Map<string, string[]>,
    onResult?: (index: number, result: string) => void,
  ): Promise<string[]> => {
    const results = new Array<string>(prompts.length);
    let next = 0;
    const worker = async () => {
      while (next < prompts.length) {
        const i = next++;
        results[i] = await sendOne(prompts[i], signal);
        onResult?.(i, results[i]);
        if (!results[i].startsWith("[ERROR") && !seen.has(prompts[i])) {
          seen.set(prompts[i], options.coverage.record(prompts[i]));
        }
        stats.done++;
        changed();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, prompts.length) }, worker));
    return results;
  };

  const handle: SubQueryHandler = async (prompts, callSignal) => {
    const signal = AbortSignal.any([options.signal, callSignal]);
    const texts = prompts.map((p) => typeof p === "string" ? p : String(p));
    stats.requested += texts.length;
    changed();
    const skippedBefore = stats.budgetSkipped;
    let results: string[];
    let sentSet: Set<number> | undefined;
    const seen = new Map<string, string[]>();
    if (options.batch) {
      const missed: string[] = [];
      const out = await options.batch(texts, (misses, onResult) => {
        missed.push(...misses);
        return sendAll(misses, signal, seen, onResult);
      });
      results = out.results;
      stats.cacheHits += out.hits;
      stats.cacheMisses += out.misses;
      // Hits and in-batch repeats were answered without a call of their own.
      stats.done += texts.length - missed.length;
      const missCount = new Map<string, number>();
      for (const m of missed) missCount.set(m, (missCount.get(m) ?? 0) + 1);
      sentSet = new Set();
      texts.forEach((t, i) => {
        const n = missCount.get(t) ?? 0;
        if (n > 0) {
          sentSet!.add(i);
          missCount.set(t, n - 1);
        }
      });
      changed();
    } else {
      results = await sendAll(texts, signal, seen);
    }
    const turn = options.turn();
    results.forEach((result, i) => {
      const error = result.startsWith("[ERROR");
      if (result === CANCELLED_TEXT) stats.cancelled++;
      else if (error && result !== BUDGET_SKIP_TEXT) stats.errors++;
      const prompt = texts[i];
      records.push({
        turn,
        promptChars: prompt.length,
        promptHead: prompt.slice(0, 300),
        files: error
          ? options.coverage.filesIn(prompt)
          : seen.get(prompt) ?? options.coverage.record(prompt),
        result,
        cached: sentSet ? !sentSet.has(i) : false,
        error,
      });
    });
    if (stats.budgetSkipped > skippedBefore) notices += stats.budgetSkipped - skippedBefore;
    changed(true);
    return results;
  };

  return {
    handle,
    stats,
    records,
    takeNotices() {
      const n = notices;
      notices = 0;
      return n;
    },
  };
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim().slice(0, 300) || "unknown error";
}
