/**
 * Host side of `llm_query` / `llm_batch`: sends sub-model prompts with bounded concurrency,
 * returns answers in order, turns failures into `[ERROR: ...]` items, consults the sub-model
 * cache, applies the budget, and records coverage.
 *
 * @module
 */
import type { Effort, ModelClient, ModelRules } from "../providers/mod.ts";
import type { SubQueryHandler } from "../sandbox/mod.ts";
import type { CoverageLedger } from "./coverage.ts";
import type { SpendLedger } from "./spend.ts";
import { SUB_MAX_TOKENS, SUB_SYSTEM_PROMPT } from "./prompts.ts";
import type { Rules } from "./model_rules.ts";
import { type Cache, cacheBatcher } from "../cache/mod.ts";
import { DEFAULTS } from "../defaults.ts";
import type { BatchThroughCache, SubCallRecord, SubStats } from "./types.ts";
import {
  BUDGET_SKIP_TEXT,
  CANCELLED_TEXT,
  sendSubCall,
  type SubCallSettings,
  subRequestSettings,
} from "./sub_call.ts";
import { Slots } from "./slots.ts";

export { BUDGET_SKIP_TEXT, CANCELLED_TEXT } from "./sub_call.ts";

export type { BatchThroughCache, SubCallRecord, SubStats } from "./types.ts";

/**
 * The cache wrapper for the engine's sub-model calls: keyed on the sub-model and the settings the
 * dispatcher sends with every prompt (system prompt, max output tokens, effort).
 *
 * @param cache The sub-model result cache.
 * @param model The sub-model's `provider:id` label.
 * @param settings The sub-model's rules and `--sub-effort`, as the run passes them (they set
 *   the output limit and the effort, which change the answer). An effort in use is part of the
 *   key as a suffix of the model label (`label effort=high`).
 */
export function subCallBatcher(
  cache: Cache,
  model: string,
  settings: { rules?: ModelRules; effort?: Effort; endpoint?: string } = {},
): BatchThroughCache {
  const { maxTokens, effort } = subRequestSettings(settings.rules, settings.effort);
  const label = effort ? `${model} effort=${effort}` : model;
  return cacheBatcher(cache, {
    model: label,
    endpoint: settings.endpoint,
    system: SUB_SYSTEM_PROMPT,
    maxTokens,
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
  /** Effort sent with every call (already checked against the model's rules). */
  effort?: Effort;
  /** The sub-model's rules: a cut answer is retried with a larger limit where they allow. */
  rules?: Rules;
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

/**
 * Creates the sub-query dispatcher of one run.
 *
 * @example
 * ```ts ignore
 * const d = createSubDispatcher({ client, spend, coverage, signal, turn: () => 1 });
 * const [a, b] = await d.handle(["q1", "q2"], signal);
 * ```
 */
export function createSubDispatcher(options: SubDispatcherOptions): SubDispatcher {
  return new Dispatcher(options);
}

/** What one batch's answers came with: which prompts were sent, and the files each carried. */
interface Answered {
  results: string[];
  /** Indexes of prompts that made a call of their own; undefined without a cache (all did). */
  sent?: Set<number>;
  /** Files recorded for each prompt answered during the batch. */
  seen: Map<string, string[]>;
}

class Dispatcher implements SubDispatcher {
  readonly stats: SubStats = {
    requested: 0,
    done: 0,
    calls: 0,
    errors: 0,
    cacheHits: 0,
    cacheMisses: 0,
    budgetSkipped: 0,
    cancelled: 0,
    truncated: 0,
  };
  readonly records: SubCallRecord[] = [];
  #options: SubDispatcherOptions;
  #call: SubCallSettings;
  /**
   * One limit for the whole run: concurrent llm_batch calls and parallel llm_query calls
   * (`Promise.all(paths.map(llm_query))`) share the same `concurrency` slots, first come first
   * served.
   */
  #slots: Slots;
  #concurrency: number;
  #notices = 0;

  constructor(options: SubDispatcherOptions) {
    this.#options = options;
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
    this.#slots = new Slots(this.#concurrency);
    this.#call = {
      client: options.client,
      spend: options.spend,
      system: options.system ?? SUB_SYSTEM_PROMPT,
      maxTokens: options.maxTokens ?? SUB_MAX_TOKENS,
      effort: options.effort,
      rules: options.rules,
      rootReserve: options.rootReserve,
      stats: this.stats,
    };
  }

  takeNotices(): number {
    const n = this.#notices;
    this.#notices = 0;
    return n;
  }

  #changed(batchDone = false): void {
    this.#options.onChange?.(this.stats, batchDone);
  }

  /** The REPL's sub-query handler: answers in prompt order, records each call. */
  handle: SubQueryHandler = async (prompts, callSignal) => {
    const signal = AbortSignal.any([this.#options.signal, callSignal]);
    const texts = prompts.map((p) => typeof p === "string" ? p : String(p));
    this.stats.requested += texts.length;
    this.#changed();
    const skippedBefore = this.stats.budgetSkipped;
    const answered = this.#options.batch
      ? await this.#throughCache(this.#options.batch, texts, signal)
      : { results: await this.#sendAll(texts, signal, new Map()), seen: new Map() };
    await this.#record(texts, answered);
    if (this.stats.budgetSkipped > skippedBefore) {
      this.#notices += this.stats.budgetSkipped - skippedBefore;
    }
    this.#changed(true);
    return answered.results;
  };

  /** Answers through the cache: only misses are sent, each distinct prompt once. */
  async #throughCache(
    batch: BatchThroughCache,
    texts: string[],
    signal: AbortSignal,
  ): Promise<Answered> {
    const seen = new Map<string, string[]>();
    const missed: string[] = [];
    const out = await batch(texts, (misses, onResult) => {
      missed.push(...misses);
      return this.#sendAll(misses, signal, seen, onResult);
    });
    this.stats.cacheHits += out.hits;
    this.stats.cacheMisses += out.misses;
    // Hits and in-batch repeats were answered without a call of their own.
    this.stats.done += texts.length - missed.length;
    const missCount = new Map<string, number>();
    for (const m of missed) missCount.set(m, (missCount.get(m) ?? 0) + 1);
    const sent = new Set<number>();
    texts.forEach((t, i) => {
      const n = missCount.get(t) ?? 0;
      if (n > 0) {
        sent.add(i);
        missCount.set(t, n - 1);
      }
    });
    this.#changed();
    return { results: out.results, sent, seen };
  }

  /**
   * Sends prompts with at most `concurrency` in flight; answers in prompt order. Each answered
   * prompt's files are recorded as it arrives (into `seen`), so the progress line's file count
   * moves during a long batch instead of jumping at its end.
   */
  async #sendAll(
    prompts: string[],
    signal: AbortSignal,
    seen: Map<string, string[]>,
    onResult?: (index: number, result: string) => void,
  ): Promise<string[]> {
    const results = new Array<string>(prompts.length);
    let next = 0;
    const worker = async () => {
      while (next < prompts.length) {
        const i = next++;
        results[i] = await this.#slots.run(() => sendSubCall(this.#call, prompts[i], signal));
        onResult?.(i, results[i]);
        if (!results[i].startsWith("[ERROR") && !seen.has(prompts[i])) {
          // Sliced: a long prompt's scan lets timers, timeouts and Ctrl-C run.
          seen.set(prompts[i], await this.#options.coverage.recordSliced(prompts[i]));
        }
        this.stats.done++;
        this.#changed();
      }
    };
    const workers = Math.min(this.#concurrency, prompts.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return results;
  }

  /** One record per prompt, in order; failures counted (their prompts are not scanned). */
  async #record(texts: string[], { results, sent, seen }: Answered): Promise<void> {
    const coverage = this.#options.coverage;
    const turn = this.#options.turn();
    // Files first (a sliced scan may wait), then the records in one go, so concurrent batches'
    // records do not interleave.
    const files: string[][] = [];
    for (const [i, result] of results.entries()) {
      files.push(
        result.startsWith("[ERROR")
          ? []
          : seen.get(texts[i]) ?? await coverage.recordSliced(texts[i]),
      );
    }
    results.forEach((result, i) => {
      const error = result.startsWith("[ERROR");
      if (result === CANCELLED_TEXT) this.stats.cancelled++;
      else if (error && result !== BUDGET_SKIP_TEXT) this.stats.errors++;
      const prompt = texts[i];
      this.records.push({
        turn,
        promptChars: prompt.length,
        promptHead: prompt.slice(0, 300),
        files: files[i],
        result,
        cached: sent ? !sent.has(i) : false,
        error,
      });
    });
  }
}
