/** Behaviour specific to one built-in plugin, through the fake server and the real SDKs. */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { costOf, loadRegistry } from "../../lib/providers/mod.ts";
import { type FakeServer, startFakeModelServer } from "../fakes/model_server.ts";
import { ollamaBaseURL, ollamaOrigin } from "../../plugins/ollama.ts";

async function withRegistry(
  fn: (
    registry: Awaited<ReturnType<typeof loadRegistry>>,
    server: FakeServer,
  ) => Promise<void>,
  env: Record<string, string | undefined> = {},
) {
  const server = await startFakeModelServer();
  try {
    const registry = await loadRegistry({
      cwd: "/nonexistent-deeprepo-test-dir",
      env: envFromRecord({ ...server.env(), ...env }),
    });
    await fn(registry, server);
    server.assertNoFailures();
  } finally {
    await server.close();
  }
}

const TOOLS = [
  { name: "a", description: "first", inputSchema: { type: "object" } },
  { name: "b", description: "second", inputSchema: { type: "object" } },
];

Deno.test("anthropic puts cache breakpoints on system, last tool and latest user block", async () => {
  await withRegistry(async (registry, server) => {
    const client = registry.resolve("sonnet").createClient();
    server.enqueue({ text: "x" }, { text: "y" });
    const messages = [
      { role: "user" as const, content: "first question" },
      { role: "assistant" as const, content: "answer" },
      {
        role: "user" as const,
        content: [{ type: "text" as const, text: "a" }, { type: "text" as const, text: "b" }],
      },
    ];
    await client.complete({ system: "S", messages, tools: TOOLS, maxTokens: 5, promptCache: true });
    await client.complete({ system: "S", messages, tools: TOOLS, maxTokens: 5 });
    const [cached, plain] = server.requests.map((r) => r.body);
    const ephemeral = { type: "ephemeral" };
    assertEquals(cached.system, [{ type: "text", text: "S", cache_control: ephemeral }]);
    const tools = cached.tools as Record<string, unknown>[];
    assertEquals([tools[0].cache_control, tools[1].cache_control], [undefined, ephemeral]);
    const sent = cached.messages as { content: Record<string, unknown>[] }[];
    assertEquals(sent[0].content[0].cache_control, undefined);
    assertEquals(sent[2].content.map((b) => b.cache_control), [undefined, ephemeral]);
    assertEquals(plain.system, "S");
    assert(!JSON.stringify(plain).includes("cache_control"));
  });
});

Deno.test("anthropic sends thinking blocks back with the tool call they came with", async () => {
  await withRegistry(async (registry, server) => {
    const client = registry.resolve("anthropic:claude-opus-5-5").createClient();
    server.enqueue({
      thinking: "I should run code",
      toolCalls: [{ name: "a", input: { n: 1 } }],
    }, { text: "done" });
    const first = await client.complete({
      messages: [{ role: "user", content: "go" }],
      tools: TOOLS,
      maxTokens: 500,
      onText: () => {},
    });
    const call = first.toolCalls[0];
    await client.complete({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_call", ...call }] },
        { role: "user", content: [{ type: "tool_result", id: call.id, content: "ok" }] },
      ],
      tools: TOOLS,
      maxTokens: 500,
    });
    server.assertNoFailures();
    assertEquals(server.refusals, []);
    const sent = (server.requests[1].body.messages as { content: Record<string, unknown>[] }[])[1];
    assertEquals(sent.content[0].type, "thinking");
    assertEquals(sent.content[0].thinking, "I should run code");
    assert(typeof sent.content[0].signature === "string");
    assertEquals(sent.content[1].type, "tool_use");
  });
});

Deno.test("openrouter reports the provider's own cost and asks for it", async () => {
  await withRegistry(async (registry, server) => {
    const resolved = registry.resolve("minimax/minimax-m2.5");
    server.enqueue({ text: "x", usage: { input: 1000, output: 100, cost: 0.00042 } });
    const res = await resolved.createClient().complete({
      messages: [{ role: "user", content: "q" }],
      maxTokens: 5,
    });
    assertEquals(res.usage.costUsd, 0.00042);
    assertEquals(costOf(res.usage, resolved.pricing), 0.00042);
    assertEquals(server.requests[0].body.usage, { include: true });
    assertEquals(server.requests[0].body.max_tokens, 5);
  });
});

Deno.test("openrouter reads its own cost from the final streamed chunk", async () => {
  await withRegistry(async (registry, server) => {
    const resolved = registry.resolve("minimax");
    server.enqueue({ text: "streamed answer", usage: { input: 900, output: 90, cost: 0.0007 } });
    const chunks: string[] = [];
    const res = await resolved.createClient().complete({
      messages: [{ role: "user", content: "q" }],
      maxTokens: 5,
      onText: (t) => chunks.push(t),
    });
    assertEquals(chunks.join(""), "streamed answer");
    assertEquals([res.usage.inputTokens, res.usage.outputTokens], [900, 90]);
    assertEquals(costOf(res.usage, resolved.pricing), 0.0007);
    const body = server.requests[0].body;
    assertEquals([body.stream, body.stream_options, body.usage], [true, { include_usage: true }, {
      include: true,
    }]);
  });
});

Deno.test("anthropic prices a reply with cache reads and writes at the model's cache rates", async () => {
  await withRegistry(async (registry, server) => {
    const sonnet = registry.resolve("sonnet");
    server.enqueue({
      text: "x",
      usage: { input: 1_000, output: 500, cacheRead: 40_000, cacheWrite: 8_000 },
    });
    const res = await sonnet.createClient().complete({
      messages: [{ role: "user", content: "q" }],
      maxTokens: 5,
      promptCache: true,
    });
    // input_tokens excludes cached tokens: 1,000*2 + 500*10 + 40,000*0.10 + 8,000*2.50 = 31,000.
    assertEquals(res.usage.inputTokens, 1_000);
    assertEquals(Math.round(costOf(res.usage, sonnet.pricing) * 1e6), 31_000);
  });
});

Deno.test("openrouter runs an unlisted vendor/model id at $1/$1 with a warning", async () => {
  await withRegistry((registry) => {
    const resolved = registry.resolve("someone/new-model:free");
    assertEquals(resolved.provider, "openrouter");
    assertEquals(resolved.pricingKnown, false);
    assertEquals(resolved.pricing, { input: 1, output: 1 });
    assert(resolved.warning?.includes("$1.00/$1.00"));
    const listed = registry.resolve("deepseek/deepseek-chat-v3-0324");
    assertEquals([listed.pricing.input, listed.pricing.output, listed.pricingKnown], [
      0.27,
      1.1,
      true,
    ]);
    assertEquals(listed.warning, undefined);
    return Promise.resolve();
  });
});

Deno.test("openai sends max_completion_tokens and the bearer key, and no temperature to a reasoning model", async () => {
  await withRegistry(async (registry, server) => {
    server.enqueue({ text: "x" });
    await registry.resolve("gpt-6-luna").createClient().complete({
      messages: [{ role: "user", content: "q" }],
      maxTokens: 7,
      temperature: 0.2,
    });
    const req = server.requests[0];
    assertEquals(req.body.max_completion_tokens, 7);
    assertEquals(req.body.max_tokens, undefined);
    // GPT-6 accepts sampling parameters only without reasoning: the rules leave it out.
    assertEquals(req.body.temperature, undefined);
    assertEquals(req.headers.authorization, "Bearer fake-openai-key");
    assertEquals(server.refusals, []);
  });
});

Deno.test("ollama needs no key, costs nothing and accepts a bare host:port", async () => {
  const server = await startFakeModelServer();
  try {
    const hostPort = server.url.replace("http://", "");
    const registry = await loadRegistry({
      cwd: "/nonexistent-deeprepo-test-dir",
      env: envFromRecord({ OLLAMA_HOST: hostPort, DEEPREPO_REQUEST_TIMEOUT_MS: "2000" }),
    });
    const resolved = registry.resolve("ollama:mistral-small");
    assertEquals(resolved.keyVariable, undefined);
    assertEquals([resolved.pricingKnown, resolved.pricing.input, resolved.pricing.output], [
      true,
      0,
      0,
    ]);
    server.enqueue({ text: "local", usage: { input: 500, output: 50 } });
    const res = await resolved.createClient().complete({
      messages: [{ role: "user", content: "q" }],
      maxTokens: 5,
    });
    assertEquals(res.text, "local");
    assertEquals(costOf(res.usage, resolved.pricing), 0);
    assertEquals(server.requests[0].path, "/v1/chat/completions");
  } finally {
    await server.close();
  }
});

Deno.test("ollamaOrigin adds a scheme and default port and maps 0.0.0.0 to loopback", () => {
  assertEquals(ollamaOrigin(undefined), "http://127.0.0.1:11434");
  assertEquals(ollamaOrigin("0.0.0.0"), "http://127.0.0.1:11434");
  assertEquals(ollamaOrigin("0.0.0.0:8080"), "http://127.0.0.1:8080");
  assertEquals(ollamaOrigin("http://localhost:1234/"), "http://localhost:1234");
});

Deno.test("ollamaBaseURL appends /v1 once, so an address copied from a server's docs works", () => {
  assertEquals(ollamaBaseURL(undefined), "http://127.0.0.1:11434/v1");
  assertEquals(ollamaBaseURL("localhost:1234/v1"), "http://localhost:1234/v1");
  assertEquals(ollamaBaseURL("http://gpu-box:8000/v1/"), "http://gpu-box:8000/v1");
  assertEquals(ollamaBaseURL("https://llm.internal/ollama"), "https://llm.internal/ollama/v1");
});

Deno.test("toolChoice required is sent only where the model's rules allow forcing; auto sends nothing", async () => {
  await withRegistry(async (registry, server) => {
    const messages = [{ role: "user" as const, content: "finish now" }];
    const models = [
      "anthropic:claude-haiku-4-5",
      "sonnet",
      "openai:gpt-6.1-sol",
      "openrouter:minimax/minimax-m2.5",
    ];
    for (const model of models) {
      const client = registry.resolve(model).createClient();
      server.enqueue({ text: "x" }, { text: "y" });
      await client.complete({ messages, tools: TOOLS, maxTokens: 50, toolChoice: "required" });
      await client.complete({ messages, tools: TOOLS, maxTokens: 50 });
    }
    const choices = server.requests.map((r) => r.body.tool_choice);
    assertEquals(choices, [
      { type: "any" }, // Haiku 4.5: no thinking by default, forcing allowed
      undefined,
      undefined, // Sonnet 5.5 answers forced tool use with a 400
      undefined,
      "required", // GPT-6.1 Sol (Responses API)
      undefined,
      undefined, // MiniMax M2.5 on OpenRouter: not published, so not sent
      undefined,
    ]);
    assertEquals(server.refusals, []);
  });
});
