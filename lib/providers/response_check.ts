/**
 * The check every `CompletionResponse` passes before the engine sees it. A reply that fails is
 * an {@linkcode InvalidResponseError}: retried like a 5xx (a garbled reply is usually
 * transient), and named by plugin and field when retries run out.
 *
 * @module
 */
import type { CompletionResponse } from "./types.ts";

/**
 * Stop reasons deeprepo knows. The normalized values (`end`, `tool_use`, `max_tokens`, `refusal`,
 * `pause`) and the vendors' own words that mean the same (`stop`, `end_turn`, `tool_calls`,
 * `length`, ...). Any other string is accepted and treated like `end`; `plugins check` flags it.
 */
export const KNOWN_STOP_REASONS: ReadonlySet<string> = new Set([
  "end",
  "tool_use",
  "max_tokens",
  "refusal",
  "pause",
  // The same, in vendor words.
  "stop",
  "end_turn",
  "stop_sequence",
  "tool_calls",
  "function_call",
  "length",
  "model_context_window_exceeded",
  "content_filter",
  "pause_turn",
]);

/** Stop reasons meaning the output limit cut the reply. */
export const CUT_OFF_STOP_REASONS: ReadonlySet<string> = new Set(["max_tokens", "length"]);

/**
 * Stop reasons that explain a reply with no text, tool call or part: cut off by the limit
 * before anything visible, refused or filtered, or paused by the provider.
 */
const EMPTY_ALLOWED: ReadonlySet<string> = new Set([
  ...CUT_OFF_STOP_REASONS,
  "model_context_window_exceeded",
  "refusal",
  "content_filter",
  "pause",
  "pause_turn",
]);

/** A plugin returned a reply that breaks the contract. Retryable. */
export class InvalidResponseError extends Error {
  override name = "InvalidResponseError";
  /** Read by the retry policy: a garbled reply is worth another try. */
  readonly retryable = true;
  /**
   * @param plugin The plugin's name.
   * @param field What is wrong, naming the field.
   */
  constructor(readonly plugin: string, readonly field: string) {
    super(`invalid response from plugin ${plugin}: ${field}`);
  }
}

const USAGE_FIELDS = [
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "reasoningTokens",
  "costUsd",
] as const;

/**
 * Validates a plugin's reply and fills what may be left out (`toolCalls` becomes `[]`).
 *
 * @param value What the plugin's `complete()` resolved to.
 * @param plugin The plugin's name, for the message.
 * @returns The reply, typed.
 * @throws {InvalidResponseError} Naming the first field that is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const empty = { text: "", toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 } };
 * assert.throws(
 *   () => checkResponse(empty, "acme"),
 *   /invalid response from plugin acme: empty reply \(no text, tool calls or parts\)/,
 * );
 * ```
 */
export function checkResponse(value: unknown, plugin: string): CompletionResponse {
  const bad = (field: string) => new InvalidResponseError(plugin, field);
  if (!value || typeof value !== "object") {
    throw bad(`the reply must be an object, got ${show(value)}`);
  }
  const r = value as Record<string, unknown>;
  if (typeof r.text !== "string") throw bad(`text must be a string, got ${show(r.text)}`);
  const toolCalls = r.toolCalls ?? [];
  if (!Array.isArray(toolCalls)) throw bad(`toolCalls must be an array, got ${show(toolCalls)}`);
  toolCalls.forEach((call, i) => {
    if (
      !call || typeof call.id !== "string" || !call.id || typeof call.name !== "string" ||
      !call.name
    ) {
      throw bad(`toolCalls[${i}] needs a non-empty string id and name`);
    }
  });
  if (r.parts !== undefined && !Array.isArray(r.parts)) {
    throw bad(`parts must be an array when present, got ${show(r.parts)}`);
  }
  const usage = r.usage as Record<string, unknown> | undefined;
  if (!usage || typeof usage !== "object") throw bad("usage is missing");
  for (const key of USAGE_FIELDS) {
    const n = usage[key];
    const required = key === "inputTokens" || key === "outputTokens";
    if (n === undefined && !required) continue;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
      throw bad(`usage.${key} must be a non-negative finite number, got ${show(n)}`);
    }
  }
  const stop = r.stopReason;
  if (stop !== undefined && (typeof stop !== "string" || !stop)) {
    throw bad(`stopReason must be a non-empty string when present, got ${show(stop)}`);
  }
  if (stop === "error") {
    throw bad('stopReason "error" means the API failed mid-reply; the plugin must throw instead');
  }
  const parts = (r.parts as unknown[] | undefined) ?? [];
  if (!r.text && toolCalls.length === 0 && parts.length === 0 && !EMPTY_ALLOWED.has(stop ?? "")) {
    throw bad(
      `empty reply (no text, tool calls or parts) with stop reason ${show(stop ?? "(none)")}; ` +
        "a plugin that received an error instead of a reply must throw it",
    );
  }
  return { ...(value as CompletionResponse), toolCalls };
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value;
}
