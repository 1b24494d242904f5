/**
 * Cost of a `baseline` run: the input is known exactly (one call, prompt built in advance);
 * only the length of the answer is a guess.
 *
 * @module
 */
import { costOf } from "../providers/mod.ts";
import { BASELINE_ASSUMPTIONS as B } from "./assumptions.ts";
import { type EstimateModel, estimateThinks, type Range, roundUsd } from "./range.ts";
import type { TokenCounter } from "./tokens.ts";
import { formatInt } from "../format.ts";

const fmt = formatInt;

/** Input of {@linkcode estimateBaseline}. */
export interface BaselineEstimateInput {
  model: EstimateModel;
  counter: TokenCounter;
  system: string;
  /** The user message exactly as it would be sent. */
  user: string;
  /** The model's context window in tokens, when its plugin lists one. */
  contextWindow?: number;
}

/** The estimate of a baseline run. */
export interface BaselineEstimate {
  rootModel: string;
  tokenizer: string;
  /** True when the token count comes from the model family's own tokenizer. */
  exactTokens: boolean;
  pricingKnown: boolean;
  inputTokens: number;
  inputCost: number;
  outputTokens: Range;
  /** Low: a typical answer; high: the full output limit. */
  cost: Range;
  /** The model's context window, when known. */
  contextWindow: number | null;
  /**
   * False when the context window cannot hold the prompt and even the smallest answer the
   * baseline asks for; null when the window is unknown.
   */
  fitsContext: boolean | null;
  assumptions: string[];
}

/**
 * Estimates a baseline call: input tokens of system prompt plus user message, priced exactly;
 * output between a typical report and the limit.
 *
 * @param input Model, counter, and the two prompt texts.
 * @returns Token counts and dollar figures.
 *
 * @example
 * ```ts ignore
 * const e = estimateBaseline({ model, counter, system: BASELINE_SYSTEM_PROMPT, user: prompt.text });
 * console.log(e.inputCost, e.cost.high);
 * ```
 */
export function estimateBaseline(input: BaselineEstimateInput): BaselineEstimate {
  const inputTokens = input.counter.count(input.system) + input.counter.count(input.user);
  const price = (outputTokens: number) =>
    costOf({ inputTokens, outputTokens }, input.model.pricing);
  const limit = baselineOutputLimit(input);
  const thinking = estimateThinks(input.model) ? B.typicalThinkingTokens : 0;
  const low = Math.min(B.typicalOutputTokens + thinking, limit.maxTokens);
  const assumptions = [
    `input: system prompt + user message, counted by ${input.counter.name}` +
    (input.counter.exact ? "" : " (an approximation: the provider's count will differ a little)"),
    `output: ${fmt(low)} tokens (low, a typical report` +
    (thinking ? ` with ~${fmt(thinking)} thinking tokens, billed as output` : "") +
    `) to ${fmt(limit.maxTokens)} (high, the output limit, thinking included)`,
  ];
  const fitsContext = input.contextWindow ? limit.fits : null;
  if (limit.maxTokens < B.maxOutputTokens && limit.fits) {
    assumptions.push(
      `output limited to ${fmt(limit.maxTokens)} tokens so the prompt fits the ` +
        `${fmt(input.contextWindow!)}-token context window; lower --max-chars for a longer answer`,
    );
  }
  if (fitsContext === false) {
    assumptions.push(
      `the prompt (~${fmt(inputTokens)} tokens) leaves less than ${fmt(B.minOutputTokens)} ` +
        `tokens for the answer in the ${fmt(input.contextWindow!)}-token context window: ` +
        "lower --max-chars",
    );
  }
  if (!input.model.pricingKnown) {
    assumptions.push(`no listed price for ${input.model.label}; $1.00/$1.00 per 1M tokens assumed`);
  }
  return {
    rootModel: input.model.label,
    tokenizer: input.counter.name,
    exactTokens: input.counter.exact,
    pricingKnown: input.model.pricingKnown,
    inputTokens,
    inputCost: roundUsd(costOf({ inputTokens, outputTokens: 0 }, input.model.pricing)),
    outputTokens: { low, high: limit.maxTokens },
    cost: { low: roundUsd(price(low)), high: roundUsd(price(limit.maxTokens)) },
    contextWindow: input.contextWindow ?? null,
    fitsContext,
    assumptions,
  };
}

/** What `compare --max-cost` sets aside for the baseline call. */
export interface BaselineReserve {
  /** Dollars: the input at the model's price plus the whole output limit. */
  usd: number;
  /** Input tokens counted on the safe side (see {@linkcode BASELINE_ASSUMPTIONS}). */
  inputTokens: number;
  /** The call's output limit. */
  outputTokens: number;
}

/**
 * The most the baseline call can cost: its input (counted by the model's own tokenizer, or at a
 * cautious 3.5 characters per token when only the approximation fits) plus its whole output
 * limit ({@linkcode baselineOutputLimit}), at the model's uncached prices. `compare --max-cost` reserves this before analyze runs,
 * so the two sides together stay within the budget.
 *
 * @param input Model, counter, and the two prompt texts.
 * @returns The reserve in dollars and the token counts behind it.
 *
 * @example
 * ```ts ignore
 * const reserve = baselineReserve({ model, counter, system: BASELINE_SYSTEM_PROMPT, user });
 * const analyzeBudget = maxCost - reserve.usd;
 * ```
 */
export function baselineReserve(input: BaselineEstimateInput): BaselineReserve {
  const inputTokens = cautiousInputTokens(input);
  const outputTokens = baselineOutputLimit(input).maxTokens;
  const usd = costOf({ inputTokens, outputTokens }, input.model.pricing);
  // Rounded up, so the reserve never falls short by a fraction of a cent.
  return { usd: Math.ceil(usd * 1e6) / 1e6, inputTokens, outputTokens };
}

/** The output limit of a baseline call, from {@linkcode baselineOutputLimit}. */
export interface BaselineOutputLimit {
  /** `max_tokens` of the request. */
  maxTokens: number;
  /** False when the context window cannot hold the prompt plus `maxTokens`. */
  fits: boolean;
  /** The prompt's tokens as counted for the limit (on the safe side). */
  inputTokens: number;
}

/**
 * How many output tokens the baseline asks for: the 16,384-token limit, or what the model's
 * context window leaves after the prompt when that is less (providers reject a request whose
 * prompt plus `max_tokens` exceeds the window), but never under 1,024. The prompt is counted on
 * the safe side (see {@linkcode baselineReserve}).
 *
 * @param input Model, counter, prompt texts and context window.
 * @returns The limit and whether the request fits the window.
 *
 * @example
 * ```ts ignore
 * const { maxTokens, fits } = baselineOutputLimit({ model, counter, system, user, contextWindow });
 * ```
 */
export function baselineOutputLimit(input: BaselineEstimateInput): BaselineOutputLimit {
  const inputTokens = cautiousInputTokens(input);
  if (!input.contextWindow) return { maxTokens: B.maxOutputTokens, fits: true, inputTokens };
  const room = input.contextWindow - inputTokens;
  const maxTokens = Math.max(B.minOutputTokens, Math.min(B.maxOutputTokens, room));
  return { maxTokens, fits: room >= maxTokens, inputTokens };
}

/** Prompt tokens by the model's own tokenizer, else at a cautious 3.5 characters per token. */
function cautiousInputTokens(input: BaselineEstimateInput): number {
  const count = (text: string) =>
    input.counter.exact
      ? input.counter.count(text)
      : Math.ceil(text.length / B.reserveCharsPerToken);
  return count(input.system) + count(input.user);
}
