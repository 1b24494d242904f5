/**
 * A fake model server on loopback that speaks the Anthropic Messages API and OpenAI Chat
 * Completions (JSON and SSE streaming, tool calls, usage with cache fields), so the real SDKs
 * — and therefore the real plugins — run against it offline.
 *
 * Routing is by path suffix, so every base URL layout works:
 * - `.../messages` (Anthropic): point `ANTHROPIC_BASE_URL` at `server.url`.
 * - `.../chat/completions` (OpenAI-compatible): `OPENAI_BASE_URL=<url>/v1`,
 *   `OPENROUTER_BASE_URL=<url>/api/v1`, `OLLAMA_HOST=<url>` (the plugin adds `/v1`).
 * {@linkcode FakeServer.env} returns exactly these variables plus fake keys and fast retry and
 * timeout settings, ready for `envFromRecord`.
 *
 * Scripting: {@linkcode FakeServer.enqueue} queues protocol-neutral {@linkcode ScriptedResponse}s
 * (served in order, to any protocol), {@linkcode FakeServer.enqueueFor} queues them for one
 * protocol or one model id, and {@linkcode FakeServer.handler} computes replies from the request
 * when no queued response applies. Order of lookup: model queue, protocol queue, shared queue,
 * protocol handler, shared handler. When nothing applies the server answers 500 with
 * "fake model server: no scripted response left for ..." and records the failure:
 * {@linkcode FakeServer.assertNoFailures} then throws, so a test cannot pass by accident.
 *
 * @example
 * ```ts
 * const server = await startFakeModelServer();
 * try {
 *   server.enqueue({ text: "hello", usage: { input: 10, output: 2 } });
 *   // ... run code with envFromRecord(server.env()) ...
 *   server.assertNoFailures();
 * } finally {
 *   await server.close();
 * }
 * ```
 *
 * @module
 */

/** Wire protocol of an endpoint. */
export type Protocol = "anthropic" | "openai";

/** Token counts of a scripted response. */
export interface ScriptedUsage {
  /** Uncached input tokens (OpenAI `prompt_tokens` is rendered as input + cacheRead + cacheWrite). */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** Provider-reported cost in USD (OpenRouter `usage.cost`); OpenAI protocol only. */
  cost?: number;
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
  /** Anthropic only: a thinking block (with a fake signature) before the text. */
  thinking?: string;
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
  /** What was served (undefined when nothing was scripted). */
  response?: ScriptedResponse;
}

/** Computes a reply from a request. */
export type Handler = (
  req: RecordedRequest,
) => ScriptedResponse | Promise<ScriptedResponse>;

/** Options of {@linkcode startFakeModelServer}. */
export interface FakeServerOptions {
  /** When set, requests must carry this key (`x-api-key` or `Authorization: Bearer`), else 401. */
  apiKey?: string;
  /** Initial shared queue. */
  responses?: ScriptedResponse[];
  /** Initial shared handler. */
  handler?: Handler;
}

/** A running fake server. */
export interface FakeServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Requests nothing was scripted for (and other server-side problems). */
  failures: string[];
  /** Queues replies for any protocol and model, served in order. */
  enqueue(...responses: ScriptedResponse[]): void;
  /** Queues replies for one protocol (`"anthropic"`/`"openai"`) or one model id. */
  enqueueFor(target: Protocol | string, ...responses: ScriptedResponse[]): void;
  /** Sets the handler used when no queued reply applies (for one protocol, or for all). */
  handler(fn: Handler, protocol?: Protocol): void;
  /** Requests received for one protocol. */
  requestsFor(protocol: Protocol): RecordedRequest[];
  /** Throws when any request found no scripted reply. */
  assertNoFailures(): void;
  /** Base URLs for every built-in plugin, fake keys, 1 ms retry base and a 2 s request timeout. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts a fake model server on `127.0.0.1` and a free port.
 *
 * @param options Key check and initial scripting.
 * @returns The running server; call `close()` in `finally`.
 */
export async function startFakeModelServer(
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const shared: ScriptedResponse[] = [...(options.responses ?? [])];
  const keyed = new Map<string, ScriptedResponse[]>();
  const handlers = new Map<string, Handler>();
  if (options.handler) handlers.set("*", options.handler);
  const requests: RecordedRequest[] = [];
  const failures: string[] = [];
  const closing = new AbortController();
  let counter = 0;

  const next = async (req: RecordedRequest): Promise<ScriptedResponse | undefined> => {
    for (const key of [`model:${req.model}`, `protocol:${req.protocol}`]) {
      const queue = keyed.get(key);
      if (queue?.length) return queue.shift();
    }
    if (shared.length) return shared.shift();
    const fn = handlers.get(req.protocol) ?? handlers.get("*");
    return fn ? await fn(req) : undefined;
  };

  const serve = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const protocol: Protocol | undefined = url.pathname.endsWith("/messages")
      ? "anthropic"
      : url.pathname.endsWith("/chat/completions")
      ? "openai"
      : undefined;
    const raw = await request.text();
    if (!protocol) {
      failures.push(`unknown endpoint ${request.method} ${url.pathname}`);
      return new Response(`fake model server: unknown endpoint ${url.pathname}`, { status: 404 });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      body = { raw };
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => headers[name] = value);
    const recorded: RecordedRequest = {
      protocol,
      method: request.method,
      path: url.pathname,
      headers,
      body,
      model: String(body.model ?? ""),
      stream: body.stream === true,
    };
    requests.push(recorded);

    if (options.apiKey) {
      const given = headers["x-api-key"] ?? headers["authorization"]?.replace(/^Bearer /, "");
      if (given !== options.apiKey) {
        return errorResponse(protocol, 401, "invalid x-api-key", {});
      }
    }

    let scripted: ScriptedResponse | undefined;
    try {
      scripted = await next(recorded);
    } catch (error) {
      const message =
        `fake model server: handler threw for ${protocol} ${recorded.model}: ${error}`;
      failures.push(message);
      return errorResponse(protocol, 500, message, {});
    }
    if (!scripted) {
      const message = `fake model server: no scripted response left for ${protocol} ` +
        `${recorded.model} (request #${requests.length})`;
      failures.push(message);
      return errorResponse(protocol, 500, message, {});
    }
    recorded.response = scripted;
    const fault = scripted.fault;
    // Stalls end when the server closes. (Watching request.signal for the client giving up
    // would make Deno print a warning about its legacy abort behaviour.)
    if (scripted.latencyMs) await sleep(scripted.latencyMs, closing.signal);
    if (fault && "stall" in fault) {
      await sleep(Infinity, closing.signal);
      return new Response("stalled", { status: 504 });
    }
    if (fault && "status" in fault) {
      const extra: Record<string, string> = {};
      if (fault.retryAfter !== undefined) extra["retry-after"] = String(fault.retryAfter);
      if (fault.retryAfterMs !== undefined) extra["retry-after-ms"] = String(fault.retryAfterMs);
      return errorResponse(
        protocol,
        fault.status,
        fault.message ?? `fake error ${fault.status}`,
        extra,
      );
    }
    const malformed = fault !== undefined && "malformed" in fault;
    const id = `fake_${++counter}`;
    const usage = scripted.usage ?? estimateUsage(raw, scripted);
    const render = protocol === "anthropic" ? anthropicReply : openaiReply;
    const reply = render(id, recorded, scripted, usage);
    if (fault && "errorInBody" in fault) {
      return inBodyError(protocol, base(id, recorded), reply, recorded.stream, fault.errorInBody);
    }
    if (fault && "stallMidStream" in fault) {
      const part = recorded.stream
        ? reply.events.slice(0, Math.max(1, Math.floor(reply.events.length / 2))).join("")
        : JSON.stringify(reply.json).slice(0, 20);
      return hangingResponse(part, recorded.stream, closing.signal);
    }
    if (recorded.stream) {
      const events = malformed
        ? [...reply.events.slice(0, 1), "data: {not json\n\n"]
        : reply.events;
      return new Response(events.join(""), {
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    }
    return new Response(malformed ? '{"id": "broken", "content": [' : JSON.stringify(reply.json), {
      headers: { "content-type": "application/json" },
    });
  };

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, signal: closing.signal },
    serve,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  await Promise.resolve();

  return {
    url,
    requests,
    failures,
    enqueue(...responses) {
      shared.push(...responses);
    },
    enqueueFor(target, ...responses) {
      const key = target === "anthropic" || target === "openai"
        ? `protocol:${target}`
        : `model:${target}`;
      const queue = keyed.get(key) ?? [];
      queue.push(...responses);
      keyed.set(key, queue);
    },
    handler(fn, protocol) {
      handlers.set(protocol ?? "*", fn);
    },
    requestsFor(protocol) {
      return requests.filter((r) => r.protocol === protocol);
    },
    assertNoFailures() {
      if (failures.length) {
        throw new Error(`fake model server failures:\n${failures.join("\n")}`);
      }
    },
    env() {
      return {
        ANTHROPIC_BASE_URL: url,
        OPENROUTER_BASE_URL: `${url}/api/v1`,
        OPENAI_BASE_URL: `${url}/v1`,
        OLLAMA_HOST: url,
        ANTHROPIC_API_KEY: "fake-anthropic-key",
        OPENROUTER_API_KEY: "fake-openrouter-key",
        OPENAI_API_KEY: "fake-openai-key",
        DEEPREPO_RETRY_BASE_MS: "1",
        DEEPREPO_REQUEST_TIMEOUT_MS: "2000",
      };
    },
    async close() {
      if (!closing.signal.aborted) closing.abort();
      await server.finished;
    },
  };
}

/** Text of the latest user turn (text parts and tool results), in either protocol. */
export function lastUserText(req: RecordedRequest): string {
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
  const messages = (req.body.messages ?? []) as Record<string, unknown>[];
  return messages.filter((m) => m.role === "system").map((m) => contentText(m.content)).join(
    "\n",
  );
}

/** Tool results sent in a request (`tool_result` blocks or `tool` messages). */
export function toolResults(req: RecordedRequest): { id: string; content: string }[] {
  const messages = (req.body.messages ?? []) as Record<string, unknown>[];
  const results: { id: string; content: string }[] = [];
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

function errorResponse(
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

interface Rendered {
  json: unknown;
  events: string[];
}

function toolId(protocol: Protocol, n: number, i: number): string {
  return protocol === "anthropic" ? `toolu_fake_${n}_${i}` : `call_fake_${n}_${i}`;
}

function anthropicReply(
  id: string,
  req: RecordedRequest,
  s: ScriptedResponse,
  usage: ScriptedUsage,
): Rendered {
  const calls = (s.toolCalls ?? []).map((c, i) => ({
    type: "tool_use",
    id: c.id ?? toolId("anthropic", Number(id.slice(5)), i),
    name: c.name,
    input: c.input,
  }));
  const thinking = s.thinking !== undefined
    ? [{ type: "thinking", thinking: s.thinking, signature: `sig_${id}` }]
    : [];
  const content = [
    ...thinking,
    ...(s.text !== undefined ? [{ type: "text", text: s.text }] : []),
    ...calls,
  ];
  const stop = s.stopReason ?? (calls.length ? "tool_use" : "end_turn");
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
    model: req.model,
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
      const { thinking: thought, signature } = block as { thinking: string; signature: string };
      emit("content_block_start", {
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      emit("content_block_delta", { index, delta: { type: "thinking_delta", thinking: thought } });
      emit("content_block_delta", { index, delta: { type: "signature_delta", signature } });
    } else if (block.type === "text") {
      emit("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const piece of s.chunks ?? split(s.text ?? "")) {
        emit("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      }
    } else {
      const call = block as { id: string; name: string; input: unknown };
      emit("content_block_start", {
        index,
        content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
      });
      for (const piece of split(JSON.stringify(call.input ?? {}))) {
        emit("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: piece },
        });
      }
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

function openaiReply(
  id: string,
  req: RecordedRequest,
  s: ScriptedResponse,
  usage: ScriptedUsage,
): Rendered {
  const calls = (s.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? toolId("openai", Number(id.slice(5)), i),
    type: "function",
    function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) },
  }));
  const finish = s.stopReason ?? (calls.length ? "tool_calls" : "stop");
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
  };
  if (usage.cost !== undefined) wireUsage.cost = usage.cost;
  const created = Math.floor(Date.now() / 1000);
  const base = { id: `chatcmpl-${id}`, created, model: req.model };
  const json = {
    ...base,
    object: "chat.completion",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: s.text ?? null,
        ...(calls.length ? { tool_calls: calls } : {}),
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
  for (const piece of s.chunks ?? split(s.text ?? "")) delta({ content: piece });
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
  const options = req.body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) chunk([], { usage: wireUsage });
  events.push("data: [DONE]\n\n");
  return { json, events };
}

/** Fields every OpenAI-compatible chunk carries. */
function base(id: string, req: RecordedRequest): Record<string, unknown> {
  return { id: `chatcmpl-${id}`, created: Math.floor(Date.now() / 1000), model: req.model };
}

/** A 200 that carries an error (see the `errorInBody` fault). */
function inBodyError(
  protocol: Protocol,
  chunkBase: Record<string, unknown>,
  reply: Rendered,
  stream: boolean,
  error: { code?: number; type?: string; message: string },
): Response {
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
function hangingResponse(part: string, stream: boolean, signal: AbortSignal): Response {
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

function split(text: string, size = 16): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function estimateUsage(raw: string, s: ScriptedResponse): ScriptedUsage {
  const out = (s.text ?? "").length + JSON.stringify(s.toolCalls ?? []).length;
  return { input: Math.ceil(raw.length / 4), output: Math.max(1, Math.ceil(out / 4)) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
