/**
 * The spend ledger: token and dollar totals for root and sub-model calls, and the budget rules
 * of `--max-cost` (project the next step, reserve before sending, stop before overspending).
 *
 * @module
 */
import type { Pricing, Usage } from "../providers/mod.ts";
import { estimateTokens } from "./tokens.ts";
import type { CostFn } from "./types.ts";

export type { CostFn } from "./types.ts";

/** Running totals for one side (root or sub). */
export interface SideTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  /** Thinking / reasoning tokens (already counted in `outputTokens`). */
  reasoningTokens: number;
  /** Largest output seen, used to project the next call. */
  maxOutputTokens: number;
}

function emptyTotals(): SideTotals {
  return {
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    reasoningTokens: 0,
    maxOutputTokens: 0,
  };
}

/** What the ledger needs to know. */
export interface SpendOptions {
  rootCost: CostFn;
  subCost: CostFn;
  /** `--max-cost` in USD; undefined means no limit. */
  budgetUsd?: number;
  /** The root model thinks (its rules say `budget` or `adaptive`). @default false */
  rootThinks?: boolean;
  /** The sub-model thinks. @default false */
  subThinks?: boolean;
}

/** Output tokens assumed for a sub call before any has been seen. */
const DEFAULT_SUB_OUTPUT = 1024;
/** Output tokens assumed for a root turn before any has been seen. */
const DEFAULT_ROOT_OUTPUT = 2048;

/**
 * Thinking tokens assumed on top of the output above, before any call of a thinking model has
 * been seen (billed as output). Once one has, the largest real output (thinking included) is
 * used instead. See docs/COSTS.md for how far the projection was off on the fake.
 */
export const THINKING_ASSUMED = { root: 4096, sub: 1024 } as const;

/**
 * Tracks spend and applies the budget. Sub calls reserve their projected cost before they are
 * sent (so parallel calls cannot all slip past the limit together) and settle with the real cost.
 */
export class SpendLedger {
  readonly root: SideTotals = emptyTotals();
  readonly sub: SideTotals = emptyTotals();
  readonly budgetUsd?: number;
  #reserved = 0;
  #opts: SpendOptions;
  /** Prompt tokens of the last root request, to project the next one. */
  #lastRootPromptTokens = 0;
  /** Cost of the last root call: the next turn's prompt is longer, so rarely cheaper. */
  #lastRootCost = 0;

  constructor(options: SpendOptions) {
    this.#opts = options;
    this.budgetUsd = options.budgetUsd;
  }

  /** Dollars spent so far (settled calls only). */
  get spentUsd(): number {
    return this.root.costUsd + this.sub.costUsd;
  }

  /** Dollars left before the budget (Infinity without one); reservations count as spent. */
  get remainingUsd(): number {
    if (this.budgetUsd === undefined) return Infinity;
    return this.budgetUsd - this.spentUsd - this.#reserved;
  }

  /** True once settled spend has reached the budget. */
  get exhausted(): boolean {
    return this.budgetUsd !== undefined && this.spentUsd >= this.budgetUsd;
  }

  /** Records a root response; returns its cost. */
  addRoot(usage: Usage): number {
    const cost = this.#opts.rootCost(usage);
    add(this.root, usage, cost);
    this.#lastRootPromptTokens = usage.inputTokens + (usage.cacheReadTokens ?? 0) +
      (usage.cacheWriteTokens ?? 0);
    this.#lastRootCost = cost;
    return cost;
  }

  /** Records a sub response; returns its cost. */
  addSub(usage: Usage): number {
    const cost = this.#opts.subCost(usage);
    add(this.sub, usage, cost);
    return cost;
  }

  /**
   * Projected cost of one sub call for a prompt of `chars` characters (system included).
   *
   * @param outputTokens Output to assume. @default the largest seen, or the first-call guess
   */
  projectSub(chars: number, outputTokens?: number): number {
    const thinks = this.#opts.subThinks;
    const guess = DEFAULT_SUB_OUTPUT + (thinks ? THINKING_ASSUMED.sub : 0);
    const seen = thinks ? Math.max(this.sub.maxOutputTokens, guess) : this.sub.maxOutputTokens;
    return this.#opts.subCost({
      inputTokens: estimateTokens(chars),
      outputTokens: outputTokens ?? (seen || guess),
    });
  }

  /**
   * Projected cost of the next root turn.
   *
   * @param newChars Characters added to the conversation since the last root call (or the
   *   whole prompt before the first call).
   * @param promptCache Whether the prefix will be read from the provider's cache.
   * @returns The projection, and never less than the last root call cost: a provider that
   *   caches less than assumed (or not at all) must not make the budget slip.
   */
  projectRoot(newChars: number, promptCache: boolean): number {
    const fresh = estimateTokens(newChars);
    const prefix = this.#lastRootPromptTokens + this.root.maxOutputTokens;
    // A model that thinks varies a lot from turn to turn: never project below the assumption.
    const thinks = this.#opts.rootThinks;
    const guess = DEFAULT_ROOT_OUTPUT + (thinks ? THINKING_ASSUMED.root : 0);
    const outputTokens = thinks
      ? Math.max(this.root.maxOutputTokens, guess)
      : this.root.maxOutputTokens || guess;
    // With caching on, the new text is written to the cache (at the write price) and the
    // earlier prefix is read from it; the very first turn writes everything.
    const usage: Usage = promptCache
      ? { inputTokens: 0, cacheReadTokens: prefix, cacheWriteTokens: fresh, outputTokens }
      : { inputTokens: prefix + fresh, outputTokens };
    return Math.max(this.#opts.rootCost(usage), this.#lastRootCost);
  }

  /**
   * Reserves `amount` (plus `keep`, which must stay free, e.g. for a final root turn) if it fits
   * in the budget. Always succeeds without a budget.
   */
  tryReserve(amount: number, keep = 0): boolean {
    if (this.budgetUsd === undefined) return true;
    if (this.spentUsd + this.#reserved + amount + keep > this.budgetUsd) return false;
    this.#reserved += amount;
    return true;
  }

  /** Releases a reservation made by {@linkcode tryReserve}. */
  release(amount: number): void {
    if (this.budgetUsd === undefined) return;
    this.#reserved = Math.max(0, this.#reserved - amount);
  }
}

function add(t: SideTotals, usage: Usage, cost: number): void {
  t.calls++;
  t.inputTokens += usage.inputTokens;
  t.outputTokens += usage.outputTokens;
  t.cacheReadTokens += usage.cacheReadTokens ?? 0;
  t.cacheWriteTokens += usage.cacheWriteTokens ?? 0;
  t.costUsd += cost;
  t.reasoningTokens += usage.reasoningTokens ?? 0;
  t.maxOutputTokens = Math.max(t.maxOutputTokens, usage.outputTokens);
}

/**
 * Dollars saved by prompt caching: cache reads priced at input instead of `cacheRead`, minus
 * the surcharge of cache writes over plain input.
 *
 * @example
 * ```ts
 * // 100k read at $0.30 instead of $3, 10k written at $3.75 instead of $3 → 0.27 − 0.0075
 * import assert from "node:assert/strict";
 * const saved = cacheSavingsUsd({ cacheReadTokens: 100_000, cacheWriteTokens: 10_000 }, {
 *   input: 3,
 *   output: 15,
 *   cacheRead: 0.3,
 *   cacheWrite: 3.75,
 * });
 * assert.equal(saved.toFixed(4), "0.2625");
 * ```
 */
export function cacheSavingsUsd(
  t: { cacheReadTokens: number; cacheWriteTokens: number },
  pricing: Pricing,
): number {
  const read = pricing.cacheRead ?? pricing.input;
  const write = pricing.cacheWrite ?? pricing.input;
  return (t.cacheReadTokens * (pricing.input - read) -
    t.cacheWriteTokens * (write - pricing.input)) /
    1e6;
}

/**
 * Reference cost arithmetic (USD per 1M tokens; provider-reported `costUsd` wins). The CLI uses
 * the providers' `costOf`; tests and benchmarks use this to check numbers independently.
 */
export function priceUsage(usage: Usage, pricing: Pricing): number {
  if (usage.costUsd !== undefined) return usage.costUsd;
  return (usage.inputTokens * pricing.input + usage.outputTokens * pricing.output +
    (usage.cacheReadTokens ?? 0) * (pricing.cacheRead ?? pricing.input) +
    (usage.cacheWriteTokens ?? 0) * (pricing.cacheWrite ?? pricing.input)) / 1e6;
}
