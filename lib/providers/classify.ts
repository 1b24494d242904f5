/**
 * How a failed model call is treated: retried or not, after how long, and with which message.
 *
 * A plugin decides by marking what it throws (plugin API, documented in docs/PLUGINS.md):
 *
 * | field          | type                          | meaning                                           |
 * | -------------- | ----------------------------- | ------------------------------------------------- |
 * | `retryable`    | boolean                       | retry (true) or fail at once (false); wins always |
 * | `retryAfterMs` | number                        | wait this long before the retry (at most 60 s)    |
 * | `status`       | number or numeric string      | the HTTP status; 408/409/429/5xx are retried      |
 * | `headers`      | `Headers` or a plain record   | `retry-after-ms` / `Retry-After` are honoured     |
 * | `kind`         | `"config"`                    | the user must fix a setting: never retried, exit 2 |
 *
 * Only an error carrying none of these falls back to heuristics, and they look at error
 * *classes and codes* (a timeout error, a refused or reset connection, Anthropic's documented
 * `overloaded_error`/`api_error`/`rate_limit_error` body types), never at words in a message:
 * "invalid connection string in config" is not a connection failure.
 *
 * @module
 */

/** How a failed call is treated. */
export interface FailureInfo {
  /** True when the call should be tried again (see the module doc). */
  retryable: boolean;
  /** True when the call was cancelled by the caller. */
  aborted: boolean;
  /** True when the plugin marked the failure as a setting the user must fix (`kind: "config"`). */
  config: boolean;
  /** HTTP status, when the failure has one. */
  status?: number;
  /** Wait requested by the plugin or the server. */
  retryAfterMs?: number;
  /** Short cause for the `[retry]` line: `status 429`, `timeout`, `connection error`, ... */
  reason: string;
  /** The API's own message when it sent one, else the error's message. */
  message: string;
}

/** The longest wait honoured (a bigger `Retry-After` or `retryAfterMs` is cut to this). */
export const MAX_RETRY_AFTER_MS = 60_000;

const RETRYABLE_STATUS = new Set([408, 409, 429]);

/**
 * Anthropic's documented error types for failures worth another try, by the HTTP status
 * Anthropic gives them (docs.anthropic.com "Errors"). They count only for errors without a
 * status: an SDK error raised by an `error` event in the middle of a stream has none.
 */
const RETRYABLE_BODY_TYPES: Record<string, number> = {
  overloaded_error: 529,
  api_error: 500,
  rate_limit_error: 429,
  timeout_error: 504,
};

/** Error class names meaning "the request took too long". */
const TIMEOUT_NAMES = new Set([
  "RequestTimeoutError", // deeprepo's own deadline (client.ts)
  "TimeoutError", // AbortSignal.timeout() and DOMException
  "APIConnectionTimeoutError", // openai and anthropic SDKs
  "TimedOut", // Deno.errors.TimedOut
]);

/** Error class names meaning "the connection failed". */
const CONNECTION_NAMES = new Set([
  "APIConnectionError", // openai and anthropic SDKs
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "NotConnected",
  "BrokenPipe",
  "UnexpectedEof",
]);

/** Node/undici error codes of network failures. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Classifies a thrown value from a plugin or SDK call.
 *
 * @param error What the call threw.
 * @param signal The caller's signal: when aborted, the failure counts as an abort.
 * @returns How to treat the failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(classifyError({ status: "429", message: "slow down" }).retryable, true);
 * const refused = Object.assign(new Error("x"), { status: 500, retryable: false });
 * assert.equal(classifyError(refused).retryable, false);
 * assert.equal(classifyError(new Error("invalid connection string in config")).retryable, false);
 * ```
 */
export function classifyError(error: unknown, signal?: AbortSignal): FailureInfo {
  const e = (error ?? {}) as Record<string, unknown>;
  const name = className(e);
  const message = apiMessage(error);
  const base = { aborted: false, config: false, message };
  if (signal?.aborted || name === "AbortError" || name === "APIUserAbortError") {
    return { ...base, retryable: false, aborted: true, reason: "aborted" };
  }
  const status = statusOf(e.status);
  const retryAfterMs = wait(e.retryAfterMs) ?? retryAfter(e.headers);
  const statusReason = status !== undefined ? `status ${status}` : undefined;
  if (e.kind === "config") {
    return { ...base, config: true, retryable: false, status, reason: "configuration" };
  }
  if (typeof e.retryable === "boolean") {
    const reason = statusReason ?? heuristicReason(e, name) ??
      (name === "InvalidResponseError" ? "invalid response" : "marked retryable");
    return { ...base, retryable: e.retryable, status, retryAfterMs, reason };
  }
  if (status !== undefined) {
    const retryable = RETRYABLE_STATUS.has(status) || status >= 500;
    return { ...base, retryable, status, retryAfterMs, reason: statusReason! };
  }
  const reason = heuristicReason(e, name);
  return {
    ...base,
    retryable: reason !== undefined,
    retryAfterMs,
    reason: reason ?? (name || "error"),
  };
}

/** The heuristic cause of an unmarked error: `timeout`, `connection error`, a body type, or none. */
function heuristicReason(e: Record<string, unknown>, name: string): string | undefined {
  if (TIMEOUT_NAMES.has(name) || chainHas(e, (x) => TIMEOUT_NAMES.has(x.name))) return "timeout";
  if (chainHas(e, (x) => x.code === "ETIMEDOUT" || x.code === "UND_ERR_CONNECT_TIMEOUT")) {
    return "timeout";
  }
  if (
    CONNECTION_NAMES.has(name) ||
    chainHas(e, (x) => CONNECTION_NAMES.has(x.name) || NETWORK_CODES.has(String(x.code))) ||
    chainHas(e, isFetchNetworkError)
  ) return "connection error";
  const body = e.error as { error?: { type?: unknown }; type?: unknown } | undefined;
  const type = body?.error?.type ?? body?.type;
  if (typeof type === "string" && type in RETRYABLE_BODY_TYPES) return type;
  return undefined;
}

/**
 * Deno's `fetch` reports a network failure as a `TypeError` whose message starts with "error
 * sending request" (Node's: "fetch failed"). Only that exact class and opening are matched.
 */
function isFetchNetworkError(x: { name: string; message: string }): boolean {
  return x.name === "TypeError" && /^(error sending request\b|fetch failed$)/.test(x.message);
}

/** Whether the error or one of its causes (at most 5 levels) satisfies `test`. */
function chainHas(
  error: Record<string, unknown>,
  test: (x: { name: string; message: string; code: unknown }) => boolean,
): boolean {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === "object" && depth < 6; depth++) {
    const x = current as Record<string, unknown>;
    const view = {
      name: className(x),
      message: typeof x.message === "string" ? x.message : "",
      code: x.code,
    };
    if (test(view)) return true;
    current = x.cause;
  }
  return false;
}

/**
 * The error's class: its `name`, or its constructor's name when `name` is the generic "Error"
 * (the openai SDK does not set `name` on its error classes).
 */
function className(x: Record<string, unknown>): string {
  const own = typeof x.name === "string" ? x.name : "";
  if (own && own !== "Error") return own;
  const ctor = (x as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === "string" && ctor !== "Object" ? ctor : own;
}

/** An HTTP status from a number or a numeric string (`"429"`), else undefined. */
export function statusOf(value: unknown): number | undefined {
  const n = typeof value === "number"
    ? value
    : typeof value === "string" && /^\s*\d{3}\s*$/.test(value)
    ? Number(value)
    : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function wait(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? Math.min(value, MAX_RETRY_AFTER_MS)
    : undefined;
}

/** The API's message from an SDK error (Anthropic or OpenAI body), else the error's message. */
export function apiMessage(error: unknown): string {
  const e = (error ?? {}) as Record<string, unknown>;
  const body = e.error as { error?: { message?: unknown }; message?: unknown } | undefined;
  const fromBody = body?.error?.message ?? body?.message;
  if (typeof fromBody === "string" && fromBody) return fromBody;
  const own = error instanceof Error
    ? error.message
    : typeof e.message === "string"
    ? e.message
    : String(error);
  const message = own.replace(/^\d{3} /, "");
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
    if (!headers || typeof headers !== "object") return undefined;
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const record = headers as Record<string, unknown>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : record[key];
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
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
