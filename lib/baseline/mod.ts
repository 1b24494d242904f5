/**
 * The baseline: one call to one model with as much code as fits, for comparison with the RLM.
 *
 * @module
 */
export {
  BASELINE_SYSTEM_PROMPT,
  baselineOrder,
  type BaselinePrompt,
  type BaselinePromptOptions,
  buildBaselinePrompt,
  DEFAULT_MAX_CHARS,
} from "./prompt.ts";
export {
  BASELINE_MAX_TOKENS,
  type BaselineCallInput,
  type BaselineCallResult,
  runBaseline,
} from "./run.ts";
export { baselineMetrics, type BaselineMetricsInput } from "./metrics.ts";
export { type BaselineReportInput, renderBaselineReport } from "./report.ts";
export {
  baselineColumn,
  type CompareBudget,
  type CompareColumn,
  type CompareJson,
  compareJson,
  type CompareSide,
  renderCompareTable,
  rlmColumn,
} from "./compare_table.ts";
