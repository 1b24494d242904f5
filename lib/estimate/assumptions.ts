/**
 * The numbers behind every cost estimate, in one place so docs/COSTS.md and the dry-run output
 * can quote them. They are calibrated on the published deeprepo benchmark (FastAPI, 47 files:
 * analyze took 3 turns with 36k root input and 21.8k root output tokens, its 13 sub-model calls
 * took 24k input and 14.7k output tokens, about half of the code; the Opus baseline answered
 * in 3.6k tokens), so that run falls inside the estimated range.
 *
 * @module
 */

/** Assumptions of the analyze estimate. */
export const ANALYZE_ASSUMPTIONS = {
  /** Turns of a short run (the benchmark finished in 3). Capped at `--max-turns`. */
  turnsLow: 3,
  /** Turns of a long run. Capped at `--max-turns`. */
  turnsHigh: 8,
  /** Root output per turn: reasoning plus the code it runs (prompts for sub-models included). */
  rootOutputPerTurn: 3_000,
  /** Root output of the final report (about 30,000 characters of Markdown). */
  finalReportTokens: 8_000,
  /** What one execution returns to the conversation (output is cut at 8,192 chars ≈ 2,300). */
  toolResultPerTurn: 1_500,
  /** Sub-model prompts wrap file content in instructions: input = content × this. */
  subPromptOverhead: 1.15,
  /** Sub-model answers are summaries: output = dispatched content × this. */
  subOutputRatio: 0.3,
  /** Share of the loaded content the root dispatches, low end (the benchmark: about half). */
  subCoverageLow: 0.5,
  /** Share of the loaded content the root dispatches, high end (every file once). */
  subCoverageHigh: 1.0,
  /**
   * Thinking tokens per root turn of a model that thinks (rules `budget`/`adaptive`), billed as
   * output. The engine projects `--max-cost` with the same figure before its first reply.
   */
  rootThinkingPerTurn: 4_096,
  /** Thinking tokens per sub-model call of a model that thinks (one call per file dispatched). */
  subThinkingPerCall: 1_024,
} as const;

/** Assumptions of the baseline estimate. */
export const BASELINE_ASSUMPTIONS = {
  /** A typical single-call report (the benchmark: 3,633 tokens). */
  typicalOutputTokens: 4_000,
  /** Thinking tokens of a model that thinks, on top of the typical report (billed as output). */
  typicalThinkingTokens: 4_096,
  /** The call's output limit. */
  maxOutputTokens: 16_384,
  /**
   * The least output the baseline asks for when a small context window leaves less than the
   * limit: below this a report cannot be written, so the call goes out with it and a warning.
   */
  minOutputTokens: 1_024,
  /**
   * Characters per token when `compare --max-cost` reserves the baseline's worst case and no
   * real tokenizer fits: 3.5, not the estimate's 4, so a provider count up to ~15% higher than
   * the approximation still fits the reserve (the engine projects at the same ratio).
   */
  reserveCharsPerToken: 3.5,
} as const;
