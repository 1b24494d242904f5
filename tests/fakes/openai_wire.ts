/**
 * Renders a scripted reply in OpenAI's formats: Chat Completions (with OpenRouter's
 * `reasoning_details` and `usage.cost`) and the Responses API, as JSON and as SSE.
 *
 * @module
 */
import { type Rendered, type ScriptedResponse, type ScriptedUsage, split, toolId } from "./wire.ts";

/** What the server decided about a reply before rendering it. */
export interface OpenAIShape {
  /** Reasoning to return (`reasoning_details` in chat, a reasoning item in Responses). */
  reasoning?: { text: string; signature: string };
  /** The text, cut when the output limit ran out. */
  text?: string;
  /** False when the limit cut the reply before its tool calls. */
  toolCalls: boolean;
  /** True when the output limit cut the reply. */
  cut: boolean;
}

/** The reply as a Chat Completions response and its SSE stream. */
export function chatReply(
  id: string,
  model: string,
  s: ScriptedResponse,
  usage: ScriptedUsage,
  shape: OpenAIShape,
  includeUsage: boolean,
): Rendered {
  const calls = (shape.toolCalls ? s.toolCalls ?? [] : []).map((c, i) => ({
    id: c.id ?? toolId("openai", Number(id.slice(5)), i),
    type: "function",
    function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) },
  }));
  const finish = shape.cut ? "length" : s.stopReason ?? (calls.length ? "tool_calls" : "stop");
  const cacheRead = usage.cacheRead ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  const prompt = usage.input + cacheRead + cacheWrite;
  const wireUsage: Record<string, unknown> = {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: {
      cached_tokens: cacheRead,
      ...(cacheWrite ? { cache_write_tokens: cacheWrite } : {}),
    },
    completion_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
  };
  if (usage.cost !== undefined) wireUsage.cost = usage.cost;
  const details = shape.reasoning
    ? [{
      type: "reasoning.text",
      text: shape.reasoning.text,
      signature: shape.reasoning.signature,
      format: "unknown",
      index: 0,
    }]
    : undefined;
  const base = { id: `chatcmpl-${id}`, created: Math.floor(Date.now() / 1000), model };
  const json = {
    ...base,
    object: "chat.completion",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: shape.text ?? null,
        ...(calls.length ? { tool_calls: calls } : {}),
        ...(details ? { reasoning: shape.reasoning!.text, reasoning_details: details } : {}),
      },
      finish_reason: finish,
      logprobs: null,
    }],
    usage: wireUsage,
  };
  const events: string[] = [];
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    events.push(
      `data: ${
        JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...extra })
      }\n\n`,
    );
  const delta = (d: Record<string, unknown>, finishReason: string | null = null) =>
    chunk([{ index: 0, delta: d, finish_reason: finishReason }]);
  delta({ role: "assistant", content: "" });
  if (details) {
    // Reasoning streams in two pieces of one item (same index), as OpenRouter sends it.
    const [item] = details;
    const half = Math.ceil(item.text.length / 2);
    delta({ reasoning_details: [{ ...item, text: item.text.slice(0, half), signature: null }] });
    delta({ reasoning_details: [{ ...item, text: item.text.slice(half) }] });
  }
  const text = shape.text ?? "";
  const pieces = s.chunks && s.chunks.join("") === text ? s.chunks : split(text);
  for (const piece of pieces) delta({ content: piece });
  calls.forEach((call, index) => {
    delta({
      tool_calls: [{
        index,
        id: call.id,
        type: "function",
        function: { name: call.function.name, arguments: "" },
      }],
    });
    for (const piece of split(call.function.arguments)) {
      delta({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  delta({}, finish);
  if (includeUsage) chunk([], { usage: wireUsage });
  events.push("data: [DONE]\n\n");
  return { json, events };
}

/** The reply as a Responses API `response` object and its SSE stream. */
export function responsesReply(
  id: string,
  model: string,
  s: ScriptedResponse,
  usage: ScriptedUsage,
  shape: OpenAIShape,
): Rendered {
  const output: Record<string, unknown>[] = [];
  if (shape.reasoning) {
    output.push({
      type: "reasoning",
      id: `rs_${id}`,
      summary: shape.reasoning.text ? [{ type: "summary_text", text: shape.reasoning.text }] : [],
      encrypted_content: shape.reasoning.signature,
    });
  }
  if (shape.text) {
    output.push({
      type: "message",
      id: `msg_${id}`,
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: shape.text, annotations: [] }],
    });
  }
  (shape.toolCalls ? s.toolCalls ?? [] : []).forEach((c, i) =>
    output.push({
      type: "function_call",
      id: `fc_${id}_${i}`,
      call_id: c.id ?? toolId("openai", Number(id.slice(5)), i),
      name: c.name,
      arguments: JSON.stringify(c.input ?? {}),
      status: "completed",
    })
  );
  const cacheRead = usage.cacheRead ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  const input = usage.input + cacheRead + cacheWrite;
  const response = {
    id: `resp_${id}`,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    model,
    status: shape.cut ? "incomplete" : "completed",
    incomplete_details: shape.cut ? { reason: "max_output_tokens" } : null,
    error: null,
    output,
    usage: {
      input_tokens: input,
      input_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: cacheWrite },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
      total_tokens: input + usage.output,
    },
  };
  const events: string[] = [];
  let sequence = 0;
  const emit = (type: string, data: Record<string, unknown>) =>
    events.push(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`,
    );
  emit("response.created", { response: { ...response, status: "in_progress", output: [] } });
  const text = shape.text ?? "";
  const pieces = s.chunks && s.chunks.join("") === text ? s.chunks : split(text);
  for (const piece of pieces) {
    emit("response.output_text.delta", {
      item_id: `msg_${id}`,
      output_index: output.findIndex((o) => o.type === "message"),
      content_index: 0,
      delta: piece,
    });
  }
  emit(shape.cut ? "response.incomplete" : "response.completed", { response });
  return { json: response, events };
}
