/**
 * The one place where a response's token usage becomes dollars.
 *
 * Plugins normalize usage before it gets here: `inputTokens` never includes cache reads or
 * writes (Anthropic's `input_tokens` already excludes them; an OpenAI-compatible plugin
 * subtracts `cached_tokens` from `prompt_tokens`), so every token is priced exactly once.
 *
 * @module
 */
import type { PriceTier, Pricing, Usage } from "./types.ts";

/** Price used for a model that no plugin prices: $1.00 per 1M input and output tokens. */
export const UNKNOWN_PRICING: Readonly<Pricing> = Object.freeze({ input: 1, output: 1 });

/**
 * Cost of one response in USD.
 *
 * Uses the provider's own figure (`usage.costUsd`, e.g. OpenRouter's `usage.cost`) when present;
 * otherwise prices each token kind per 1M tokens, cache reads and writes at `cacheRead` /
 * `cacheWrite` (each defaulting to the input price). When the prompt (input + cache read + cache
 * write tokens) exceeds a tier's `aboveTokens`, the whole call is priced at the highest such
 * tier (see {@linkcode pricesFor}).
 *
 * @param usage Normalized usage of one response.
 * @param pricing The model's price in USD per 1M tokens.
 * @returns Cost in USD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Sonnet-like pricing: 3 in, 15 out, 0.30 cache read, 3.75 cache write.
 * const usd = costOf(
 *   { inputTokens: 1_000, outputTokens: 500, cacheReadTokens: 10_000, cacheWriteTokens: 2_000 },
 *   { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
 * );
 * // = (1000*3 + 500*15 + 10000*0.3 + 2000*3.75) / 1e6 = 0.021
 * assert.equal(usd.toFixed(6), "0.021000");
 * ```
 */
export function costOf(usage: Usage, pricing: Pricing): number {
  if (typeof usage.costUsd === "number" && Number.isFinite(usage.costUsd)) return usage.costUsd;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const prices = pricesFor(usage.inputTokens + cacheRead + cacheWrite, pricing);
  const perMillion = usage.inputTokens * prices.input +
    usage.outputTokens * prices.output +
    cacheRead * (prices.cacheRead ?? prices.input) +
    cacheWrite * (prices.cacheWrite ?? prices.input);
  return perMillion / 1_000_000;
}

/**
 * The prices that apply to a call with a prompt of `promptTokens` (input + cache read + cache
 * write): the highest tier whose `aboveTokens` it exceeds, else the base prices. A tier's cache
 * prices default to that tier's input price.
 *
 * @param promptTokens The call's whole prompt in tokens.
 * @param pricing The model's price, with optional tiers.
 * @returns Flat prices (no tiers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * // Haiku 5.5: 0.10/0.50 up to 100K prompt tokens, 0.50/2.50 above.
 * const haiku = { input: 0.1, output: 0.5, tiers: [{ aboveTokens: 100_000, input: 0.5, output: 2.5 }] };
 * assert.equal(pricesFor(100_000, haiku).input, 0.1);
 * assert.equal(pricesFor(100_001, haiku).input, 0.5);
 * ```
 */
export function pricesFor(promptTokens: number, pricing: Pricing): Omit<Pricing, "tiers"> {
  let tier: PriceTier | undefined;
  for (const candidate of pricing.tiers ?? []) {
    if (promptTokens > candidate.aboveTokens) {
      if (!tier || candidate.aboveTokens > tier.aboveTokens) tier = candidate;
    }
  }
  if (!tier) {
    const { tiers: _tiers, ...flat } = pricing;
    return flat;
  }
  return {
    input: tier.input,
    output: tier.output,
    cacheRead: tier.cacheRead ?? tier.input,
    cacheWrite: tier.cacheWrite ?? tier.input,
  };
}
