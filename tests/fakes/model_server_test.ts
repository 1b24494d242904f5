import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "../_helpers/assert.ts";
import Anthropic from "npm:@anthropic-ai/sdk@1.13.0";
import OpenAI from "npm:openai@7.57.0";
import { lastUserText, startFakeModelServer, systemText, toolResults } from "./model_server.ts";

Deno.test("fake server answers the Anthropic SDK with text, tool calls and cache usage", async () => {
  const server = await startFakeModelServer();
  try {
    server.enqueue({
      text: "looking",
      toolCalls: [{ name: "execute_code", input: { code: "print(1)" } }],
      usage: { input: 100, output: 20, cacheRead: 50, cacheWrite: 30 },
    });
    const client = new Anthropic({ apiKey: "k", baseURL: server.url, maxRetries: 0 });
    const msg = await client.messages.create({
      model: "claude-x",
      max_tokens: 100,
      system: "sys",
      messages: [{ role: "user", content: "hi" }],
    });
    const first = msg.content[0];
    assert(first.type === "text");
    assertEquals(first.text, "looking");
    const call = msg.content[1];
    assert(call.type === "tool_use");
    assertEquals(call.input, { code: "print(1)" });
    assertEquals(msg.stop_reason, "tool_use");
    assertEquals(msg.usage.cache_read_input_tokens, 50);
    assertEquals(msg.usage.cache_creation_input_tokens, 30);
    assertEquals(server.requests[0].model, "claude-x");
    const auth = server.requests[0].headers;
    assertEquals(auth["x-api-key"] ?? auth["authorization"], auth["x-api-key"] ? "k" : "Bearer k");
    assertEquals(systemText(server.requests[0]), "sys");
    assertEquals(lastUserText(server.requests[0]), "hi");
    server.assertNoFailures();
  } finally {
    await server.close();
  }
});

Deno.test("fake server streams Anthropic SSE that the SDK accumulates", async () => {
  const server = await startFakeModelServer();
  try {
    server.enqueue({
      text: "a streamed answer that is long enough to be split",
      toolCalls: [{ name: "t", input: { a: [1, 2, 3] } }],
      usage: { input: 7, output: 9 },
    });
    const client = new Anthropic({ apiKey: "k", baseURL: server.url, maxRetries: 0 });
    const pieces: string[] = [];
    const stream = client.messages.stream({
      model: "m",
      max_tokens: 10,
      messages: [{ role: "user", content: "x" }],
    });
    stream.on("text", (t) => pieces.push(t));
    const msg = await stream.finalMessage();
    assert(pieces.length > 1);
    assertEquals(pieces.join(""), "a streamed answer that is long enough to be split");
    const call = msg.content[1];
    assert(call.type === "tool_use");
    assertEquals(call.input, { a: [1, 2, 3] });
    assertEquals(msg.usage.output_tokens, 9);
    assertEquals(msg.usage.input_tokens, 7);
  } finally {
    await server.close();
  }
});

Deno.test("fake server answers the OpenAI SDK with tool calls, cached tokens and cost", async () => {
  const server = await startFakeModelServer();
  try {
    server.enqueueFor("openai", {
      toolCalls: [{ name: "f", input: { q: 1 } }],
      usage: { input: 10, output: 5, cacheRead: 4, cost: 0.0123 },
    });
    const client = new OpenAI({ apiKey: "k", baseURL: `${server.url}/api/v1`, maxRetries: 0 });
    const res = await client.chat.completions.create({
      model: "vendor/model",
      messages: [{ role: "user", content: "hi" }],
    });
    const call = res.choices[0].message.tool_calls![0];
    assert(call.type === "function");
    assertEquals(JSON.parse(call.function.arguments), { q: 1 });
    assertEquals(res.usage?.prompt_tokens, 14);
    assertEquals(res.usage?.prompt_tokens_details?.cached_tokens, 4);
    assertEquals((res.usage as unknown as { cost: number }).cost, 0.0123);
    assertEquals(server.requests[0].path, "/api/v1/chat/completions");
    assertEquals(server.requests[0].headers["authorization"], "Bearer k");
  } finally {
    await server.close();
  }
});

Deno.test("fake server streams OpenAI chunks with usage only when include_usage is asked", async () => {
  const server = await startFakeModelServer();
  try {
    server.enqueue({ text: "streamed text here", usage: { input: 3, output: 4 } });
    server.enqueue({ text: "again", usage: { input: 3, output: 4 } });
    const client = new OpenAI({ apiKey: "k", baseURL: `${server.url}/v1`, maxRetries: 0 });
    const usages: unknown[] = [];
    let text = "";
    for (const includeUsage of [true, false]) {
      const stream = await client.chat.completions.create({
        model: "m",
        stream: true,
        stream_options: { include_usage: includeUsage },
        messages: [{ role: "user", content: "hi" }],
      });
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        if (chunk.usage) usages.push(chunk.usage.completion_tokens);
      }
    }
    assertEquals(text, "streamed text hereagain");
    assertEquals(usages, [4]);
  } finally {
    await server.close();
  }
});

Deno.test("fake server records a failure and answers 500 when the script runs out", async () => {
  const server = await startFakeModelServer();
  try {
    const res = await fetch(`${server.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "claude-z", messages: [] }),
    });
    assertEquals(res.status, 500);
    assertMatch(await res.text(), /no scripted response left for anthropic claude-z/);
    assertThrows(() => server.assertNoFailures(), Error, "no scripted response left");
  } finally {
    await server.close();
  }
});

Deno.test("fake server injects 429 with Retry-After and malformed bodies", async () => {
  const server = await startFakeModelServer();
  try {
    server.enqueue({ fault: { status: 429, retryAfter: 2 } }, { fault: { malformed: true } });
    const post = () =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "m", messages: [] }),
      });
    const limited = await post();
    assertEquals(limited.status, 429);
    assertEquals(limited.headers.get("retry-after"), "2");
    await limited.body?.cancel();
    const broken = await post();
    assertEquals(broken.status, 200);
    await assertRejects(() => broken.json());
  } finally {
    await server.close();
  }
});

Deno.test("fake server prefers model queues, then protocol queues, then handlers", async () => {
  const server = await startFakeModelServer();
  try {
    server.enqueueFor("special", { text: "model queue" });
    server.handler((req) => ({ text: `handled ${req.model}: ${lastUserText(req)}` }));
    const client = new OpenAI({ apiKey: "k", baseURL: `${server.url}/v1`, maxRetries: 0 });
    const ask = async (model: string) =>
      (await client.chat.completions.create({
        model,
        messages: [
          { role: "user", content: "q" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "c1", content: "result!" },
        ],
      })).choices[0].message.content;
    assertEquals(await ask("special"), "model queue");
    assertEquals(await ask("special"), "handled special: result!");
    assertEquals(toolResults(server.requests[1]), [{ id: "c1", content: "result!" }]);
  } finally {
    await server.close();
  }
});

Deno.test("a stalled request ends when the client times out and close() does not hang", async () => {
  const server = await startFakeModelServer();
  try {
    server.enqueue({ fault: { stall: true } });
    const client = new Anthropic({
      apiKey: "k",
      baseURL: server.url,
      maxRetries: 0,
      timeout: 100,
    });
    await assertRejects(() =>
      client.messages.create({
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: "x" }],
      })
    );
  } finally {
    await server.close();
  }
});

Deno.test("fake server reports an error inside a 200: JSON body and mid-stream event", async () => {
  const server = await startFakeModelServer();
  try {
    const fault = { errorInBody: { code: 502, message: "Provider disconnected" } };
    server.enqueue({ text: "x", fault }, { text: "half of this arrives first", fault });
    const post = (stream: boolean) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "m", messages: [], stream }),
      });
    const json = await post(false);
    assertEquals(json.status, 200);
    assertEquals(await json.json(), { error: { code: 502, message: "Provider disconnected" } });
    const stream = await post(true);
    assertEquals(stream.status, 200);
    const events = (await stream.text()).trim().split("\n\n");
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, ""));
    assertEquals(last.error, { code: 502, message: "Provider disconnected" });
    assertEquals(last.choices[0].finish_reason, "error");
    assert(events.length > 1 && !events.some((e) => e.includes("[DONE]")));

    server.enqueue({ text: "y", fault: { errorInBody: { message: "Overloaded" } } });
    const client = new Anthropic({ apiKey: "k", baseURL: server.url, maxRetries: 0 });
    const error = await assertRejects(() =>
      client.messages.stream({
        model: "m",
        max_tokens: 5,
        messages: [{ role: "user", content: "q" }],
      })
        .finalMessage()
    );
    assertMatch(String(error), /overloaded_error|Overloaded/);
    server.assertNoFailures();
  } finally {
    await server.close();
  }
});
