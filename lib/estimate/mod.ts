/**
 * Cost and token estimates made before any model is called (`--dry-run`).
 *
 * @module
 */
export { ANALYZE_ASSUMPTIONS, BASELINE_ASSUMPTIONS } from "./assumptions.ts";
export {
  type AnalyzeEstimate,
  type AnalyzeEstimateInput,
  estimateAnalyze,
  rootTurns,
  type RootTurnsEstimate,
} from "./analyze_estimate.ts";
export {
  type BaselineEstimate,
  type BaselineEstimateInput,
  type BaselineOutputLimit,
  baselineOutputLimit,
  type BaselineReserve,
  baselineReserve,
  estimateBaseline,
} from "./baseline_estimate.ts";
export { type EstimateModel, type Range, roundUsd } from "./range.ts";
export {
  approximateCounter,
  openAiEncodingFor,
  type TokenCounter,
  tokenCounterFor,
} from "./tokens.ts";
