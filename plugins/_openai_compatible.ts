/**
 * A {@linkcode ModelClient} for any OpenAI-compatible Chat Completions endpoint (OpenAI,
 * OpenRouter, Ollama, ...), built on the openai SDK. The built-in `openai`, `openrouter` and
 * `ollama` plugins are thin settings over it.
 *
 * Mapping: `system` → a system message; `tool_call` parts → assistant `tool_calls` (arguments
 * as JSON text); `tool_result` parts → `tool` messages; tools → `{type:"function", function}`.
 * Usage: `prompt_tokens` includes cached tokens, so `inputTokens = prompt_tokens − cached −
 * cache writes`; `usage.cost` (OpenRouter) becomes `costUsd`. Streaming asks for usage in the
 * final chunk (`stream_options.include_usage`).
 *
 * @module
 */
// Types only at load time: the SDK itself is imported on the first call, so listing models,
// resolving them and --dry-run never pay for loading it.
import type OpenAI from "npm:openai@7.57.0";
import type {
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelClient,
  ToolCall,
  Usage,
} from "../lib/providers/types.ts";

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

/** Converts normalized messages to Chat Completions messages. */
export function toOpenAIMessages(system: string | undefined, messages: Message[]): ChatMessage[] {
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
      out.push({
        role: "assistant",
        content: text || (calls.length ? null : ""),
        ...(calls.length ? { tool_calls: calls } : {}),
      });
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
  if (typeof u.cost === "number" && Number.isFinite(u.cost)) usage.costUsd = u.cost;
  return usage;
}

/** Creates a client for one model on an OpenAI-compatible endpoint. */
export function openAICompatibleClient(options: OpenAICompatibleOptions): ModelClient {
  // Retries are deeprepo's (lib/providers/retry.ts), so the SDK must not retry too.
  let sdkPromise: Promise<OpenAI> | undefined;
  const getSdk = () =>
    sdkPromise ??= import("npm:openai@7.57.0").then((m) =>
      new m.default({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        maxRetries: 0,
        timeout: options.timeoutMs,
        defaultHeaders: options.headers,
        // Explicit values, so the SDK does not pick up OPENAI_* variables for other endpoints.
        organization: options.organization ?? null,
        project: options.project ?? null,
        adminAPIKey: null,
      })
    );
  // Start loading the SDK now, while the codebase loads: the first call then finds it ready.
  // Only commands that call a model create clients, so dry runs never load it. A failed load is
  // reported by that first call.
  getSdk().catch(() => {});
  const limitField = options.maxTokensField ?? "max_tokens";
  return {
    async complete(req: CompletionRequest): Promise<CompletionResponse> {
      const sdk = await getSdk();
      const body: Record<string, unknown> = {
        ...options.extraBody,
        model: options.model,
        messages: toOpenAIMessages(req.system, req.messages),
        [limitField]: req.maxTokens,
      };
      if (req.temperature !== undefined) body.temperature = req.temperature;
      if (req.tools?.length) {
        body.tools = req.tools.map((t) => ({
          type: "function",
          function: { name: t.name, description: t.description, parameters: t.inputSchema },
        }));
        if (req.toolChoice === "required") body.tool_choice = "required";
      }
      const requestOptions = { signal: req.signal };
      if (!req.onText) {
        const params =
          body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
        const res = await sdk.chat.completions.create(params, requestOptions);
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
        return {
          text: choice?.message?.content ?? "",
          toolCalls: calls,
          usage: fromOpenAIUsage(res.usage),
          stopReason: choice?.finish_reason ?? undefined,
        };
      }
      const params = {
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
      const stream = await sdk.chat.completions.create(params, requestOptions);
      let text = "";
      let stopReason: string | undefined;
      let usage: unknown;
      const calls: { id: string; name: string; args: string }[] = [];
      try {
        for await (const chunk of stream) {
          if (chunk.usage) usage = chunk.usage;
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const piece = choice.delta?.content;
          if (piece) {
            text += piece;
            req.onText(piece);
          }
          for (const delta of choice.delta?.tool_calls ?? []) {
            const call = calls[delta.index] ??= { id: "", name: "", args: "" };
            if (delta.id) call.id = delta.id;
            if (delta.function?.name) call.name += delta.function.name;
            if (delta.function?.arguments) call.args += delta.function.arguments;
          }
          if (choice.finish_reason) stopReason = choice.finish_reason;
          if ((choice.finish_reason as string) === "error") {
            throw errorInBody({ message: 'the stream ended with finish_reason "error"' });
          }
        }
      } catch (error) {
        // The SDK throws an error chunk (`data: {"error": ...}`) as an APIError without status.
        const e = error as { status?: unknown; error?: unknown } | null;
        if (!req.signal?.aborted && e && e.status === undefined && e.error) {
          throw errorInBody(e.error);
        }
        throw error;
      }
      // The SDK ends the iteration quietly on abort; a cut stream must not pass as complete.
      if (req.signal?.aborted) {
        throw req.signal.reason instanceof Error ? req.signal.reason : new Error("aborted");
      }
      const toolCalls: ToolCall[] = calls.filter(Boolean).map((c) => ({
        id: c.id,
        name: c.name,
        input: parseArguments(c.args),
      }));
      return { text, toolCalls, usage: fromOpenAIUsage(usage), stopReason };
    },
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
