/**
 * Server-sent events (`text/event-stream`) from a `fetch` response, one event at a time: what
 * a plugin needs to stream an API that answers in SSE.
 *
 * @module
 */

/** One server-sent event. */
export interface SSEEvent {
  /** The `event:` field, or `"message"` when the event has none. */
  event: string;
  /** The `data:` lines, joined with `\n`. */
  data: string;
  /** The `id:` field, when present. */
  id?: string;
}

/**
 * Parses a server-sent event stream (the WHATWG rules: `\n`, `\r\n` or `\r` line ends, comment
 * lines starting with `:`, multi-line `data`, events ended by a blank line; a last event without
 * a blank line is still delivered).
 *
 * @param body A response body (`res.body`) or any stream of bytes.
 * @returns The events in order.
 * @throws {TypeError} When `body` is null (the response had no body).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const res = new Response('data: {"n": 1}\n\n: a comment\nevent: done\ndata: [DONE]\n\n');
 * const events = [];
 * for await (const event of parseSSE(res.body)) events.push(event);
 * assert.deepEqual(events, [
 *   { event: "message", data: '{"n": 1}' },
 *   { event: "done", data: "[DONE]" },
 * ]);
 * ```
 */
export async function* parseSSE(
  body: ReadableStream<Uint8Array> | null,
): AsyncGenerator<SSEEvent> {
  if (!body) throw new TypeError("parseSSE: the response has no body");
  const decoder = new TextDecoder();
  let buffer = "";
  let pending: { event: string; data: string[]; id?: string } = { event: "", data: [] };
  const finish = (): SSEEvent | undefined => {
    const done = pending;
    pending = { event: "", data: [] };
    if (!done.data.length) return undefined;
    return {
      event: done.event || "message",
      data: done.data.join("\n"),
      ...(done.id !== undefined ? { id: done.id } : {}),
    };
  };
  const field = (line: string) => {
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") pending.data.push(value);
    else if (name === "event") pending.event = value;
    else if (name === "id") pending.id = value;
  };
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    const lines = buffer.split(/\r\n|\r(?!$)|\n/);
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === "") {
        const event = finish();
        if (event) yield event;
      } else if (!line.startsWith(":")) field(line);
    }
  }
  buffer += decoder.decode();
  if (buffer && !buffer.startsWith(":")) field(buffer.replace(/\r$/, ""));
  const last = finish();
  if (last) yield last;
}
