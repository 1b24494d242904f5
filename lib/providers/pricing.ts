/**
 * The one place where a response's token usage becomes dollars.
 *
 * Plugins normalize usage before it gets here: `inputTokens` never includes cache reads or
 * writes (Anthropic's `input_tokens` already excludes them; an OpenAI-compatible plugin
 * subtracts `cached_tokens` from `prompt_tokens`), so every token is priced exactly once.
 *
 * @module
 */
import type { Pricing, Usage } from "./types.ts";

/** Price used for a model that no plugin prices: $1.00 per 1M input and output tokens. */
export const UNKNOWN_PRICING: Readonly<Pricing> = Object.freeze({ input: 1, output: 1 });

/**
 * Cost of one response in USD.
 *
 * Uses the provider's own figure (`usage.costUsd`, e.g. OpenRouter's `usage.cost`) when present;
 * otherwise prices each token kind per 1M tokens, cache reads and writes at `cacheRead` /
 * `cacheWrite` (each defaulting to the input price).
 *
 * @param usage Normalized usage of one response.
 * @param pricing The model's price in USD per 1M tokens.
 * @returns Cost in USD.
 *
 * @example
 * ```ts
 * // Sonnet-like pricing: 3 in, 15 out, 0.30 cache read, 3.75 cache write.
 * costOf({ inputTokens: 1_000, outputTokens: 500, cacheReadTokens: 10_000, cacheWriteTokens: 2_000 },
 *   { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
 * // = (1000*3 + 500*15 + 10000*0.3 + 2000*3.75) / 1e6 = 0.021
 * ```
 */
export function costOf(usage: Usage, pricing: Pricing): number {
  if (typeof usage.costUsd === "number" && Number.isFinite(usage.costUsd)) return usage.costUsd;
  const perMillion = usage.inputTokens * pricing.input +
    usage.outputTokens * pricing.output +
    (usage.cacheReadTokens ?? 0) * (pricing.cacheRead ?? pricing.input) +
    (usage.cacheWriteTokens ?? 0) * (pricing.cacheWrite ?? pricing.input);
  return perMillion / 1_000_000;
}
