/**
 * A {@linkcode ModelClient} for any OpenAI-compatible Chat Completions endpoint (OpenAI,
 * OpenRouter, Ollama, ...), built on the openai SDK. The built-in `openai`, `openrouter` and
 * `ollama` plugins are thin settings over it.
 *
 * Mapping: `system` → a system message; `tool_call` parts → assistant `tool_calls` (arguments
 * as JSON text); `tool_result` parts → `tool` messages; tools → `{type:"function", function}`.
 * Usage: `prompt_tokens` includes cached tokens, so `inputTokens = prompt_tokens − cached −
 * cache writes`; `usage.cost` (OpenRouter) becomes `costUsd`;
 * `completion_tokens_details.reasoning_tokens` becomes `reasoningTokens`. Streaming asks for
 * usage in the final chunk (`stream_options.include_usage`).
 *
 * Model rules (`rules`) decide what is sent: `tool_choice: "required"` only where forcing is
 * allowed, `temperature` only where sampling is, the effort only where the model has it.
 * Reasoning models on OpenRouter return `reasoning_details`: they come back as an `opaque` part
 * of the response's `parts` and go back unchanged on the assistant message (`replayReasoning`).
 * Finish reasons are normalized (`stop` → `end`, `tool_calls` → `tool_use`, `length` →
 * `max_tokens`, `content_filter` → `refusal`).
 *
 * @module
 */
// Types only at load time: the SDK itself is imported on the first call, so listing models,
// resolving them and --dry-run never pay for loading it.
import type OpenAI from "npm:openai@7.57.0";
import type {
  CompletionRequest,
  CompletionResponse,
  Effort,
  Message,
  ModelClient,
  ModelRules,
  Part,
  ToolCall,
  Usage,
} from "../lib/providers/types.ts";
import { explainRefusal } from "./_refusals.ts";

/** Default per-request timeout: 10 minutes (override with `DEEPREPO_REQUEST_TIMEOUT_MS`). */
export const DEFAULT_TIMEOUT_MS = 600_000;

/** Settings of one OpenAI-compatible client. */
export interface OpenAICompatibleOptions {
  model: string;
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  /** Name of the output-limit field: OpenAI's newer models want `max_completion_tokens`. */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Extra body fields sent with every request (e.g. OpenRouter's `usage: {include: true}`). */
  extraBody?: Record<string, unknown>;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** OpenAI organization and project ids (OpenAI only; never sent to other endpoints). */
  organization?: string;
  project?: string;
  /**
   * The model's rules (what its API accepts). Without them nothing optional is sent:
   * no forced tool choice, no temperature, no effort.
   */
  rules?: ModelRules;
  /**
   * How an effort is sent: `"reasoning_effort"` (OpenAI's field) or `"reasoning"` (OpenRouter's
   * `reasoning: {effort}`). Only levels in `rules.effortLevels` are sent. @default "reasoning_effort"
   */
  effortField?: "reasoning_effort" | "reasoning";
  /**
   * The effort sent with tools when the request names none (GPT-6 Sol / Luna accept function
   * tools in Chat Completions only with `reasoning_effort: "none"`).
   */
  effortWithTools?: string;
  /**
   * The plugin's name: tags the `opaque` parts this client returns, and only such parts are
   * sent back (as `reasoning_details`). @default "openai-compatible"
   */
  provider?: string;
}

/** Reads `DEEPREPO_REQUEST_TIMEOUT_MS` (positive number) or returns the default. */
export function requestTimeout(env: (name: string) => string | undefined): number {
  const value = Number(env("DEEPREPO_REQUEST_TIMEOUT_MS"));
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
}

/** Throws a clear error when a required key is missing. */
export function requireKey(
  env: (name: string) => string | undefined,
  variable: string,
  provider: string,
): string {
  const key = env(variable);
  if (!key) {
    throw new Error(
      `${variable} is not set: the ${provider} provider needs it (environment or .env file)`,
    );
  }
  return key;
}

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/**
 * Converts normalized messages to Chat Completions messages. An assistant turn's `opaque` parts
 * made by `provider` go back as its `reasoning_details`, in order.
 */
export function toOpenAIMessages(
  system: string | undefined,
  messages: Message[],
  provider = "openai-compatible",
): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const message of messages) {
    if (typeof message.content === "string") {
      out.push({ role: message.role, content: message.content } as ChatMessage);
      continue;
    }
    const text = message.content.filter((p) => p.type === "text").map((p) => p.text).join("\n");
    if (message.role === "assistant") {
      const calls = message.content.flatMap((p) =>
        p.type === "tool_call"
          ? [{
            id: p.id,
            type: "function" as const,
            function: { name: p.name, arguments: JSON.stringify(p.input ?? {}) },
          }]
          : []
      );
      const reasoning = message.content.flatMap((p) =>
        p.type === "opaque" && p.provider === provider
          ? (Array.isArray(p.data) ? p.data : [p.data])
          : []
      );
      out.push({
        role: "assistant",
        content: text || (calls.length ? null : ""),
        ...(calls.length ? { tool_calls: calls } : {}),
        ...(reasoning.length ? { reasoning_details: reasoning } : {}),
      } as ChatMessage);
      continue;
    }
    // Tool results must directly follow the assistant message that made the calls.
    for (const part of message.content) {
      if (part.type === "tool_result") {
        out.push({ role: "tool", tool_call_id: part.id, content: part.content });
      }
    }
    if (text) out.push({ role: "user", content: text });
  }
  return out;
}

/** Normalizes Chat Completions usage (see the module doc). */
export function fromOpenAIUsage(raw: unknown): Usage {
  const u = (raw ?? {}) as Record<string, unknown>;
  const details = (u.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const prompt = num(u.prompt_tokens);
  const cacheRead = num(details.cached_tokens);
  const cacheWrite = num(details.cache_write_tokens);
  const usage: Usage = {
    inputTokens: Math.max(0, prompt - cacheRead - cacheWrite),
    outputTokens: num(u.completion_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
  const output = (u.completion_tokens_details ?? {}) as Record<string, unknown>;
  if (num(output.reasoning_tokens) > 0) usage.reasoningTokens = num(output.reasoning_tokens);
  if (typeof u.cost === "number" && Number.isFinite(u.cost)) usage.costUsd = u.cost;
  return usage;
}

/** Normalizes a Chat Completions `finish_reason` (see the module doc). */
export function normalizeFinish(reason: string | null | undefined): string | undefined {
  switch (reason) {
    case null:
    case undefined:
      return undefined;
    case "stop":
      return "end";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "length":
      return "max_tokens";
    case "content_filter":
      return "refusal";
    default:
      return reason;
  }
}

/**
 * Builds the request body for one completion, leaving out every field the model's rules refuse.
 *
 * @param options The client's settings.
 * @param req The normalized request.
 * @returns The Chat Completions body (without `stream`).
 */
export function chatBody(
  options: OpenAICompatibleOptions,
  req: CompletionRequest,
): Record<string, unknown> {
  const rules = options.rules ?? {};
  const body: Record<string, unknown> = {
    ...options.extraBody,
    model: options.model,
    messages: toOpenAIMessages(req.system, req.messages, options.provider),
    [options.maxTokensField ?? "max_tokens"]: req.maxTokens,
  };
  const tools = req.tools?.length ? req.tools : undefined;
  const effort: Effort | string | undefined = req.effort &&
      rules.effortLevels?.includes(req.effort)
    ? req.effort
    : tools
    ? options.effortWithTools
    : undefined;
  if (effort) {
    if (options.effortField === "reasoning") {
      body.reasoning = { ...(body.reasoning as object | undefined), effort };
    } else body.reasoning_effort = effort;
  }
  if (req.temperature !== undefined && rules.samplingParameters) {
    body.temperature = req.temperature;
  }
  if (tools) {
    body.tools = tools.map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: t.inputSchema },
    }));
    if (req.toolChoice === "required" && rules.forcedToolChoice) body.tool_choice = "required";
  }
  return body;
}

/**
 * Merges streamed `reasoning_details` deltas into whole items: pieces with the same `index`
 * (or, without one, the same position) join their text fields; other fields take the latest
 * value.
 */
export function mergeReasoningDeltas(pieces: Record<string, unknown>[]): Record<string, unknown>[] {
  const merged: Record<string, unknown>[] = [];
  const byIndex = new Map<unknown, Record<string, unknown>>();
  for (const piece of pieces) {
    const key = piece.index ?? `position-${merged.length}`;
    const current = byIndex.get(key);
    if (!current) {
      const copy = { ...piece };
      byIndex.set(key, copy);
      merged.push(copy);
      continue;
    }
    for (const [field, value] of Object.entries(piece)) {
      const joinable = field === "text" || field === "summary" || field === "data";
      if (joinable && typeof value === "string" && typeof current[field] === "string") {
        current[field] = (current[field] as string) + value;
      } else if (value !== undefined && value !== null) current[field] = value;
    }
  }
  return merged;
}

/** The assistant turn as parts: reasoning details (opaque), text, tool calls. */
function turnParts(
  provider: string,
  reasoning: unknown[] | undefined,
  text: string,
  toolCalls: ToolCall[],
): Part[] {
  const parts: Part[] = [];
  if (reasoning?.length) {
    const thinking = reasoning.map((r) => {
      const item = (r ?? {}) as Record<string, unknown>;
      return typeof item.text === "string"
        ? item.text
        : typeof item.summary === "string"
        ? item.summary
        : "";
    }).join("");
    parts.push({ type: "opaque", provider, data: reasoning, thinking });
  }
  if (text) parts.push({ type: "text", text });
  for (const call of toolCalls) parts.push({ type: "tool_call", ...call });
  return parts;
}

/**
 * A lazy loader of one openai SDK instance for `options`. Loading starts at once, while the
 * codebase loads, so the first call finds it ready; only commands that call a model create
 * clients, so dry runs never load it. A failed load is reported by that first call.
 */
export function sdkLoader(options: OpenAICompatibleOptions): () => Promise<OpenAI> {
  let sdkPromise: Promise<OpenAI> | undefined;
  const getSdk = () =>
    sdkPromise ??= import("npm:openai@7.57.0").then((m) =>
      new m.default({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        // Retries are deeprepo's (lib/providers/retry.ts), so the SDK must not retry too.
        maxRetries: 0,
        timeout: options.timeoutMs,
        defaultHeaders: options.headers,
        // Explicit values, so the SDK does not pick up OPENAI_* variables for other endpoints.
        organization: options.organization ?? null,
        project: options.project ?? null,
        adminAPIKey: null,
      })
    );
  getSdk().catch(() => {});
  return getSdk;
}

/** Creates a client for one model on an OpenAI-compatible endpoint. */
export function openAICompatibleClient(
  options: OpenAICompatibleOptions,
  getSdk: () => Promise<OpenAI> = sdkLoader(options),
): ModelClient {
  const provider = options.provider ?? "openai-compatible";
  return {
    async complete(req: CompletionRequest): Promise<CompletionResponse> {
      const sdk = await getSdk();
      const body = chatBody(options, req);
      try {
        return req.onText || req.onThinking
          ? await streamed(sdk, body, req, provider)
          : await whole(sdk, body, req, provider);
      } catch (error) {
        throw explainRefusal(options.model, error);
      }
    },
  };
}

async function whole(
  sdk: OpenAI,
  body: Record<string, unknown>,
  req: CompletionRequest,
  provider: string,
): Promise<CompletionResponse> {
  const params = body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
  const res = await sdk.chat.completions.create(params, { signal: req.signal });
  // OpenRouter reports failures after generation started inside a 200 body.
  const reported = (res as unknown as { error?: unknown }).error;
  if (reported) throw errorInBody(reported);
  if (!Array.isArray(res.choices) || !res.choices.length) {
    throw new Error("the API answered without choices");
  }
  const choice = res.choices[0];
  const calls = (choice?.message?.tool_calls ?? []).flatMap((c) =>
    c.type === "function"
      ? [{ id: c.id, name: c.function.name, input: parseArguments(c.function.arguments) }]
      : []
  );
  const text = choice?.message?.content ?? "";
  const reasoning = (choice?.message as { reasoning_details?: unknown } | undefined)
    ?.reasoning_details;
  return {
    text,
    toolCalls: calls,
    parts: turnParts(provider, Array.isArray(reasoning) ? reasoning : undefined, text, calls),
    usage: fromOpenAIUsage(res.usage),
    stopReason: normalizeFinish(choice?.finish_reason),
  };
}

async function streamed(
  sdk: OpenAI,
  body: Record<string, unknown>,
  req: CompletionRequest,
  provider: string,
): Promise<CompletionResponse> {
  const onText = req.onText ?? (() => {});
  const params = {
    ...body,
    stream: true,
    stream_options: { include_usage: true },
  } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
  const stream = await sdk.chat.completions.create(params, { signal: req.signal });
  let text = "";
  let finish: string | undefined;
  let usage: unknown;
  const reasoning: Record<string, unknown>[] = [];
  const calls: { id: string; name: string; args: string }[] = [];
  try {
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const piece = choice.delta?.content;
      if (piece) {
        text += piece;
        onText(piece);
      }
      const details = (choice.delta as { reasoning_details?: unknown } | undefined)
        ?.reasoning_details;
      if (Array.isArray(details)) {
        reasoning.push(...details);
        for (const d of details as { text?: unknown }[]) {
          if (typeof d?.text === "string" && d.text) req.onThinking?.(d.text);
        }
      }
      for (const delta of choice.delta?.tool_calls ?? []) {
        const call = calls[delta.index] ??= { id: "", name: "", args: "" };
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name += delta.function.name;
        if (delta.function?.arguments) call.args += delta.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
      if ((choice.finish_reason as string) === "error") {
        throw errorInBody({ message: 'the stream ended with finish_reason "error"' });
      }
    }
  } catch (error) {
    throw streamError(error, req.signal);
  }
  throwIfCut(req.signal);
  const toolCalls: ToolCall[] = calls.filter(Boolean).map((c) => ({
    id: c.id,
    name: c.name,
    input: parseArguments(c.args),
  }));
  const merged = reasoning.length ? mergeReasoningDeltas(reasoning) : undefined;
  return {
    text,
    toolCalls,
    parts: turnParts(provider, merged, text, toolCalls),
    usage: fromOpenAIUsage(usage),
    stopReason: normalizeFinish(finish),
  };
}

/**
 * An error the API reported inside a 200 reply or stream, with the HTTP status it stands for so
 * the retry policy can act: its numeric `code` (OpenRouter uses HTTP codes), else 502 — the
 * upstream model failed mid-generation, which is worth another try.
 */
export function errorInBody(reported: unknown): Error & { status: number } {
  const r = (reported ?? {}) as { code?: unknown; message?: unknown };
  const status = typeof r.code === "number" && r.code >= 400 && r.code < 600 ? r.code : 502;
  const message = typeof r.message === "string" && r.message
    ? r.message
    : `the API reported an error: ${JSON.stringify(reported)}`;
  return Object.assign(new Error(message), { status, error: { message } });
}

/** Tool arguments arrive as JSON text; invalid JSON is passed on as the raw string. */
function parseArguments(raw: string): unknown {
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * The error to throw for a failed SDK stream: the SDK throws an error chunk
 * (`data: {"error": ...}`) as an APIError without status, which is an error inside a 200.
 */
export function streamError(error: unknown, signal?: AbortSignal): unknown {
  const e = error as { status?: unknown; error?: unknown } | null;
  if (!signal?.aborted && e && e.status === undefined && e.error) return errorInBody(e.error);
  return error;
}

/** The SDK ends the iteration quietly on abort; a cut stream must not pass as complete. */
export function throwIfCut(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
  }
}
