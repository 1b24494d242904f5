/**
 * Error replies of the fake model server: HTTP errors in each protocol's body format, errors
 * inside a 200 reply or stream, and replies that stop halfway.
 *
 * @module
 */
import type { Protocol, RecordedRequest, Rendered } from "./wire.ts";

export function errorResponse(
  protocol: Protocol,
  status: number,
  message: string,
  headers: Record<string, string>,
): Response {
  const type = status === 429
    ? "rate_limit_error"
    : status >= 500
    ? "api_error"
    : "invalid_request";
  const body = protocol === "anthropic"
    ? { type: "error", error: { type, message } }
    : { error: { message, type, code: status } };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Fields every OpenAI-compatible chunk carries. */
export function base(id: string, req: RecordedRequest): Record<string, unknown> {
  return { id: `chatcmpl-${id}`, created: Math.floor(Date.now() / 1000), model: req.model };
}

/** A 200 that carries an error (see the `errorInBody` fault). */
export function inBodyError(
  req: RecordedRequest,
  chunkBase: Record<string, unknown>,
  reply: Rendered,
  error: { code?: number; type?: string; message: string },
): Response {
  const { protocol, stream } = req;
  if (req.api === "responses") return responsesFailure(reply, stream, error);
  const anthropicError = {
    type: "error",
    error: { type: error.type ?? "overloaded_error", message: error.message },
  };
  const openaiError = {
    ...(error.code !== undefined ? { code: error.code } : {}),
    message: error.message,
  };
  if (!stream) {
    const body = protocol === "anthropic" ? anthropicError : { error: openaiError };
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }
  // The first half of the reply, without the closing events (usage, message_stop, [DONE]).
  const events = reply.events.slice(0, Math.max(1, Math.floor(reply.events.length / 2)));
  events.push(
    protocol === "anthropic"
      ? `event: error\ndata: ${JSON.stringify(anthropicError)}\n\n`
      : `data: ${
        JSON.stringify({
          ...chunkBase,
          object: "chat.completion.chunk",
          error: openaiError,
          choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
        })
      }\n\n`,
  );
  return new Response(events.join(""), {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

/** A 200 whose body sends `part` and then never ends (until `signal` fires). */
export function hangingResponse(part: string, stream: boolean, signal: AbortSignal): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(part));
      signal.addEventListener("abort", () => {
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      }, { once: true });
    },
  });
  return new Response(body, {
    headers: { "content-type": stream ? "text/event-stream" : "application/json" },
  });
}

/** A Responses API reply that failed after it started (`status: "failed"`). */
function responsesFailure(
  reply: Rendered,
  stream: boolean,
  error: { code?: number; message: string },
): Response {
  const failed = {
    ...(reply.json as Record<string, unknown>),
    status: "failed",
    output: [],
    error: { code: error.code ?? "server_error", message: error.message },
  };
  if (!stream) {
    return new Response(JSON.stringify(failed), {
      headers: { "content-type": "application/json" },
    });
  }
  const events = reply.events.slice(0, Math.max(1, Math.floor(reply.events.length / 2)));
  events.push(
    `event: response.failed\ndata: ${
      JSON.stringify({ type: "response.failed", response: failed })
    }\n\n`,
  );
  return new Response(events.join(""), {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}
