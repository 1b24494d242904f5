/**
 * Example deeprepo provider plugin: "acme", a made-up vendor whose API speaks OpenAI-style
 * Chat Completions. It uses plain `fetch` (no SDK, no imports but types) so every step a plugin
 * owns is visible and it loads in the compiled binary too: converting messages and tools,
 * parsing replies and usage, streaming, normalizing stop reasons, passing the signal on, and
 * reporting failures — HTTP errors, errors inside a 200 reply or stream, settings the user must
 * fix — so deeprepo's retries act on them. (With the plugin kit, the same provider is
 * `examples/plugins/nimbus_kit.ts`: 11 lines of code.)
 *
 * Try it:
 *   deeprepo plugins check examples/plugins/acme_chat.ts
 *   ACME_API_KEY=... ACME_BASE_URL=http://127.0.0.1:8080/v1 \
 *     deeprepo analyze . --plugin examples/plugins/acme_chat.ts --sub-model acme-small
 *
 * A plugin outside this repository imports the types from deeprepo's URL instead, e.g.
 * `import type { ProviderPlugin } from "https://<deeprepo>/lib/providers/types.ts";`
 * (types only: nothing of deeprepo is loaded at run time).
 *
 * @module
 */
import type {
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelClient,
  ProviderPlugin,
  Usage,
} from "../../lib/providers/types.ts";

const plugin: ProviderPlugin = {
  // Provider id: what users type before the colon in `acme:<model>`.
  name: "acme",
  // deeprepo checks this variable before creating a client and says how to set it.
  keyVariable: "ACME_API_KEY",
  models: [
    {
      id: "acme-large",
      aliases: ["acme"],
      contextWindow: 200_000,
      // USD per 1M tokens. cacheRead/cacheWrite default to the input price.
      pricing: { input: 1.5, output: 6, cacheRead: 0.15 },
    },
    { id: "acme-small", contextWindow: 64_000, pricing: { input: 0.1, output: 0.4 } },
  ],
  // What `--root-model acme` / `--sub-model acme` pick.
  defaults: { root: "acme-large", sub: "acme-small" },
  // Claim ids that are not listed (they run at $1.00/$1.00 with a warning unless
  // `unlistedPricing` says otherwise).
  handles: (model) => model.startsWith("acme-"),
  // What unlisted ids accept (listed models may carry `rules` too). Without rules deeprepo
  // assumes the least: no forced tool choice, no temperature, no effort.
  unlistedRules: { forcedToolChoice: true },
  createClient(ctx) {
    // No network here: only read and check settings. A thrown error is exit 2 naming it.
    const key = ctx.env("ACME_API_KEY");
    if (!key) throw new Error("ACME_API_KEY is not set (environment or .env)");
    const base = (ctx.env("ACME_BASE_URL") ?? "https://api.acme.example/v1").replace(/\/+$/, "");
    if (!URL.canParse(base)) throw new Error(`ACME_BASE_URL is not a valid URL: ${base}`);
    return acmeClient(`${base}/chat/completions`, key, ctx.model);
  },
  // For `deeprepo plugins check` and the kit's conformance suite: point ACME_BASE_URL at a
  // loopback fake speaking this wire format ("openai": deeprepo's Chat Completions fake).
  check: { fake: { baseUrlVariable: "ACME_BASE_URL", basePath: "/v1", render: "openai" } },
};

export default plugin;

/**
 * A failure deeprepo's retry policy understands: `status` (408/409/429/5xx are retried) and
 * `headers` (`Retry-After`). A plugin may also set `retryable: true|false` (its decision wins)
 * and `retryAfterMs`, or `kind: "config"` for a setting the user must fix (exit 2, no retry).
 */
class AcmeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly headers?: Headers,
    readonly retryable?: boolean,
  ) {
    super(message);
  }
}

/**
 * An error the API reported inside a 200 reply or stream (`{"error": {code, message}}`): throw
 * it with the status it stands for (its code, else 502 so it is retried) — never return the
 * empty or half answer instead.
 */
function errorInBody(error: Json): AcmeError {
  const code = typeof error?.code === "number" && error.code >= 400 ? error.code : 502;
  return new AcmeError(error?.message ?? "the API reported an error", code);
}

function acmeClient(url: string, key: string, model: string): ModelClient {
  return {
    async complete(req: CompletionRequest): Promise<CompletionResponse> {
      const body: Record<string, unknown> = {
        model,
        max_tokens: req.maxTokens,
        messages: toWire(req.system, req.messages),
      };
      if (req.temperature !== undefined) body.temperature = req.temperature;
      if (req.tools?.length) {
        body.tools = req.tools.map((t) => ({
          type: "function",
          function: { name: t.name, description: t.description, parameters: t.inputSchema },
        }));
        // deeprepo sets this only for models whose rules say `forcedToolChoice`.
        if (req.toolChoice === "required") body.tool_choice = "required";
      }
      if (req.onText) {
        Object.assign(body, { stream: true, stream_options: { include_usage: true } });
      }
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
        // Pass the signal on: Ctrl-C and timeouts then free the connection at once. (deeprepo
        // abandons a call at its deadline or on Ctrl-C even if a plugin forgets.)
        signal: req.signal,
      });
      if (!res.ok) {
        // Throw status and headers: deeprepo retries 408/409/429/5xx and honours Retry-After.
        const text = await res.text();
        let message = text;
        try {
          message = JSON.parse(text).error?.message ?? text;
        } catch {
          // Not JSON: keep the text.
        }
        throw new AcmeError(message, res.status, res.headers);
      }
      if (!req.onText) {
        const json = await res.json();
        if (json.error) throw errorInBody(json.error); // an error inside a 200
        return fromWire(json);
      }
      // A vendor that cannot stream would call req.onText(text) once with the whole text.
      return await readStream(res, req.onText);
    },
  };
}

/** Normalized messages → Chat Completions messages. */
function toWire(system: string | undefined, messages: Message[]): unknown[] {
  const out: unknown[] = system ? [{ role: "system", content: system }] : [];
  for (const m of messages) {
    if (typeof m.content === "string") {
      out.push({ role: m.role, content: m.content });
      continue;
    }
    const text = m.content.flatMap((p) => p.type === "text" ? [p.text] : []).join("\n");
    if (m.role === "assistant") {
      const calls = m.content.flatMap((p) =>
        p.type === "tool_call"
          ? [{
            id: p.id,
            type: "function",
            function: { name: p.name, arguments: JSON.stringify(p.input) },
          }]
          : []
      );
      out.push({
        role: "assistant",
        content: text || null,
        ...(calls.length ? { tool_calls: calls } : {}),
      });
    } else {
      for (const p of m.content) {
        if (p.type === "tool_result") {
          out.push({ role: "tool", tool_call_id: p.id, content: p.content });
        }
      }
      if (text) out.push({ role: "user", content: text });
    }
  }
  return out;
}

// deno-lint-ignore no-explicit-any
type Json = any;

/**
 * Stop reasons as deeprepo knows them: `end`, `tool_use`, `max_tokens` (cut by the output limit:
 * deeprepo tells the model its reply was cut), `refusal`, `pause`.
 */
const STOP: Record<string, string> = {
  stop: "end",
  tool_calls: "tool_use",
  length: "max_tokens",
  content_filter: "refusal",
};

/** A JSON reply → the normalized response. */
function fromWire(json: Json): CompletionResponse {
  const message = json.choices?.[0]?.message;
  // No message at all is an error in disguise: throw, never return an empty answer.
  if (!message) throw new AcmeError("the API answered without a message", 502);
  return {
    text: message.content ?? "",
    toolCalls: (message.tool_calls ?? []).map((c: Json) => ({
      id: c.id,
      name: c.function.name,
      input: JSON.parse(c.function.arguments || "{}"),
    })),
    usage: usageOf(json.usage),
    stopReason: STOP[json.choices[0].finish_reason] ?? json.choices[0].finish_reason ?? undefined,
  };
}

/**
 * `prompt_tokens` includes cached tokens; deeprepo's `inputTokens` must not. Every count must
 * be a non-negative finite number (deeprepo rejects the reply otherwise).
 */
function usageOf(u: Json): Usage {
  const n = (v: unknown) => (typeof v === "number" && v > 0 && Number.isFinite(v) ? v : 0);
  const cached = n(u?.prompt_tokens_details?.cached_tokens);
  return {
    inputTokens: Math.max(0, n(u?.prompt_tokens) - cached),
    outputTokens: n(u?.completion_tokens),
    cacheReadTokens: cached,
  };
}

/**
 * Reads an SSE stream, passing text to `onText`, and returns the assembled response. A stream
 * that fails after text was shown must throw too: deeprepo retries the call and streams the new
 * reply from its start.
 */
async function readStream(
  res: Response,
  onText: (chunk: string) => void,
): Promise<CompletionResponse> {
  let text = "";
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let stopReason: string | undefined;
  const calls: { id: string; name: string; args: string }[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const bytes of res.body!) {
    buffer += decoder.decode(bytes, { stream: true });
    const events = buffer.split("\n\n");
    buffer = events.pop()!;
    for (const event of events) {
      const data = event.split("\n").find((l) => l.startsWith("data: "))?.slice(6);
      if (!data || data === "[DONE]") continue;
      const chunk = JSON.parse(data);
      if (chunk.error) throw errorInBody(chunk.error); // an error inside the stream
      if (chunk.usage) usage = usageOf(chunk.usage);
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.delta?.content) {
        text += choice.delta.content;
        onText(choice.delta.content);
      }
      for (const d of choice.delta?.tool_calls ?? []) {
        const call = calls[d.index] ??= { id: "", name: "", args: "" };
        call.id ||= d.id ?? "";
        call.name += d.function?.name ?? "";
        call.args += d.function?.arguments ?? "";
      }
      if (choice.finish_reason) stopReason = STOP[choice.finish_reason] ?? choice.finish_reason;
    }
  }
  const toolCalls = calls.map((c) => ({
    id: c.id,
    name: c.name,
    input: JSON.parse(c.args || "{}"),
  }));
  return { text, toolCalls, usage, stopReason };
}
