/**
 * Shared types of the fake model server: what a test scripts, what the server records, and
 * small helpers the wire renderers share.
 *
 * @module
 */

/** Wire protocol of an endpoint. */
export type Protocol = "anthropic" | "openai";

/** Which API of the protocol a request hit. */
export type Api = "messages" | "chat" | "responses";

/** Token counts of a scripted response. */
export interface ScriptedUsage {
  /** Uncached input tokens (OpenAI `prompt_tokens` is rendered as input + cacheRead + cacheWrite). */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** Provider-reported cost in USD (OpenRouter `usage.cost`); OpenAI protocol only. */
  cost?: number;
  /** Reasoning / thinking tokens, counted inside `output` (default: the scripted ones). */
  reasoning?: number;
}

/** A failure to inject instead of a normal reply. */
export type Fault =
  /** An HTTP error; `retryAfter` (seconds) and `retryAfterMs` set those headers. */
  | { status: number; message?: string; retryAfter?: number; retryAfterMs?: number }
  /** Never answer (the client's timeout or abort ends it on its side; `close()` on ours). */
  | { stall: true }
  /** Send the headers and the first part of the body, then hang (a stream that stops). */
  | { stallMidStream: true }
  /** A 200 whose body (or, when streaming, one event) is not valid JSON. */
  | { malformed: true }
  /**
   * A 200 that reports an error, as APIs do once generation has started: the JSON body is the
   * error (OpenAI-compatible `{error: {code, message}}`, Anthropic `{type: "error", error}`);
   * a stream sends the first half of the reply, then an error event (OpenAI-compatible: a chunk
   * with `error` and `finish_reason: "error"`; Anthropic: `event: error`). `type` is the
   * Anthropic error type (default `overloaded_error`).
   */
  | { errorInBody: { code?: number; type?: string; message: string } };

/** One reply, rendered in the format of the endpoint hit (JSON or SSE as requested). */
export interface ScriptedResponse {
  text?: string;
  /**
   * Thinking text: an Anthropic thinking block (with a signature), OpenRouter
   * `reasoning_details`, or a Responses reasoning summary. Models that always reason get one
   * even when this is unset (with empty text, as at Anthropic's default display).
   */
  thinking?: string;
  /** Reasoning tokens the model spends before answering; they count inside the output limit. */
  reasoningTokens?: number;
  /** Anthropic only: add a `redacted_thinking` block after the thinking block. */
  redactedThinking?: boolean;
  /** Anthropic only: blocks of types no SDK knows, added after the thinking blocks. */
  extraBlocks?: Record<string, unknown>[];
  toolCalls?: { id?: string; name: string; input: unknown }[];
  /** Default: estimated from the request and reply sizes (chars / 4). */
  usage?: ScriptedUsage;
  /** Default: `tool_use`/`tool_calls` when there are tool calls, else `end_turn`/`stop`. */
  stopReason?: string;
  /** Delay before answering. */
  latencyMs?: number;
  /** How streamed text is split; default: pieces of up to 16 characters. */
  chunks?: string[];
  fault?: Fault;
}

/** A request as the server received it. */
export interface RecordedRequest {
  protocol: Protocol;
  method: string;
  /** Path without query, e.g. `/api/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body (or the raw text when it is not JSON). */
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** `messages` (Anthropic), `chat` (Chat Completions) or `responses` (OpenAI Responses). */
  api: Api;
  /** What was served (undefined when nothing was scripted). */
  response?: ScriptedResponse;
  /** The refusal sent instead of a reply, when the request broke the model's rules. */
  refused?: string;
}

/** A reply ready to send: the JSON body and the SSE events of the same reply. */
export interface Rendered {
  json: unknown;
  events: string[];
}

/** Splits text into pieces of at most `size` characters (for streamed deltas). */
export function split(text: string, size = 16): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** The id of tool call `i` of reply `n`, in the protocol's style. */
export function toolId(protocol: Protocol, n: number, i: number): string {
  return protocol === "anthropic" ? `toolu_fake_${n}_${i}` : `call_fake_${n}_${i}`;
}
