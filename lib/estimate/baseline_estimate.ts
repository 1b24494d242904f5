/**
 * Cost of a `baseline` run: the input is known exactly (one call, prompt built in advance);
 * only the length of the answer is a guess.
 *
 * @module
 */
import { costOf } from "../providers/mod.ts";
import { BASELINE_ASSUMPTIONS as B } from "./assumptions.ts";
import { type EstimateModel, type Range, roundUsd } from "./range.ts";
import type { TokenCounter } from "./tokens.ts";

const fmt = (n: number) => n.toLocaleString("en-US");

/** Input of {@linkcode estimateBaseline}. */
export interface BaselineEstimateInput {
  model: EstimateModel;
  counter: TokenCounter;
  system: string;
  /** The user message exactly as it would be sent. */
  user: string;
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
  const assumptions = [
    `input: system prompt + user message, counted by ${input.counter.name}` +
    (input.counter.exact ? "" : " (an approximation: the provider's count will differ a little)"),
    `output: ${fmt(B.typicalOutputTokens)} tokens (low, a typical report) to ` +
    `${fmt(B.maxOutputTokens)} (high, the output limit)`,
  ];
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
    outputTokens: { low: B.typicalOutputTokens, high: B.maxOutputTokens },
    cost: { low: roundUsd(price(B.typicalOutputTokens)), high: roundUsd(price(B.maxOutputTokens)) },
    assumptions,
  };
}
