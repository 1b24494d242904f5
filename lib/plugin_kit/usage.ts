/**
 * Usage normalisation: deeprepo's `Usage` counts uncached input tokens apart from cache reads
 * and writes, and never holds a negative or non-finite number (the host rejects such replies).
 *
 * @module
 */
import type { Usage } from "../providers/mod.ts";

/** Token counts as a vendor reports them. */
export interface RawUsage {
  /** Prompt tokens as reported. */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** Thinking tokens (already inside `outputTokens`). */
  reasoningTokens?: number;
  costUsd?: number;
  /**
   * True when `inputTokens` already includes cache reads and writes (OpenAI's `prompt_tokens`);
   * false when it excludes them (Anthropic's `input_tokens`). @default false
   */
  inputIncludesCache?: boolean;
}

/**
 * Normalizes vendor token counts into a valid `Usage`: missing, negative or non-finite counts
 * become 0, cache tokens are taken out of the input when the vendor counted them in.
 *
 * @param raw The vendor's counts.
 * @returns A `Usage` the host accepts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const raw = { inputTokens: 100, cacheReadTokens: 30, outputTokens: 5, inputIncludesCache: true };
 * assert.deepEqual(normalizeUsage(raw), {
 *   inputTokens: 70,
 *   outputTokens: 5,
 *   cacheReadTokens: 30,
 *   cacheWriteTokens: 0,
 * });
 * ```
 */
export function normalizeUsage(raw: RawUsage): Usage {
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);
  const cacheRead = n(raw.cacheReadTokens);
  const cacheWrite = n(raw.cacheWriteTokens);
  const input = n(raw.inputTokens);
  const usage: Usage = {
    inputTokens: raw.inputIncludesCache ? Math.max(0, input - cacheRead - cacheWrite) : input,
    outputTokens: n(raw.outputTokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
  if (n(raw.reasoningTokens)) usage.reasoningTokens = n(raw.reasoningTokens);
  if (typeof raw.costUsd === "number" && Number.isFinite(raw.costUsd) && raw.costUsd >= 0) {
    usage.costUsd = raw.costUsd;
  }
  return usage;
}

/**
 * Normalizes an OpenAI Chat Completions `usage` object (`prompt_tokens` includes
 * `prompt_tokens_details.cached_tokens`; OpenRouter adds `usage.cost`).
 *
 * @param raw The `usage` field of a reply or of the last stream chunk.
 */
export function openAIUsage(raw: unknown): Usage {
  const u = (raw ?? {}) as Record<string, Record<string, unknown> | number | undefined>;
  const prompt = (u.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const completion = (u.completion_tokens_details ?? {}) as Record<string, unknown>;
  return normalizeUsage({
    inputTokens: u.prompt_tokens as number,
    outputTokens: u.completion_tokens as number,
    cacheReadTokens: prompt.cached_tokens as number,
    cacheWriteTokens: prompt.cache_write_tokens as number,
    reasoningTokens: completion.reasoning_tokens as number,
    costUsd: u.cost as number,
    inputIncludesCache: true,
  });
}
