/**
 * The wrapper every plugin client gets: a deadline and cancellation that do not depend on the
 * plugin, retries, one error shape, and a check of what the plugin returned.
 *
 * @module
 */
import { EnvironmentError, InterruptedError, RunError } from "../errors.ts";
import { classifyError } from "./classify.ts";
import { checkResponse } from "./response_check.ts";
import { type RetryPolicy, withRetries } from "./retry.ts";
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
 * Wraps a plugin's client. The host enforces the call contract whatever the plugin does:
 *
 * - Each attempt has a deadline (`timeoutMs`), and the caller's signal cancels it. Both hold
 *   even when the plugin ignores `req.signal`: the plugin's promise is raced against them and
 *   abandoned (a late reply is dropped, late `onText` chunks are not passed on). A deadline
 *   counts as a `timeout` and is retried; a cancellation ends the call at once.
 * - Every reply is checked (`response_check.ts`); a broken one is retried as `invalid response`.
 * - Retryable failures are retried (see `retry.ts` and `classify.ts`), each reported through
 *   `onRetry`.
 * - A final failure becomes `RunError("<provider> <model>: <API message> (status N)")`; one the
 *   plugin marked `kind: "config"` becomes an `EnvironmentError` (exit 2); errors that already
 *   carry an exit code (a plugin's missing-key error) pass through.
 * - An abort rethrows the signal's reason when it is an Error, else an `InterruptedError`.
 */
export function wrapClient(inner: ModelClient, options: WrapOptions): ModelClient {
  const label = `${options.provider} ${options.model}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    async complete(req: CompletionRequest): Promise<CompletionResponse> {
      const signals = [options.signal, req.signal].filter((s): s is AbortSignal => !!s);
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      if (signal?.aborted) throw abortError(signal);
      try {
        return await withRetries(
          () => attempt(inner, req, { outer: signal, timeoutMs, plugin: options.provider }),
          {
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
          },
        );
      } catch (error) {
        const info = classifyError(error, signal);
        if (info.aborted) throw signal?.aborted ? abortError(signal) : new InterruptedError();
        if (error && typeof error === "object" && "exitCode" in error) throw error;
        const status = info.status !== undefined ? ` (status ${info.status})` : "";
        const message = `${label}: ${info.message}${status}`;
        if (info.config) throw new EnvironmentError(message, { cause: error });
        throw new RunError(message, { cause: error });
      }
    },
  };
}

/** What one attempt needs besides the plugin and the request. */
interface AttemptSettings {
  /** The caller's signal (Ctrl-C, end of run). */
  outer?: AbortSignal;
  timeoutMs: number;
  /** The plugin's name, for reply errors. */
  plugin: string;
}

/**
 * One call under its own deadline, raced against it and the caller's signal so a plugin that
 * ignores `req.signal` cannot hold the run; its reply is checked before it counts.
 */
async function attempt(
  inner: ModelClient,
  req: CompletionRequest,
  { outer, timeoutMs, plugin }: AttemptSettings,
): Promise<CompletionResponse> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new RequestTimeoutError(`request timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  const signal = outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal;
  let settled = false;
  // An abandoned call's late chunks must not reach the screen.
  const guard = (fn?: (chunk: string) => void) =>
    fn && ((chunk: string) => {
      if (!settled) fn(chunk);
    });
  const onText = guard(req.onText);
  const onThinking = guard(req.onThinking);
  let stop = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(outer?.aborted ? outer.reason : deadline.signal.reason);
    signal.addEventListener("abort", stop, { once: true });
  });
  try {
    const call = Promise.resolve().then(() =>
      inner.complete({ ...req, signal, onText, onThinking })
    );
    // An abandoned call may still fail later; that is no longer anyone's concern.
    call.catch(() => {});
    const response = await Promise.race([call, stopped]);
    // Some SDK streams end quietly when aborted: a reply finished after the abort may be cut.
    if (signal.aborted) throw outer?.aborted ? outer.reason : deadline.signal.reason;
    return checkResponse(response, plugin);
  } catch (error) {
    if (deadline.signal.aborted && !outer?.aborted) throw deadline.signal.reason;
    throw error;
  } finally {
    settled = true;
    clearTimeout(timer);
    signal.removeEventListener("abort", stop);
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new InterruptedError();
}
