/**
 * The numbers behind every cost estimate, in one place so docs/COSTS.md and the dry-run output
 * can quote them. They come from the deeprepo benchmark runs (FastAPI, 47 files: analyze took
 * 3 turns, root output ~7k tokens a turn including the final report, sub-models saw about half
 * of the code; the Opus baseline answered in ~3.6k tokens).
 *
 * @module
 */

/** Assumptions of the analyze estimate. */
export const ANALYZE_ASSUMPTIONS = {
  /** Turns of a short run (the benchmark finished in 3). Capped at `--max-turns`. */
  turnsLow: 3,
  /** Turns of a long run. Capped at `--max-turns`. */
  turnsHigh: 8,
  /** Root output per turn: reasoning plus the code it runs. */
  rootOutputPerTurn: 1_500,
  /** Root output of the final turn's report (about 24,000 characters of Markdown). */
  finalReportTokens: 6_000,
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
} as const;

/** Assumptions of the baseline estimate. */
export const BASELINE_ASSUMPTIONS = {
  /** A typical single-call report (the benchmark: 3,633 tokens). */
  typicalOutputTokens: 4_000,
  /** The call's output limit. */
  maxOutputTokens: 16_384,
} as const;
