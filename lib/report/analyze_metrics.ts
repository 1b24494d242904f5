/**
 * The analyze metrics object (`deeprepo_<name>_<ts>_metrics.json`): every key the contract
 * lists, plus budget and engine facts.
 *
 * @module
 */
import type { AnalysisResult } from "../engine/types.ts";
import { cacheSavingsUsd } from "../engine/spend.ts";
import type { Pricing } from "../providers/mod.ts";

/** Run facts the engine result does not carry. */
export interface AnalyzeRunInfo {
  repo: string;
  /** Resolved labels, e.g. `anthropic:claude-sonnet-4-5`. */
  rootModel: string;
  subModel: string;
  rootPricing: Pricing;
  /** Files in `codebase` (loaded, including too-large and unreadable placeholders). */
  filesTotal: number;
  /** Secrets masked by the loader, rule → count; `null` with `--no-redact`. */
  secretsRedacted?: Record<string, number> | null;
  /** Retries reported by the provider clients. */
  retries: number;
  budgetUsd?: number;
  promptCache: boolean;
  concurrency: number;
  maxTurns: number;
  /** The effort sent to the root / sub model (undefined: none asked, or not accepted). */
  effort?: string;
  subEffort?: string;
}

/** Rounds dollars to 6 decimals (a millionth of a dollar) for stable JSON. */
export function roundUsd(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/**
 * Builds the metrics object of an analyze run.
 *
 * @param result The engine's result.
 * @param info Run facts.
 * @returns A JSON-ready object; costs in USD.
 */
export function analyzeMetrics(
  result: AnalysisResult,
  info: AnalyzeRunInfo,
): Record<string, unknown> {
  const { root, sub } = result.spend;
  const total = root.costUsd + sub.costUsd;
  const covered = result.coverage.covered.size;
  const overheads = result.turns.map((t) => t.hostOverheadMs);
  return {
    mode: "rlm",
    repo: info.repo,
    root_model: info.rootModel,
    sub_model: info.subModel,
    complete: result.complete,
    stop_reason: result.stopReason,
    ...(result.error ? { error: result.error } : {}),
    turns: result.turns.length,
    root_calls: root.calls,
    sub_calls: sub.calls,
    root_input_tokens: root.inputTokens,
    root_output_tokens: root.outputTokens,
    root_cache_read_tokens: root.cacheReadTokens,
    root_cache_write_tokens: root.cacheWriteTokens,
    root_reasoning_tokens: root.reasoningTokens,
    sub_input_tokens: sub.inputTokens,
    sub_output_tokens: sub.outputTokens,
    sub_reasoning_tokens: sub.reasoningTokens,
    root_cost: roundUsd(root.costUsd),
    sub_cost: roundUsd(sub.costUsd),
    total_cost: roundUsd(total),
    cache_savings: roundUsd(cacheSavingsUsd(root, info.rootPricing)),
    cost_per_file_covered: covered > 0 ? roundUsd(total / covered) : null,
    cache_hits: result.subStats.cacheHits,
    cache_misses: result.subStats.cacheMisses,
    retries: info.retries,
    sub_errors: result.subStats.errors,
    sub_cancelled: result.subStats.cancelled,
    sub_truncated: result.subStats.truncated,
    files_total: info.filesTotal,
    files_eligible: result.coverage.eligible.length,
    files_dispatched: covered,
    secrets_redacted: info.secretsRedacted === undefined ? {} : info.secretsRedacted,
    budget: info.budgetUsd ?? null,
    budget_stopped: result.budgetStopped,
    budget_skipped_sub_calls: result.subStats.budgetSkipped,
    prompt_cache: info.promptCache,
    concurrency: info.concurrency,
    max_turns: info.maxTurns,
    effort: info.effort ?? null,
    sub_effort: info.subEffort ?? null,
    host_overhead_ms_per_turn: overheads.length
      ? Math.round(overheads.reduce((a, b) => a + b, 0) / overheads.length * 10) / 10
      : 0,
    elapsed_seconds: Math.round(result.elapsedMs) / 1000,
    analysis_chars: result.report.length,
    answer_truncated_chars: result.answerTruncatedChars,
  };
}
