/**
 * Retries for model calls: one policy for every provider.
 *
 * What is retried is decided by {@linkcode classifyError} (`classify.ts`): the plugin's own
 * marking (`retryable`, `retryAfterMs`, `status`, `kind: "config"`) first, heuristics for plain
 * errors last. Retries: up to 3, waiting `min(cap, base * 2^(n-1))` plus up to 25% jitter (base
 * 1 s, cap 30 s), or what the plugin or server asks for (`retryAfterMs`, `retry-after-ms`,
 * `Retry-After` in seconds or as an HTTP date; at most 60 s).
 *
 * Why not the SDKs' own retries: both SDKs retry by default with a 0.5 s base and an 8 s cap and
 * offer no hook per retry, so deeprepo could neither print a `[retry]` line nor count retries
 * in its metrics. Plugins therefore create their SDK clients with `maxRetries: 0` and the
 * registry wraps every client with {@linkcode withRetries}; plugins that use no SDK get the
 * same policy for free by throwing errors that carry `status` (and `headers`).
 *
 * @module
 */
import { classifyError } from "./classify.ts";

/** Numbers of the retry policy. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  retries: number;
  /** First backoff delay in milliseconds. @default 1000 */
  baseMs: number;
  /** Longest backoff delay in milliseconds. @default 30000 */
  capMs: number;
}

/** The default policy: 3 retries, base 1 s, cap 30 s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retries: 3,
  baseMs: 1_000,
  capMs: 30_000,
});

export { apiMessage, classifyError, type FailureInfo, MAX_RETRY_AFTER_MS } from "./classify.ts";

/** What {@linkcode withRetries} needs besides the call. */
export interface RetryOptions extends Partial<RetryPolicy> {
  /** Stops waiting and retrying; the abort is rethrown. */
  signal?: AbortSignal;
  /** Called before each wait; `attempt` is 1 for the first retry. */
  onRetry?(attempt: number, delayMs: number, reason: string): void;
  /** Waits `ms` milliseconds (injectable for tests). @default a timer that the signal cancels */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /** Returns a number in [0, 1) for jitter. @default Math.random */
  random?(): number;
}

/**
 * Backoff before retry number `attempt` (1-based) when the server did not say how long.
 *
 * @returns `min(cap, base * 2^(attempt-1))` plus up to 25% jitter, never above the cap.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseMs" | "capMs"> = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.min(policy.capMs, Math.round(exponential * (1 + 0.25 * random())));
}

/**
 * Runs `call`, retrying retryable failures (see the module doc).
 *
 * @param call The model call; receives the attempt number (0 first).
 * @param options Policy, signal, hooks.
 * @returns What `call` returned.
 * @throws The last failure when it is not retryable or the retries ran out; the abort when the
 * signal fired.
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? DEFAULT_RETRY_POLICY.retries;
  const policy = {
    baseMs: options.baseMs ?? DEFAULT_RETRY_POLICY.baseMs,
    capMs: options.capMs ?? DEFAULT_RETRY_POLICY.capMs,
  };
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 0;; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const info = classifyError(error, options.signal);
      if (info.aborted || !info.retryable || attempt >= retries) throw error;
      const delay = info.retryAfterMs ??
        backoffDelay(attempt + 1, policy, options.random ?? Math.random);
      options.onRetry?.(attempt + 1, delay, info.reason);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
