/**
 * A fake model server on loopback that speaks the Anthropic Messages API, OpenAI Chat
 * Completions and the OpenAI Responses API (JSON and SSE streaming, tool calls, usage with cache
 * and reasoning fields), so the real SDKs — and therefore the real plugins — run against it
 * offline.
 *
 * Routing is by path suffix, so every base URL layout works:
 * - `.../messages` (Anthropic): point `ANTHROPIC_BASE_URL` at `server.url`.
 * - `.../chat/completions` (OpenAI-compatible): `OPENAI_BASE_URL=<url>/v1`,
 *   `OPENROUTER_BASE_URL=<url>/api/v1`, `OLLAMA_HOST=<url>` (the plugin adds `/v1`).
 * - `.../responses` (OpenAI Responses API).
 *
 * Published rules: for the built-in models it knows (`rules.ts`), the server refuses exactly
 * what the real API refuses, with the real status and error body, and records each refusal in
 * {@linkcode FakeServer.refusals}. Models that always think get thinking blocks (Anthropic),
 * `reasoning_details` (OpenRouter) or reasoning items (Responses); Claude 5.5 conversations that
 * drop or change a produced turn are refused (`thinking_ledger.ts`). Reasoning tokens count
 * inside the request's output limit; when they run out the reply is cut and says so
 * (`max_tokens`, `length`, `incomplete`). OpenRouter reasoning that is not sent back with its
 * turn is recorded in {@linkcode FakeServer.droppedReasoning} (the API accepts it, the model
 * degrades).
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

import { anthropicContent, anthropicReply } from "./anthropic_wire.ts";
import { chatReply, type OpenAIShape, responsesReply } from "./openai_wire.ts";
import { checkRequest, fakeRulesOf, outputLimit, reasons, type Refusal } from "./rules.ts";
import { canonicalJson, ThinkingLedger } from "./thinking_ledger.ts";
import { base, errorResponse, hangingResponse, inBodyError } from "./faults.ts";
import type {
  Api,
  Protocol,
  RecordedRequest,
  Rendered,
  ScriptedResponse,
  ScriptedUsage,
} from "./wire.ts";

export { assistantTurns, lastUserText, systemText, toolResults } from "./inspect.ts";
export { fakeRulesOf } from "./rules.ts";
export type {
  Api,
  Fault,
  Protocol,
  RecordedRequest,
  ScriptedResponse,
  ScriptedUsage,
} from "./wire.ts";

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
  /** Requests refused for breaking their model's published rules: `model: message`. */
  refusals: string[];
  /** OpenRouter turns whose `reasoning_details` did not come back unchanged: `model: call id`. */
  droppedReasoning: string[];
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

const ROUTES: [string, Protocol, Api][] = [
  ["/messages", "anthropic", "messages"],
  ["/chat/completions", "openai", "chat"],
  ["/responses", "openai", "responses"],
];

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
  const refusals: string[] = [];
  const droppedReasoning: string[] = [];
  const ledger = new ThinkingLedger();
  /** OpenRouter reasoning produced with each tool call, to see that it comes back. */
  const reasoningByCall = new Map<string, string>();
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

  const refuse = (recorded: RecordedRequest, refusal: Refusal): Response => {
    recorded.refused = refusal.summary;
    refusals.push(`${recorded.model}: ${refusal.summary}`);
    return new Response(JSON.stringify(refusal.body), {
      status: refusal.status,
      headers: { "content-type": "application/json" },
    });
  };

  const serve = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const route = ROUTES.find(([suffix]) => url.pathname.endsWith(suffix));
    const raw = await request.text();
    if (!route) {
      failures.push(`unknown endpoint ${request.method} ${url.pathname}`);
      return new Response(`fake model server: unknown endpoint ${url.pathname}`, { status: 404 });
    }
    const [, protocol, api] = route;
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
      api,
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
    const rules = fakeRulesOf(recorded.model);
    const refusal = checkRequest(recorded) ??
      (rules?.preservedThinking ? ledger.check(body) : undefined);
    if (refusal) return refuse(recorded, refusal);
    if (rules?.reasoningMandatory) {
      checkReasoningReplay(recorded, reasoningByCall, droppedReasoning);
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
    const reply = render(id, recorded, scripted, raw, ledger, reasoningByCall);
    if (fault && "errorInBody" in fault) {
      return inBodyError(recorded, base(id, recorded), reply, fault.errorInBody);
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
    refusals,
    droppedReasoning,
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

/**
 * Renders a scripted reply for the endpoint hit: thinking or reasoning for models that always
 * think, reasoning tokens counted inside the output limit (cutting the reply when they run
 * out), Claude 5.5 turns remembered for the preserved-thinking check.
 */
function render(
  id: string,
  req: RecordedRequest,
  s: ScriptedResponse,
  raw: string,
  ledger: ThinkingLedger,
  reasoningByCall: Map<string, string>,
): Rendered {
  const rules = fakeRulesOf(req.model);
  const thinks = reasons(req) || (req.api === "messages" && s.thinking !== undefined);
  const reasoningTokens = thinks
    ? s.reasoningTokens ?? Math.ceil((s.thinking ?? "").length / 4)
    : 0;
  // The limit applies to the models the fake has rules for: reasoning plus the visible reply
  // (estimated from its size, whatever usage is scripted) must fit in the request's limit.
  const visible = Math.max(
    1,
    Math.ceil(((s.text ?? "").length + JSON.stringify(s.toolCalls ?? []).length) / 4),
  );
  const limit = rules ? outputLimit(req) : undefined;
  const cut = limit !== undefined && reasoningTokens + visible > limit;
  const usage: ScriptedUsage = {
    ...(s.usage ?? { input: Math.ceil(raw.length / 4), output: reasoningTokens + visible }),
    reasoning: s.usage?.reasoning ?? reasoningTokens,
  };
  if (cut) {
    usage.output = limit!;
    usage.reasoning = Math.min(reasoningTokens, limit!);
  }
  const room = cut ? Math.max(0, limit! - reasoningTokens) : Infinity;
  const text = s.text === undefined ? undefined : cut ? s.text.slice(0, room * 4) : s.text;
  if (req.api === "messages") {
    const signature = thinks ? ledger.sign(req.body, id) : undefined;
    const cutReply = { ...s, text, toolCalls: cut ? [] : s.toolCalls };
    const content = anthropicContent(id, cutReply, { signature });
    if (rules?.preservedThinking) ledger.remember(req.body, content);
    return anthropicReply(id, req.model, cutReply, content, usage, {
      signature,
      stop: cut ? "max_tokens" : undefined,
    });
  }
  const shape: OpenAIShape = { text, toolCalls: !cut, cut };
  if (thinks && (req.api === "responses" || rules?.reasoningMandatory)) {
    shape.reasoning = { text: s.thinking ?? "", signature: `enc_${id}` };
  }
  if (rules?.reasoningMandatory && shape.reasoning && !cut) {
    for (const [i, call] of (s.toolCalls ?? []).entries()) {
      const callId = call.id ?? `call_fake_${Number(id.slice(5))}_${i}`;
      reasoningByCall.set(callId, canonicalJson(shape.reasoning.text));
    }
  }
  if (req.api === "responses") return responsesReply(id, req.model, s, usage, shape);
  const streamOptions = req.body.stream_options as { include_usage?: boolean } | undefined;
  return chatReply(id, req.model, s, usage, shape, streamOptions?.include_usage === true);
}

/** Records OpenRouter turns whose reasoning did not come back with their tool calls. */
function checkReasoningReplay(
  req: RecordedRequest,
  reasoningByCall: Map<string, string>,
  dropped: string[],
): void {
  const messages = Array.isArray(req.body.messages)
    ? req.body.messages as Record<string, unknown>[]
    : [];
  for (const m of messages) {
    if (m.role !== "assistant" || !Array.isArray(m.tool_calls)) continue;
    for (const call of m.tool_calls as { id?: string }[]) {
      const expected = reasoningByCall.get(String(call.id));
      if (expected === undefined) continue;
      const details = Array.isArray(m.reasoning_details)
        ? m.reasoning_details as { text?: unknown }[]
        : [];
      const sent = canonicalJson(details.map((d) => String(d.text ?? "")).join(""));
      if (sent !== expected) dropped.push(`${req.model}: ${call.id}`);
    }
  }
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
