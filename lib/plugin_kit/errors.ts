/**
 * Errors a plugin throws so deeprepo's retry policy acts on them: `status` (a number or numeric
 * string), `headers` (for `Retry-After`), `retryable` and `retryAfterMs` (the plugin's own
 * decision, which always wins) and `kind: "config"` (a setting the user must fix: never retried,
 * exit 2). Plain objects with these fields work too; this class only makes them easy to set.
 *
 * @module
 */

/** What a {@linkcode PluginError} carries besides its message. */
export interface PluginErrorOptions {
  /** HTTP status (408/409/429/5xx are retried unless `retryable` says otherwise). */
  status?: number;
  /** Response headers: `retry-after-ms` and `Retry-After` are honoured. */
  headers?: Headers | Record<string, string>;
  /** Retry (true) or fail at once (false), whatever the status says. */
  retryable?: boolean;
  /** Wait before the retry, in milliseconds (at most 60 s). */
  retryAfterMs?: number;
  /** `"config"`: the user must fix a setting (exit 2, never retried). */
  kind?: "config";
  cause?: unknown;
}

/** An error deeprepo's retry policy reads (see the module doc). */
export class PluginError extends Error {
  override name = "PluginError";
  readonly status?: number;
  readonly headers?: Headers | Record<string, string>;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
  readonly kind?: "config";

  /**
   * @param message What failed, in the API's words when it gave any.
   * @param options Status, headers and retry marking.
   */
  constructor(message: string, options: PluginErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.headers = options.headers;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.kind = options.kind;
  }
}

/**
 * A setting the user must fix (bad region, malformed base URL, ...): never retried, exit 2.
 *
 * @param message One line naming the variable and the value.
 */
export function configError(message: string): PluginError {
  return new PluginError(message, { kind: "config", retryable: false });
}

/**
 * The error for a non-2xx HTTP response: its status and headers, and the API's message from a
 * JSON body (`{error: {message}}`, `{message}`) or the body's text.
 *
 * @param res The failed response (its body is read).
 * @returns The error to throw.
 */
export async function httpError(res: Response): Promise<PluginError> {
  const text = await res.text().catch(() => "");
  let message = text.trim() || `HTTP ${res.status}`;
  try {
    const body = JSON.parse(text);
    const found = body?.error?.message ?? body?.message ?? body?.error;
    if (typeof found === "string" && found) message = found;
  } catch {
    // Not JSON: keep the text.
  }
  return new PluginError(message.slice(0, 500), { status: res.status, headers: res.headers });
}

/**
 * The error for a failure an API reported inside a 200 reply or stream (OpenRouter does once
 * generation started): its numeric `code` when that is an HTTP status, else 502, so it is
 * retried — never return an empty answer instead.
 *
 * @param reported The error object from the body (`{code?, message?}`).
 */
export function errorInBody(reported: unknown): PluginError {
  const r = (reported ?? {}) as { code?: unknown; message?: unknown };
  const status = typeof r.code === "number" && r.code >= 400 && r.code < 600 ? r.code : 502;
  const message = typeof r.message === "string" && r.message
    ? r.message
    : `the API reported an error: ${JSON.stringify(reported)}`;
  return new PluginError(message, { status });
}
