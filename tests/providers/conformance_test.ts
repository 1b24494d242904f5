/**
 * One conformance suite, run against every built-in plugin through the fake model server and
 * the real SDKs.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { EnvironmentError, RunError } from "../../lib/errors.ts";
import { loadRegistry, type RetryInfo } from "../../lib/providers/mod.ts";
import type { CompletionRequest, ModelClient } from "../../lib/providers/types.ts";
import {
  type FakeServer,
  lastUserText,
  type Protocol,
  startFakeModelServer,
  systemText,
  toolResults,
} from "../fakes/model_server.ts";

interface Case {
  provider: string;
  model: string;
  id: string;
  protocol: Protocol;
  path: string;
  keyVariable?: string;
}

const CASES: Case[] = [
  {
    provider: "anthropic",
    model: "sonnet",
    id: "claude-sonnet-5-5",
    protocol: "anthropic",
    path: "/v1/messages",
    keyVariable: "ANTHROPIC_API_KEY",
  },
  {
    provider: "openrouter",
    model: "minimax/minimax-m2.5",
    id: "minimax/minimax-m2.5",
    protocol: "openai",
    path: "/api/v1/chat/completions",
    keyVariable: "OPENROUTER_API_KEY",
  },
  {
    provider: "openai",
    model: "gpt-6.1-sol",
    id: "gpt-6.1-sol",
    protocol: "openai",
    // GPT-6.1 Sol takes function tools only through the Responses API.
    path: "/v1/responses",
    keyVariable: "OPENAI_API_KEY",
  },
  {
    provider: "ollama",
    model: "ollama:llama3.2:3b",
    id: "llama3.2:3b",
    protocol: "openai",
    path: "/v1/chat/completions",
  },
];

const TOOL = {
  name: "execute_code",
  description: "Run code",
  inputSchema: {
    type: "object",
    properties: { code: { type: "string" } },
    required: ["code"],
  },
};

/** Starts a server, resolves the case's model against it, runs `fn`, closes everything. */
async function withClient(
  c: Case,
  fn: (client: ModelClient, server: FakeServer, retries: RetryInfo[]) => Promise<void>,
  env: Record<string, string | undefined> = {},
) {
  const server = await startFakeModelServer();
  try {
    const registry = await loadRegistry({
      cwd: "/nonexistent-deeprepo-test-dir",
      env: envFromRecord({ ...server.env(), ...env }),
    });
    assertEquals(registry.errors, []);
    const resolved = registry.resolve(c.model);
    assertEquals([resolved.provider, resolved.id], [c.provider, c.id]);
    const retries: RetryInfo[] = [];
    const client = resolved.createClient({ onRetry: (info) => retries.push(info) });
    await fn(client, server, retries);
  } finally {
    await server.close();
  }
}

const ask = (text: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  system: "You are terse.",
  messages: [{ role: "user", content: text }],
  maxTokens: 64,
  ...extra,
});

for (const c of CASES) {
  Deno.test(`${c.provider}: text reply with normalized usage (cache tokens excluded from input)`, async () => {
    await withClient(c, async (client, server) => {
      server.enqueue({
        text: "four",
        usage: { input: 100, output: 20, cacheRead: 30, cacheWrite: 5 },
      });
      const res = await client.complete(ask("2+2?"));
      assertEquals(res.text, "four");
      assertEquals(res.toolCalls, []);
      assertEquals(res.usage.inputTokens, 100);
      assertEquals(res.usage.outputTokens, 20);
      assertEquals(res.usage.cacheReadTokens, 30);
      assertEquals(res.usage.cacheWriteTokens, 5);
      const [req] = server.requests;
      assertEquals(req.path, c.path);
      assertEquals(req.model, c.id);
      assertEquals(systemText(req), "You are terse.");
      assertEquals(lastUserText(req), "2+2?");
      assertEquals(req.stream, false);
      server.assertNoFailures();
    });
  });

  Deno.test(`${c.provider}: tool schemas, tool calls and tool results map both ways`, async () => {
    await withClient(c, async (client, server) => {
      server.enqueue({ toolCalls: [{ name: "execute_code", input: { code: "print(1)" } }] });
      const first = await client.complete(ask("run it", { tools: [TOOL] }));
      assertEquals(first.toolCalls.length, 1);
      const call = first.toolCalls[0];
      assertEquals([call.name, call.input], ["execute_code", { code: "print(1)" }]);
      assert(call.id.length > 0);
      assertEquals(first.stopReason, "tool_use");

      // The turn goes back exactly as received (thinking and reasoning included).
      assert(first.parts?.some((p) => p.type === "tool_call" && p.id === call.id));
      server.enqueue({ text: "done" });
      const second = await client.complete({
        system: "You are terse.",
        messages: [
          { role: "user", content: "run it" },
          { role: "assistant", content: first.parts! },
          { role: "user", content: [{ type: "tool_result", id: call.id, content: "1\n" }] },
        ],
        tools: [TOOL],
        maxTokens: 64,
      });
      assertEquals(second.text, "done");
      const req = server.requests[1];
      assertEquals(toolResults(req), [{ id: call.id, content: "1\n" }]);
      const tools = req.body.tools as Record<string, unknown>[];
      const schema = c.protocol === "anthropic"
        ? tools[0].input_schema
        : req.api === "responses"
        ? tools[0].parameters
        : (tools[0].function as Record<string, unknown>).parameters;
      assertEquals(schema, TOOL.inputSchema);
      if (req.api === "responses") {
        const items = req.body.input as Record<string, unknown>[];
        const fn = items.find((i) => i.type === "function_call")!;
        assertEquals([fn.call_id, JSON.parse(String(fn.arguments))], [call.id, {
          code: "print(1)",
        }]);
        // The reasoning item came back too, before its call.
        assert(items.findIndex((i) => i.type === "reasoning") < items.indexOf(fn));
        server.assertNoFailures();
        return;
      }
      const messages = req.body.messages as Record<string, unknown>[];
      const assistant = messages.find((m) => m.role === "assistant")!;
      if (c.protocol === "anthropic") {
        const use = (assistant.content as Record<string, unknown>[]).find((b) =>
          b.type === "tool_use"
        );
        assertEquals(use, {
          type: "tool_use",
          id: call.id,
          name: "execute_code",
          input: { code: "print(1)" },
        });
      } else {
        const [wire] = assistant.tool_calls as { id: string; function: Record<string, string> }[];
        assertEquals(wire.id, call.id);
        assertEquals(JSON.parse(wire.function.arguments), { code: "print(1)" });
      }
      server.assertNoFailures();
    });
  });

  Deno.test(`${c.provider}: streams text through onText and keeps the exact final usage`, async () => {
    await withClient(c, async (client, server) => {
      const text = "streaming is a way to show progress while the model writes";
      server.enqueue({
        text,
        toolCalls: [{ name: "execute_code", input: { code: "x" } }],
        usage: { input: 11, output: 13, cacheRead: 7, cacheWrite: 3 },
      });
      const chunks: string[] = [];
      const res = await client.complete(ask("go", { onText: (t) => chunks.push(t) }));
      assert(chunks.length > 1, "text arrives in several chunks");
      assertEquals(chunks.join(""), text);
      assertEquals(res.text, text);
      assertEquals(res.toolCalls.map((t) => t.input), [{ code: "x" }]);
      assertEquals(
        [
          res.usage.inputTokens,
          res.usage.outputTokens,
          res.usage.cacheReadTokens,
          res.usage.cacheWriteTokens,
        ],
        [11, 13, 7, 3],
      );
      const [req] = server.requests;
      assertEquals(req.stream, true);
      if (req.api === "chat") {
        assertEquals(req.body.stream_options, { include_usage: true });
      }
    });
  });

  Deno.test(`${c.provider}: retries 429 (honouring retry-after) and 500, reporting each retry`, async () => {
    await withClient(c, async (client, server, retries) => {
      server.enqueue(
        { fault: { status: 429, retryAfterMs: 5 } },
        { fault: { status: 503 } },
        { text: "finally" },
      );
      const res = await client.complete(ask("hi"));
      assertEquals(res.text, "finally");
      assertEquals(server.requests.length, 3);
      assertEquals(retries.map((r) => [r.provider, r.model, r.attempt, r.reason]), [
        [c.provider, c.id, 1, "status 429"],
        [c.provider, c.id, 2, "status 503"],
      ]);
      assertEquals(retries[0].delayMs, 5);
    });
  });

  Deno.test(`${c.provider}: retries a streamed call that failed before any text`, async () => {
    await withClient(c, async (client, server, retries) => {
      server.enqueue({ fault: { status: 529, retryAfterMs: 1 } }, { text: "streamed after retry" });
      const chunks: string[] = [];
      const res = await client.complete(ask("hi", { onText: (t) => chunks.push(t) }));
      assertEquals(chunks.join(""), "streamed after retry");
      assertEquals(res.text, "streamed after retry");
      assertEquals(retries.map((r) => r.reason), ["status 529"]);
      assertEquals(server.requests.map((r) => r.stream), [true, true]);
    });
  });

  Deno.test(`${c.provider}: gives up after 3 retries with provider, model and API message`, async () => {
    await withClient(c, async (client, server, retries) => {
      for (let i = 0; i < 4; i++) {
        server.enqueue({ fault: { status: 500, message: "upstream exploded" } });
      }
      const error = await assertRejects(() => client.complete(ask("hi")), RunError);
      assertEquals(error.message, `${c.provider} ${c.id}: upstream exploded (status 500)`);
      assertEquals(server.requests.length, 4);
      assertEquals(retries.length, 3);
    });
  });

  Deno.test(`${c.provider}: fails at once on a 400 and on a malformed body`, async () => {
    await withClient(c, async (client, server, retries) => {
      server.enqueue({ fault: { status: 400, message: "max_tokens too large" } });
      const error = await assertRejects(() => client.complete(ask("hi")), RunError);
      assertEquals(error.message, `${c.provider} ${c.id}: max_tokens too large (status 400)`);
      server.enqueue({ fault: { malformed: true } });
      const broken = await assertRejects(() => client.complete(ask("hi")), RunError);
      assertMatch(broken.message, new RegExp(`^${c.provider} ${c.id.replace(".", "\\.")}: `));
      assertEquals(server.requests.length, 2);
      assertEquals(retries.length, 0);
    });
  });

  Deno.test(`${c.provider}: an error reported inside a 200 reply or stream is retried, never an empty answer`, async () => {
    await withClient(c, async (client, server, retries) => {
      const upstream = { errorInBody: { code: 502, message: "Provider disconnected" } };
      server.enqueue({ text: "never shown", fault: upstream }, { text: "second try" });
      assertEquals((await client.complete(ask("hi"))).text, "second try");
      server.enqueue({ text: "the first half of a long answer", fault: upstream }, {
        text: "streamed again",
      });
      const chunks: string[] = [];
      const streamed = await client.complete(ask("hi", { onText: (t) => chunks.push(t) }));
      assertEquals(streamed.text, "streamed again");
      assertEquals(retries.length, 2);
      assertEquals(server.requests.length, 4);
      // Retries run out: the API's message, not an empty success.
      for (let i = 0; i < 4; i++) server.enqueue({ text: "x", fault: upstream });
      const error = await assertRejects(() => client.complete(ask("hi")), RunError);
      assertStringIncludes(error.message, "Provider disconnected");
      server.assertNoFailures();
    });
  });

  Deno.test(`${c.provider}: a stalled request times out and is retried`, async () => {
    await withClient(c, async (client, server, retries) => {
      server.enqueue({ fault: { stall: true } }, { text: "after stall" });
      const res = await client.complete(ask("hi"));
      assertEquals(res.text, "after stall");
      assertEquals(retries.map((r) => r.reason), ["timeout"]);
    }, { DEEPREPO_REQUEST_TIMEOUT_MS: "150" });
  });

  Deno.test(`${c.provider}: a response that stops mid-body times out and is retried`, async () => {
    await withClient(c, async (client, server, retries) => {
      server.enqueue(
        { text: "the first half arrives, the rest never does", fault: { stallMidStream: true } },
        { text: "complete" },
      );
      const chunks: string[] = [];
      const streamed = await client.complete(ask("hi", { onText: (t) => chunks.push(t) }));
      assertEquals(streamed.text, "complete");
      assertEquals(retries.map((r) => r.reason), ["timeout"]);
      assertEquals(server.requests.length, 2);
      assertEquals(chunks.join("").endsWith("complete"), true);
      server.enqueue({ text: "cut", fault: { stallMidStream: true } }, { text: "json too" });
      assertEquals((await client.complete(ask("hi"))).text, "json too");
      assertEquals(retries.map((r) => r.reason), ["timeout", "timeout"]);
    }, { DEEPREPO_REQUEST_TIMEOUT_MS: "200" });
  });

  Deno.test(`${c.provider}: a refused connection is retried 3 times, then a RunError`, async () => {
    // A port that was just free: nothing listens there.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const dead = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
    listener.close();
    await withClient(c, async (client, server, retries) => {
      const error = await assertRejects(() => client.complete(ask("hi")), RunError);
      assertMatch(error.message, new RegExp(`^${c.provider} ${c.id.replace(".", "\\.")}: `));
      // Where it tried and why it failed, not just "Connection error.".
      assertStringIncludes(error.message, `cannot reach ${dead}/`);
      assertMatch(error.message, /refused/i);
      assertEquals(retries.map((r) => r.reason), Array(3).fill("connection error"));
      assertEquals(server.requests.length, 0);
    }, {
      ANTHROPIC_BASE_URL: dead,
      OPENROUTER_BASE_URL: `${dead}/api/v1`,
      OPENAI_BASE_URL: `${dead}/v1`,
      OLLAMA_HOST: dead,
    });
  });

  Deno.test(`${c.provider}: an abort during a call rejects with the signal's reason`, async () => {
    await withClient(c, async (client, server) => {
      server.enqueue({ fault: { stall: true } });
      const controller = new AbortController();
      const reason = new Error("stop now");
      // Abort once the request is at the server (however long the SDK takes to load on a busy
      // machine), so the abort cuts a call in flight.
      const poll = setInterval(() => {
        if (server.requests.length > 0) {
          clearInterval(poll);
          controller.abort(reason);
        }
      }, 5);
      const error = await assertRejects(() =>
        client.complete(ask("hi", { signal: controller.signal }))
      ).finally(() => clearInterval(poll));
      assertEquals(error, reason);
      assertEquals(server.requests.length, 1);
    });
  });

  if (c.keyVariable) {
    const variable = c.keyVariable;
    Deno.test(`${c.provider}: a missing ${variable} is an environment error naming it and .env`, async () => {
      const server = await startFakeModelServer();
      try {
        const registry = await loadRegistry({
          cwd: "/nonexistent-deeprepo-test-dir",
          env: envFromRecord({ ...server.env(), [variable]: undefined }),
        });
        const resolved = registry.resolve(c.model);
        assertEquals(resolved.keyVariable, variable);
        const error = await assertRejects(
          () => Promise.resolve().then(() => resolved.createClient()),
          EnvironmentError,
        );
        assertMatch(error.message, new RegExp(`${variable} is not set.*\\.env`));
        assertEquals(server.requests.length, 0);
      } finally {
        await server.close();
      }
    });
  }
}
