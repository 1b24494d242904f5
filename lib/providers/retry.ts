/**
 * Retries for model calls: one policy for every provider.
 *
 * Retried: HTTP 408, 409, 429 and 5xx, timeouts and connection errors, up to 3 times, waiting
 * `min(cap, base * 2^(n-1))` plus up to 25% jitter (base 1 s, cap 30 s), or what the server
 * asks for with `retry-after-ms` / `Retry-After` (seconds or an HTTP date, at most 60 s).
 * Everything else fails at once.
 *
 * Why not the SDKs' own retries: both SDKs retry by default with a 0.5 s base and an 8 s cap and
 * offer no hook per retry, so deeprepo could neither print a `[retry]` line nor count retries
 * in its metrics. Plugins therefore create their SDK clients with `maxRetries: 0` and the
 * registry wraps every client with {@linkcode withRetries}; plugins that use no SDK get the
 * same policy for free by throwing errors that carry `status` (and `headers`).
 *
 * @module
 */

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

/** The longest server-requested wait honoured (a bigger Retry-After is cut to this). */
export const MAX_RETRY_AFTER_MS = 60_000;

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

/** How a failed call is treated. */
export interface FailureInfo {
  /** True for 408/409/429/5xx, timeouts and connection errors. */
  retryable: boolean;
  /** True when the call was cancelled by the caller. */
  aborted: boolean;
  /** HTTP status, when the failure has one. */
  status?: number;
  /** Server-requested wait, when the response said so. */
  retryAfterMs?: number;
  /** Short cause for the `[retry]` line: `status 429`, `timeout`, `connection error`. */
  reason: string;
  /** The API's own message when it sent one, else the error's message. */
  message: string;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const RETRYABLE_TYPES = new Set(["overloaded_error", "api_error", "rate_limit_error"]);

/**
 * Classifies a thrown value from a plugin or SDK call.
 *
 * @param error What the call threw.
 * @param signal The caller's signal: when aborted, the failure counts as an abort.
 * @returns How to treat the failure.
 */
export function classifyError(error: unknown, signal?: AbortSignal): FailureInfo {
  const e = (error ?? {}) as Record<string, unknown>;
  const name = typeof e.name === "string" ? e.name : "";
  const message = apiMessage(error);
  if (signal?.aborted || name === "AbortError" || name === "APIUserAbortError") {
    return { retryable: false, aborted: true, reason: "aborted", message };
  }
  const status = typeof e.status === "number" ? e.status : undefined;
  if (status !== undefined) {
    const retryable = RETRYABLE_STATUS.has(status) || status >= 500;
    return {
      retryable,
      aborted: false,
      status,
      retryAfterMs: retryAfter(e.headers),
      reason: `status ${status}`,
      message,
    };
  }
  const text = `${name} ${String((e as { message?: unknown }).message ?? error)} ${
    String(e.cause ?? "")
  }`;
  if (/timeout|timed? ?out/i.test(text)) {
    return { retryable: true, aborted: false, reason: "timeout", message };
  }
  if (
    /ConnectionError|ECONNREFUSED|ECONNRESET|connection|error sending request|fetch failed/i
      .test(text)
  ) {
    return { retryable: true, aborted: false, reason: "connection error", message };
  }
  const body = e.error as { error?: { type?: unknown }; type?: unknown } | undefined;
  const type = body?.error?.type ?? body?.type;
  if (typeof type === "string" && RETRYABLE_TYPES.has(type)) {
    return { retryable: true, aborted: false, reason: type, message };
  }
  return { retryable: false, aborted: false, reason: name || "error", message };
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

/** The API's message from an SDK error (Anthropic or OpenAI body), else the error's message. */
export function apiMessage(error: unknown): string {
  const e = (error ?? {}) as Record<string, unknown>;
  const body = e.error as { error?: { message?: unknown }; message?: unknown } | undefined;
  const fromBody = body?.error?.message ?? body?.message;
  if (typeof fromBody === "string" && fromBody) return fromBody;
  const message = (error instanceof Error ? error.message : String(error)).replace(/^\d{3} /, "");
  // SDK connection errors say only "Connection error." and their cause "fetch failed"; the
  // innermost cause says what happened and where.
  const cause = innermostCause(error);
  if (!cause || message.includes(cause)) return message;
  const unreachable = cause.match(/error sending request for url \((.+?)\): (.*)$/);
  if (unreachable) {
    const reason = unreachable[2].split(": ").at(-1)!.trim();
    return `${message.replace(/\.$/, "")}: cannot reach ${unreachable[1]}: ${reason}`;
  }
  return `${message.replace(/\.$/, "")}: ${cause}`;
}

/** First line of the deepest `cause` in an error chain (at most 5 levels), or "". */
function innermostCause(error: unknown): string {
  let found = "";
  let current = (error as { cause?: unknown } | null)?.cause;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    found = current.message.split("\n")[0];
    current = current.cause;
  }
  return found;
}

function retryAfter(headers: unknown): number | undefined {
  const get = (name: string): string | undefined => {
    if (!headers) return undefined;
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === "string" ? value : undefined;
  };
  const ms = Number.parseFloat(get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const raw = get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  }
  const date = Date.parse(raw);
  if (Number.isFinite(date)) return Math.min(Math.max(0, date - Date.now()), MAX_RETRY_AFTER_MS);
  return undefined;
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
