/**
 * Renders a {@linkcode ScriptedReply} as an OpenAI-compatible Chat Completions reply: a JSON
 * body, or SSE chunks (text in pieces, tool calls, a final usage chunk when the request asked
 * for `stream_options.include_usage`, `[DONE]`). Errors are `{error: {message, code}}` with the
 * status; an error inside a 200 is that body (or, streaming, a chunk with `error` and
 * `finish_reason: "error"` after the first text).
 *
 * @module
 */
import type { FakeRequest, ScriptedReply } from "../providers/mod.ts";

const FINISH = { end: "stop", tool_use: "tool_calls", max_tokens: "length" } as const;

/**
 * One reply in Chat Completions format for `request`.
 *
 * @param reply What to answer.
 * @param request The request (decides JSON or SSE).
 */
export function renderOpenAIReply(reply: ScriptedReply, request: FakeRequest): Response {
  const body = (request.json ?? {}) as Record<string, unknown>;
  const stream = body.stream === true;
  if (reply.error && !reply.error.inBody) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (reply.error.retryAfterMs !== undefined) {
      headers["retry-after-ms"] = String(reply.error.retryAfterMs);
    }
    const error = { message: reply.error.message, code: reply.error.status };
    return new Response(JSON.stringify({ error }), { status: reply.error.status, headers });
  }
  const cacheRead = reply.usage.cacheReadTokens ?? 0;
  const usage = {
    prompt_tokens: reply.usage.inputTokens + cacheRead,
    completion_tokens: reply.usage.outputTokens,
    total_tokens: reply.usage.inputTokens + cacheRead + reply.usage.outputTokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
  const calls = reply.toolCalls.map((c) => ({
    id: c.id,
    type: "function",
    function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) },
  }));
  const base = { id: "chatcmpl-fake", created: 0, model: String(body.model ?? "") };
  const inBody = reply.error?.inBody
    ? { message: reply.error.message, code: reply.error.status }
    : undefined;
  if (!stream) {
    if (inBody) return json({ error: inBody });
    const message = {
      role: "assistant",
      content: reply.text || null,
      ...(calls.length ? { tool_calls: calls } : {}),
    };
    return json({
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message, finish_reason: FINISH[reply.stopReason] }],
      usage,
    });
  }
  const events: unknown[] = [];
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    events.push({
      ...base,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta: d, finish_reason: finish }],
    });
  delta({ role: "assistant", content: "" });
  for (let i = 0; i < reply.text.length; i += 8) delta({ content: reply.text.slice(i, i + 8) });
  if (inBody) {
    events.push({
      ...base,
      object: "chat.completion.chunk",
      error: inBody,
      choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
    });
    return sse(events);
  }
  calls.forEach((call, index) => delta({ tool_calls: [{ index, ...call }] }));
  delta({}, FINISH[reply.stopReason]);
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) events.push({ ...base, choices: [], usage });
  return sse(events, true);
}

function json(value: unknown): Response {
  return new Response(JSON.stringify(value), { headers: { "content-type": "application/json" } });
}

function sse(events: unknown[], done = false): Response {
  const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") +
    (done ? "data: [DONE]\n\n" : "");
  return new Response(text, { headers: { "content-type": "text/event-stream" } });
}
