/**
 * Shared shapes of estimates.
 *
 * @module
 */
import type { ModelRules, Pricing } from "../providers/mod.ts";

/** A low and a high figure. */
export interface Range {
  low: number;
  high: number;
}

/** What an estimate needs to know about a model: a resolved model satisfies it. */
export interface EstimateModel {
  provider: string;
  id: string;
  label: string;
  pricing: Pricing;
  /** False when the plugin listed no price and the $1/$1 fallback applies. */
  pricingKnown: boolean;
  /** The model's rules; a model that thinks (`budget`/`adaptive`) is estimated with thinking. */
  rules?: ModelRules;
}

/** Whether an estimate counts thinking tokens for the model. */
export function estimateThinks(model: EstimateModel): boolean {
  const thinking = model.rules?.thinking;
  return thinking === "budget" || thinking === "adaptive";
}

/** Rounds a dollar figure to 1/10,000 of a cent for stable JSON. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
