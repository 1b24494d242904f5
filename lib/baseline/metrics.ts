/**
 * The baseline metrics object (keys per CONTRACT.md, plus `complete`, cache and failure fields).
 *
 * @module
 */
import type { Usage } from "../providers/mod.ts";
import type { BaselineCallResult } from "./run.ts";
import type { BaselinePrompt } from "./prompt.ts";

/** Input of {@linkcode baselineMetrics}. */
export interface BaselineMetricsInput {
  /** What the user asked for: a path or git URL. */
  repo: string;
  /** Model label as shown to users (e.g. `anthropic:claude-opus-4-6`). */
  rootModel: string;
  /** Files in the snapshot (`metadata.total_files`). */
  filesTotal: number;
  maxChars: number;
  /** Output limit the request carried. */
  maxOutputTokens: number;
  prompt: BaselinePrompt;
  result: BaselineCallResult;
  /** Cost of `result.usage` in USD (from the providers' pricing). */
  cost: number;
  /** When the call failed: one line saying why. */
  error?: string;
}

/**
 * Builds the metrics object written to `baseline_<name>_<ts>_metrics.json`.
 *
 * @param input Prompt ledger, call result and cost.
 * @returns A plain JSON-ready object.
 */
export function baselineMetrics(input: BaselineMetricsInput): Record<string, unknown> {
  const u: Usage = input.result.usage;
  const metrics: Record<string, unknown> = {
    mode: "baseline",
    repo: input.repo,
    root_model: input.rootModel,
    complete: input.result.complete,
    root_calls: input.result.calls,
    root_input_tokens: u.inputTokens,
    root_output_tokens: u.outputTokens,
    root_reasoning_tokens: u.reasoningTokens ?? 0,
    root_cache_read_tokens: u.cacheReadTokens ?? 0,
    root_cache_write_tokens: u.cacheWriteTokens ?? 0,
    root_cost: input.cost,
    total_cost: input.cost,
    files_total: input.filesTotal,
    included_files: input.prompt.included.length,
    excluded_files: input.prompt.excluded.length,
    excluded_paths: input.prompt.excluded,
    unavailable_paths: input.prompt.unavailable.map((u) => u.path),
    prompt_chars: input.prompt.chars,
    max_chars: input.maxChars,
    max_output_tokens: input.maxOutputTokens,
    elapsed_seconds: Math.round(input.result.elapsedSeconds * 1000) / 1000,
    analysis_chars: input.result.analysis.length,
  };
  if (input.result.stopReason) metrics.stop_reason = input.result.stopReason;
  if (input.error) metrics.error = input.error;
  return metrics;
}
