/**
 * The baseline call itself: one request, no tools, the answer streamed through a callback.
 * Failures are returned as values so the caller can still write what exists.
 *
 * @module
 */
import type { Effort, ModelClient, Usage } from "../providers/mod.ts";
import { BASELINE_SYSTEM_PROMPT } from "./prompt.ts";

/** Output limit of the baseline call. */
export const BASELINE_MAX_TOKENS = 16_384;

/** Input of {@linkcode runBaseline}. */
export interface BaselineCallInput {
  client: ModelClient;
  /** The user message (from `buildBaselinePrompt`). */
  user: string;
  /**
   * Output limit of the request; less than the default only when the model's context window
   * would not hold the prompt and the full limit. @default 16384
   */
  maxTokens?: number;
  /** Receives streamed text (the request always streams). */
  onText?: (chunk: string) => void;
  /** Effort to send (only one the model accepts; the caller checks its rules). */
  effort?: Effort;
  signal?: AbortSignal;
  /** Clock in milliseconds. @default Date.now */
  now?: () => number;
}

/** What the call produced. */
export interface BaselineCallResult {
  /** The report text (on failure: whatever had streamed before it). */
  analysis: string;
  /** Usage as reported; zeros when the call failed. */
  usage: Usage;
  /** Number of requests that reached the provider's answer (0 or 1). */
  calls: number;
  stopReason?: string;
  /** False when the answer was cut by the output limit or the call failed. */
  complete: boolean;
  elapsedSeconds: number;
  /** The failure, when the call did not succeed. */
  error?: unknown;
}

/**
 * Sends the baseline request once (the client applies its own retries).
 *
 * @param input Client, user message, streaming callback, signal.
 * @returns The result; never throws for a failed call (the error is in `error`).
 */
export async function runBaseline(input: BaselineCallInput): Promise<BaselineCallResult> {
  const now = input.now ?? Date.now;
  const started = now();
  let streamed = "";
  const onText = (chunk: string) => {
    streamed += chunk;
    input.onText?.(chunk);
  };
  try {
    const response = await input.client.complete({
      system: BASELINE_SYSTEM_PROMPT,
      messages: [{ role: "user", content: input.user }],
      maxTokens: input.maxTokens ?? BASELINE_MAX_TOKENS,
      onText,
      signal: input.signal,
      ...(input.effort ? { effort: input.effort } : {}),
    });
    const cut = response.stopReason === "max_tokens" || response.stopReason === "length";
    return {
      analysis: response.text || streamed,
      usage: response.usage,
      calls: 1,
      stopReason: response.stopReason,
      complete: !cut,
      elapsedSeconds: (now() - started) / 1000,
    };
  } catch (error) {
    return {
      analysis: streamed,
      usage: { inputTokens: 0, outputTokens: 0 },
      calls: 0,
      complete: false,
      elapsedSeconds: (now() - started) / 1000,
      error,
    };
  }
}
