/**
 * Renders a scripted reply as an Anthropic Messages response: JSON and SSE events.
 *
 * @module
 */
import { type Rendered, type ScriptedResponse, type ScriptedUsage, split, toolId } from "./wire.ts";

/** What the server decided about a reply before rendering it. */
export interface AnthropicShape {
  /** The thinking block's signature, when the reply thinks. */
  signature?: string;
  /** Normalized stop: the scripted one, or `max_tokens` when the limit cut the reply. */
  stop?: string;
}

/** The content blocks of a reply (thinking first, then text, then tool calls). */
export function anthropicContent(
  id: string,
  s: ScriptedResponse,
  shape: AnthropicShape,
): Record<string, unknown>[] {
  const calls = (s.toolCalls ?? []).map((c, i) => ({
    type: "tool_use",
    id: c.id ?? toolId("anthropic", Number(id.slice(5)), i),
    name: c.name,
    input: c.input,
  }));
  const thinking = shape.signature !== undefined
    ? [{ type: "thinking", thinking: s.thinking ?? "", signature: shape.signature }]
    : [];
  const redacted = s.redactedThinking
    ? [{ type: "redacted_thinking", data: `redacted_${id}` }]
    : [];
  return [
    ...thinking,
    ...redacted,
    ...(s.extraBlocks ?? []),
    ...(s.text !== undefined ? [{ type: "text", text: s.text }] : []),
    ...calls,
  ];
}

/** Renders `content` as a message and as the SSE stream of the same message. */
export function anthropicReply(
  id: string,
  model: string,
  s: ScriptedResponse,
  content: Record<string, unknown>[],
  usage: ScriptedUsage,
  shape: AnthropicShape,
): Rendered {
  const hasCalls = content.some((b) => b.type === "tool_use");
  const stop = shape.stop ?? s.stopReason ?? (hasCalls ? "tool_use" : "end_turn");
  const wireUsage = {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_read_input_tokens: usage.cacheRead ?? 0,
    cache_creation_input_tokens: usage.cacheWrite ?? 0,
  };
  const message = {
    id: `msg_${id}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: wireUsage,
  };
  const events: string[] = [];
  const emit = (type: string, data: Record<string, unknown>) =>
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  emit("message_start", {
    message: {
      ...message,
      content: [],
      stop_reason: null,
      usage: { ...wireUsage, output_tokens: 1 },
    },
  });
  content.forEach((block, index) => {
    if (block.type === "thinking") {
      emit("content_block_start", {
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      emit("content_block_delta", {
        index,
        delta: { type: "thinking_delta", thinking: block.thinking },
      });
      emit("content_block_delta", {
        index,
        delta: { type: "signature_delta", signature: block.signature },
      });
    } else if (block.type === "text") {
      emit("content_block_start", { index, content_block: { type: "text", text: "" } });
      const text = String(block.text);
      const pieces = s.chunks && s.chunks.join("") === text ? s.chunks : split(text);
      for (const piece of pieces) {
        emit("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      }
    } else if (block.type === "tool_use") {
      emit("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      });
      for (const piece of split(JSON.stringify(block.input ?? {}))) {
        emit("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: piece },
        });
      }
    } else {
      // Redacted thinking and unknown block types arrive whole.
      emit("content_block_start", { index, content_block: block });
    }
    emit("content_block_stop", { index });
  });
  emit("message_delta", {
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output },
  });
  emit("message_stop", {});
  return { json: message, events };
}
