/**
 * The wrapper every plugin client gets: retries, cancellation, one error shape, and a check of
 * what the plugin returned.
 *
 * @module
 */
import { InterruptedError, RunError } from "../errors.ts";
import { classifyError, type RetryPolicy, withRetries } from "./retry.ts";
import type { CompletionRequest, CompletionResponse, ModelClient } from "./types.ts";

/** One retry about to happen, for the `[retry]` line and the `retries` metric. */
export interface RetryInfo {
  provider: string;
  model: string;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  /** `status 429`, `timeout`, `connection error`, ... */
  reason: string;
}

/** What {@linkcode wrapClient} needs. */
export interface WrapOptions {
  provider: string;
  model: string;
  onRetry?(info: RetryInfo): void;
  /** Cancels every call of this client (merged with each request's own signal). */
  signal?: AbortSignal;
  /** Policy overrides (tests use a tiny `baseMs`). */
  policy?: Partial<RetryPolicy>;
  /** Injectable wait for tests. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Deadline of one attempt, body included, in milliseconds: a reply that stalls (before the
   * headers or halfway through a stream) is cut and retried as a timeout. @default 600000
   */
  timeoutMs?: number;
}

/** Default deadline of one model call attempt: 10 minutes. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;

/** Thrown when an attempt exceeds its deadline (retried as a timeout). */
export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
}

/**
 * Wraps a plugin's client.
 *
 * - Retryable failures are retried (see `retry.ts`), each reported through `onRetry`.
 * - A final failure becomes `RunError("<provider> <model>: <API message> (status N)")`; errors
 *   that already carry an exit code (a plugin's missing-key error) pass through.
 * - An abort rethrows the signal's reason when it is an Error, else an `InterruptedError`.
 * - A malformed response from a plugin is a `RunError` naming the field.
 */
export function wrapClient(inner: ModelClient, options: WrapOptions): ModelClient {
  const label = `${options.provider} ${options.model}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    async complete(req: CompletionRequest): Promise<CompletionResponse> {
      const signals = [options.signal, req.signal].filter((s): s is AbortSignal => !!s);
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      if (signal?.aborted) throw abortError(signal);
      let response: CompletionResponse;
      try {
        response = await withRetries(() => attempt(inner, req, signal, timeoutMs), {
          ...options.policy,
          signal,
          sleep: options.sleep,
          onRetry: (attempt, delayMs, reason) =>
            options.onRetry?.({
              provider: options.provider,
              model: options.model,
              attempt,
              delayMs,
              reason,
            }),
        });
      } catch (error) {
        const info = classifyError(error, signal);
        if (info.aborted) throw signal?.aborted ? abortError(signal) : new InterruptedError();
        if (error && typeof error === "object" && "exitCode" in error) throw error;
        const status = info.status !== undefined ? ` (status ${info.status})` : "";
        throw new RunError(`${label}: ${info.message}${status}`, { cause: error });
      }
      return checkResponse(response, label);
    },
  };
}

/** One call under its own deadline; the caller's signal still cancels it. */
async function attempt(
  inner: ModelClient,
  req: CompletionRequest,
  outer: AbortSignal | undefined,
  timeoutMs: number,
): Promise<CompletionResponse> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new RequestTimeoutError(`request timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  const signal = outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal;
  try {
    const response = await inner.complete({ ...req, signal });
    // Some SDK streams end quietly when aborted: a reply finished after the abort may be cut.
    if (signal.aborted) throw outer?.aborted ? outer.reason : deadline.signal.reason;
    return response;
  } catch (error) {
    if (deadline.signal.aborted && !outer?.aborted) throw deadline.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new InterruptedError();
}

/** Validates and fills a plugin's response (missing `toolCalls` becomes `[]`). */
function checkResponse(value: unknown, label: string): CompletionResponse {
  const bad = (field: string) =>
    new RunError(`${label}: the plugin returned an invalid response: ${field}`);
  if (!value || typeof value !== "object") throw bad("not an object");
  const r = value as Record<string, unknown>;
  if (typeof r.text !== "string") throw bad("text must be a string");
  const toolCalls = r.toolCalls ?? [];
  if (!Array.isArray(toolCalls)) throw bad("toolCalls must be an array");
  toolCalls.forEach((call, i) => {
    if (!call || typeof call.id !== "string" || typeof call.name !== "string") {
      throw bad(`toolCalls[${i}] needs string id and name`);
    }
  });
  const usage = r.usage as Record<string, unknown> | undefined;
  if (!usage || typeof usage !== "object") throw bad("usage is missing");
  for (const key of ["inputTokens", "outputTokens"]) {
    if (typeof usage[key] !== "number" || !Number.isFinite(usage[key])) {
      throw bad(`usage.${key} must be a number`);
    }
  }
  for (const key of ["cacheReadTokens", "cacheWriteTokens", "costUsd"]) {
    if (usage[key] !== undefined && typeof usage[key] !== "number") {
      throw bad(`usage.${key} must be a number when present`);
    }
  }
  return { ...(value as CompletionResponse), toolCalls };
}
