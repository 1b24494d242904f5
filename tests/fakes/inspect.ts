/**
 * Reading recorded requests in any of the fake's protocols: the latest user text, the system
 * prompt, the tool results sent.
 *
 * @module
 */
import type { RecordedRequest } from "./wire.ts";

/** Text of the latest user turn (text parts and tool results), in either protocol. */
export function lastUserText(req: RecordedRequest): string {
  if (req.api === "responses") return responsesTail(req).join("\n");
  const messages = (req.body.messages ?? []) as Record<string, unknown>[];
  if (req.protocol === "anthropic") {
    const last = [...messages].reverse().find((m) => m.role === "user");
    return last ? contentText(last.content) : "";
  }
  // OpenAI: the trailing run of user and tool messages.
  const tail: string[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== "user" && m.role !== "tool") break;
    tail.unshift(contentText(m.content));
  }
  return tail.join("\n");
}

/** The system prompt of a request, in either protocol. */
export function systemText(req: RecordedRequest): string {
  if (req.protocol === "anthropic") return contentText(req.body.system ?? "");
  if (req.api === "responses") return String(req.body.instructions ?? "");
  const messages = (req.body.messages ?? []) as Record<string, unknown>[];
  return messages.filter((m) => m.role === "system").map((m) => contentText(m.content)).join(
    "\n",
  );
}

/** Tool results sent in a request (`tool_result` blocks or `tool` messages). */
export function toolResults(req: RecordedRequest): { id: string; content: string }[] {
  const results: { id: string; content: string }[] = [];
  if (req.api === "responses") {
    for (const item of (req.body.input ?? []) as Record<string, unknown>[]) {
      if (item.type === "function_call_output") {
        results.push({ id: String(item.call_id), content: String(item.output ?? "") });
      }
    }
    return results;
  }
  const messages = (req.body.messages ?? []) as Record<string, unknown>[];
  for (const m of messages) {
    if (req.protocol === "openai" && m.role === "tool") {
      results.push({ id: String(m.tool_call_id), content: contentText(m.content) });
    }
    if (req.protocol === "anthropic" && Array.isArray(m.content)) {
      for (const block of m.content as Record<string, unknown>[]) {
        if (block.type === "tool_result") {
          results.push({ id: String(block.tool_use_id), content: contentText(block.content) });
        }
      }
    }
  }
  return results;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block: Record<string, unknown>) => {
    if (typeof block.text === "string") return block.text;
    if (block.type === "tool_result") return contentText(block.content);
    return "";
  }).filter(Boolean).join("\n");
}

/** Responses API: the trailing user messages and function outputs of `input`, as text. */
function responsesTail(req: RecordedRequest): string[] {
  const input = req.body.input;
  if (typeof input === "string") return [input];
  const items = Array.isArray(input) ? input as Record<string, unknown>[] : [];
  const tail: string[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item.type === "function_call_output") tail.unshift(String(item.output ?? ""));
    else if (item.role === "user") tail.unshift(contentText(item.content));
    else break;
  }
  return tail;
}

/**
 * How many assistant turns a request's history holds, in any protocol (Responses API: runs of
 * reasoning, assistant-message and function-call items).
 */
export function assistantTurns(req: RecordedRequest): number {
  if (req.api !== "responses") {
    const messages = (req.body.messages ?? []) as { role?: unknown }[];
    return messages.filter((m) => m.role === "assistant").length;
  }
  const items = Array.isArray(req.body.input) ? req.body.input as Record<string, unknown>[] : [];
  let turns = 0;
  let inTurn = false;
  for (const item of items) {
    const assistant = item.role === "assistant" || item.type === "function_call" ||
      item.type === "reasoning";
    if (assistant && !inTurn) turns++;
    inTurn = assistant;
  }
  return turns;
}
