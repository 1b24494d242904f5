/**
 * A {@linkcode ModelClient} over OpenAI's Responses API (`/v1/responses`), for the models that
 * take function tools only there (GPT-6.1 Sol and Terra; GPT-6 Sol and Luna when reasoning).
 *
 * Mapping: `system` → `instructions`; user text → user messages; `tool_result` parts →
 * `function_call_output` items; assistant `tool_call` parts → `function_call` items; assistant
 * text → assistant messages; `opaque` parts (reasoning items, with their encrypted content) go
 * back unchanged in their place. Requests are not stored (`store: false`), so reasoning is kept
 * by sending `include: ["reasoning.encrypted_content"]` and replaying the items. Usage: cached
 * and cache-written tokens are taken out of `input_tokens`; `reasoning_tokens` become
 * `reasoningTokens`. `status: "incomplete"` for `max_output_tokens` is the stop reason
 * `max_tokens`.
 *
 * @module
 */
import type OpenAI from "npm:openai@7.57.0";
import type {
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelRules,
  Part,
  ToolCall,
  Usage,
} from "../lib/providers/types.ts";
import { errorInBody, streamError, throwIfCut } from "./_openai_compatible.ts";

/** The opaque-part provider tag for Responses items. */
const PROVIDER = "openai";

/** Builds a Responses request body, leaving out what the model's rules refuse. */
export function responsesBody(
  model: string,
  rules: ModelRules,
  req: CompletionRequest,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    input: toResponsesInput(req.messages),
    max_output_tokens: req.maxTokens,
    store: false,
    include: ["reasoning.encrypted_content"],
  };
  if (req.system) body.instructions = req.system;
  if (req.effort && rules.effortLevels?.includes(req.effort)) {
    body.reasoning = { effort: req.effort };
  }
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      type: "function",
      name: t.name,
      description: t.description,
      parameters: t.inputSchema,
      strict: false,
    }));
    if (req.toolChoice === "required" && rules.forcedToolChoice) body.tool_choice = "required";
  }
  return body;
}

/** Converts normalized messages to Responses input items (see the module doc). */
export function toResponsesInput(messages: Message[]): unknown[] {
  const items: unknown[] = [];
  for (const message of messages) {
    if (typeof message.content === "string") {
      items.push({ role: message.role, content: message.content });
      continue;
    }
    for (const part of message.content) {
      switch (part.type) {
        case "text":
          if (part.text) items.push({ role: message.role, content: part.text });
          break;
        case "tool_call":
          items.push({
            type: "function_call",
            call_id: part.id,
            name: part.name,
            arguments: JSON.stringify(part.input ?? {}),
          });
          break;
        case "tool_result":
          items.push({ type: "function_call_output", call_id: part.id, output: part.content });
          break;
        case "opaque":
          if (part.provider === PROVIDER) items.push(part.data);
          break;
      }
    }
  }
  return items;
}

/** Normalizes a Responses `response` object. */
export function fromResponse(response: Record<string, unknown>): CompletionResponse {
  const output = Array.isArray(response.output) ? response.output as Record<string, unknown>[] : [];
  const parts: Part[] = [];
  const toolCalls: ToolCall[] = [];
  let text = "";
  for (const item of output) {
    if (item.type === "message") {
      const content = Array.isArray(item.content) ? item.content as Record<string, unknown>[] : [];
      const piece = content.flatMap((c) => c.type === "output_text" ? [String(c.text ?? "")] : [])
        .join("");
      if (piece) {
        text += piece;
        parts.push({ type: "text", text: piece });
      }
    } else if (item.type === "function_call") {
      const call = {
        id: String(item.call_id ?? item.id ?? ""),
        name: String(item.name ?? ""),
        input: parseArguments(String(item.arguments ?? "")),
      };
      toolCalls.push(call);
      parts.push({ type: "tool_call", ...call });
    } else {
      const summary = Array.isArray(item.summary)
        ? (item.summary as Record<string, unknown>[]).map((s) => String(s.text ?? "")).join("\n")
        : undefined;
      parts.push({ type: "opaque", provider: PROVIDER, data: item, thinking: summary });
    }
  }
  const incomplete = (response.incomplete_details ?? {}) as { reason?: unknown };
  const stopReason = response.status === "incomplete"
    ? incomplete.reason === "max_output_tokens"
      ? "max_tokens"
      : incomplete.reason === "content_filter"
      ? "refusal"
      : String(incomplete.reason ?? "incomplete")
    : toolCalls.length
    ? "tool_use"
    : "end";
  return { text, toolCalls, parts, usage: fromResponsesUsage(response.usage), stopReason };
}

/** Normalizes Responses usage: cache reads and writes come out of `input_tokens`. */
export function fromResponsesUsage(raw: unknown): Usage {
  const u = (raw ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const inDetails = (u.input_tokens_details ?? {}) as Record<string, unknown>;
  const outDetails = (u.output_tokens_details ?? {}) as Record<string, unknown>;
  const cacheRead = num(inDetails.cached_tokens);
  const cacheWrite = num(inDetails.cache_write_tokens);
  const usage: Usage = {
    inputTokens: Math.max(0, num(u.input_tokens) - cacheRead - cacheWrite),
    outputTokens: num(u.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
  if (num(outDetails.reasoning_tokens) > 0) {
    usage.reasoningTokens = num(outDetails.reasoning_tokens);
  }
  return usage;
}

/** Sends one request through the Responses API, streaming text to `req.onText` when set. */
export async function completeWithResponses(
  sdk: OpenAI,
  body: Record<string, unknown>,
  req: CompletionRequest,
): Promise<CompletionResponse> {
  const options = { signal: req.signal };
  if (!req.onText && !req.onThinking) {
    const params = body as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming;
    const response = await sdk.responses.create(params, options);
    const r = response as unknown as Record<string, unknown>;
    if (r.status === "failed" && r.error) throw errorInBody(r.error);
    return fromResponse(r);
  }
  const params = {
    ...body,
    stream: true,
  } as unknown as OpenAI.Responses.ResponseCreateParamsStreaming;
  const stream = await sdk.responses.create(params, options);
  let final: Record<string, unknown> | undefined;
  try {
    for await (const event of stream) {
      const e = event as unknown as Record<string, unknown>;
      if (e.type === "response.output_text.delta" && typeof e.delta === "string") {
        req.onText?.(e.delta);
      } else if (
        e.type === "response.reasoning_summary_text.delta" && typeof e.delta === "string"
      ) {
        req.onThinking?.(e.delta);
      } else if (e.type === "response.completed" || e.type === "response.incomplete") {
        final = e.response as Record<string, unknown>;
      } else if (e.type === "response.failed") {
        const failed = (e.response ?? {}) as Record<string, unknown>;
        throw errorInBody(failed.error ?? { message: "the response failed" });
      } else if (e.type === "error") {
        throw errorInBody(e.error ?? e);
      }
    }
  } catch (error) {
    throw streamError(error, req.signal);
  }
  throwIfCut(req.signal);
  if (!final) throw errorInBody({ message: "the stream ended without a final response" });
  return fromResponse(final);
}

function parseArguments(raw: string): unknown {
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
