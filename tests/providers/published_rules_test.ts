/**
 * The built-in plugins against the rule-following fake: what each sends per model, turns that
 * go back exactly as received, effort, reasoning tokens, cut answers, and the one-line
 * explanation of a refused field.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_helpers/assert.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { RunError } from "../../lib/errors.ts";
import { loadRegistry } from "../../lib/providers/mod.ts";
import type { CompletionRequest, CompletionResponse, Message } from "../../lib/providers/types.ts";
import { type FakeServer, startFakeModelServer } from "../fakes/model_server.ts";

const TOOL = {
  name: "execute_code",
  description: "Run code",
  inputSchema: { type: "object", properties: { code: { type: "string" } } },
};

async function withModel(
  model: string,
  fn: (
    complete: (req: CompletionRequest) => Promise<CompletionResponse>,
    server: FakeServer,
  ) => Promise<void>,
) {
  const server = await startFakeModelServer();
  try {
    const registry = await loadRegistry({ cwd: "/nonexistent", env: envFromRecord(server.env()) });
    const client = registry.resolve(model).createClient();
    await fn((req) => client.complete(req), server);
    server.assertNoFailures();
  } finally {
    await server.close();
  }
}

const ask = (extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  system: "sys",
  messages: [{ role: "user", content: "go" }],
  tools: [TOOL],
  maxTokens: 2_000,
  ...extra,
});

for (const streamed of [false, true]) {
  const how = streamed ? "streamed" : "whole";
  Deno.test(`anthropic (${how}): thinking, redacted thinking and unknown blocks come back as opaque parts and go back unchanged`, async () => {
    await withModel("sonnet", async (complete, server) => {
      const thoughts: string[] = [];
      server.enqueue(
        {
          thinking: "between tools, the model thinks",
          redactedThinking: true,
          extraBlocks: [{ type: "future_block", payload: { a: 1 } }],
          text: "Looking.",
          toolCalls: [{ name: "execute_code", input: { code: "1" } }],
        },
        { text: "plain text turn" },
        { text: "done" },
      );
      const onText = streamed ? () => {} : undefined;
      const first = await complete(ask({ onText, onThinking: (t) => thoughts.push(t) }));
      const types = first.parts!.map((p) =>
        p.type === "opaque" ? (p.data as { type: string }).type : p.type
      );
      assertEquals(types, ["thinking", "redacted_thinking", "future_block", "text", "tool_call"]);
      assertEquals(
        first.parts![0].type === "opaque" && first.parts![0].thinking,
        "between tools, the model thinks",
      );
      if (streamed) assertEquals(thoughts.join(""), "between tools, the model thinks");
      const call = first.toolCalls[0];
      const history: Message[] = [
        { role: "user", content: "go" },
        { role: "assistant", content: first.parts! },
        { role: "user", content: [{ type: "tool_result", id: call.id, content: "1" }] },
      ];
      // A text-only turn (the engine nudges after it), then tool calls again.
      const second = await complete(ask({ messages: history }));
      assertEquals(second.stopReason, "end");
      history.push({ role: "assistant", content: second.parts! }, {
        role: "user",
        content: "Please call execute_code.",
      });
      await complete(ask({ messages: history }));
      assertEquals(server.refusals, []);
      const sent = server.requests[2].body.messages as { content: Record<string, unknown>[] }[];
      assertEquals(sent[1].content.map((b) => b.type), [
        "thinking",
        "redacted_thinking",
        "future_block",
        "text",
        "tool_use",
      ]);
      assertEquals(sent[1].content[2], { type: "future_block", payload: { a: 1 } });
    });
  });
}

Deno.test("anthropic: a turn sent back with its thinking changed is refused, and the error says so in one line", async () => {
  await withModel("sonnet", async (complete, server) => {
    server.enqueue({ thinking: "hmm", toolCalls: [{ name: "execute_code", input: {} }] });
    const first = await complete(ask());
    const call = first.toolCalls[0];
    const dropped = first.parts!.map((p) =>
      p.type === "opaque" ? { ...p, data: { ...(p.data as object), thinking: "edited" } } : p
    );
    const error = await assertRejects(() =>
      complete(ask({
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: dropped },
          { role: "user", content: [{ type: "tool_result", id: call.id, content: "" }] },
        ],
      })), RunError);
    assertStringIncludes(
      error.message,
      "claude-sonnet-5-5 does not accept a conversation whose earlier turns or thinking blocks " +
        "were changed or dropped; this is a deeprepo bug, please report it",
    );
    assert(!error.message.includes("\n"));
    assertEquals(server.refusals.length, 1);
  });
});

Deno.test("anthropic: effort goes in output_config where the model has it; no thinking, sampling or forced choice is sent", async () => {
  await withModel("sonnet", async (complete, server) => {
    server.enqueue({ text: "a" }, { text: "b" });
    await complete(ask({ effort: "max", toolChoice: "required", temperature: 0.5 }));
    const body = server.requests[0].body;
    assertEquals(body.output_config, { effort: "max" });
    assertEquals([body.thinking, body.temperature, body.tool_choice], [
      undefined,
      undefined,
      undefined,
    ]);
    assertEquals(server.refusals, []);
  });
  await withModel("anthropic:claude-haiku-4-5", async (complete, server) => {
    server.enqueue({ text: "a" });
    await complete(ask({ effort: "high" }));
    assertEquals(server.requests[0].body.output_config, undefined);
  });
});

Deno.test("anthropic: thinking that uses up the output limit ends as max_tokens, tokens inside output", async () => {
  await withModel("haiku", async (complete, server) => {
    server.enqueue({ thinking: "x".repeat(320), reasoningTokens: 80, text: "y".repeat(200) });
    const res = await complete(ask({ tools: undefined, maxTokens: 100 }));
    assertEquals(res.stopReason, "max_tokens");
    assertEquals(res.usage.outputTokens, 100);
    assertEquals(res.text.length, 80); // 20 tokens of room at ~4 characters each
  });
});

Deno.test("openrouter: minimax reasoning_details come back as an opaque part and go back on the turn (whole and streamed)", async () => {
  await withModel("minimax/minimax-m2.5", async (complete, server) => {
    for (const onText of [undefined, () => {}]) {
      server.enqueue(
        {
          thinking: "plan the call",
          reasoningTokens: 30,
          toolCalls: [{ name: "execute_code", input: {} }],
        },
        { text: "ok" },
      );
      const first = await complete(ask({ onText }));
      assertEquals(first.usage.reasoningTokens, 30);
      const reasoning = first.parts![0];
      assert(reasoning.type === "opaque" && reasoning.provider === "openrouter");
      assertEquals(reasoning.thinking, "plan the call");
      await complete(ask({
        onText,
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: first.parts! },
          {
            role: "user",
            content: [{ type: "tool_result", id: first.toolCalls[0].id, content: "" }],
          },
        ],
      }));
      const sent = server.requests.at(-1)!.body.messages as Record<string, unknown>[];
      const assistant = sent.find((m) => m.role === "assistant")!;
      assertEquals((assistant.reasoning_details as { text: string }[])[0].text, "plan the call");
    }
    assertEquals(server.droppedReasoning, []);
    assertEquals(server.refusals, []);
    // Nothing about reasoning is sent: it cannot be turned off, and effort is not published.
    assertEquals(server.requests.map((r) => r.body.reasoning), [
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

Deno.test("openrouter: reasoning that uses up max_tokens ends as max_tokens", async () => {
  await withModel("minimax", async (complete, server) => {
    server.enqueue({ thinking: "long", reasoningTokens: 60, text: "z".repeat(400) });
    const res = await complete(ask({ tools: undefined, maxTokens: 64 }));
    assertEquals([res.stopReason, res.usage.outputTokens, res.usage.reasoningTokens], [
      "max_tokens",
      64,
      60,
    ]);
    assertEquals(server.refusals, []);
  });
});

Deno.test("openai: GPT-6.1 Sol goes through the Responses API; reasoning items go back; effort and cut answers map", async () => {
  await withModel("gpt-6.1-sol", async (complete, server) => {
    server.enqueue(
      {
        thinking: "why",
        reasoningTokens: 12,
        toolCalls: [{ name: "execute_code", input: { code: "2" } }],
      },
      { text: "fine" },
      { reasoningTokens: 50, text: "q".repeat(400) },
    );
    const first = await complete(ask({ effort: "high", toolChoice: "required" }));
    assertEquals(server.requests[0].path, "/v1/responses");
    assertEquals(server.requests[0].body.reasoning, { effort: "high" });
    assertEquals(server.requests[0].body.tool_choice, "required");
    assertEquals(first.usage.reasoningTokens, 12);
    assertEquals(first.stopReason, "tool_use");
    await complete(ask({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: first.parts! },
        {
          role: "user",
          content: [{ type: "tool_result", id: first.toolCalls[0].id, content: "2" }],
        },
      ],
    }));
    const input = server.requests[1].body.input as Record<string, unknown>[];
    assertEquals(input.map((i) => i.type ?? i.role), [
      "user",
      "reasoning",
      "function_call",
      "function_call_output",
    ]);
    const cut = await complete(ask({ tools: undefined, maxTokens: 60 }));
    assertEquals([cut.stopReason, cut.usage.outputTokens], ["max_tokens", 60]);
    assertEquals(server.refusals, []);
  });
});

Deno.test("openai: GPT-6 Luna with tools uses Chat Completions with reasoning_effort none, or Responses when an effort is asked", async () => {
  await withModel("gpt-6-luna", async (complete, server) => {
    server.enqueue({ text: "a" }, { text: "b" }, { text: "c" });
    await complete(ask());
    await complete(ask({ effort: "low" }));
    await complete(ask({ tools: undefined, effort: "medium" }));
    assertEquals(server.requests.map((r) => [r.api, r.body.reasoning_effort ?? r.body.reasoning]), [
      ["chat", "none"],
      ["responses", { effort: "low" }],
      ["chat", "medium"],
    ]);
    assertEquals(server.refusals, []);
  });
});

Deno.test("the fake refuses what the real APIs refuse, with their bodies, and counts it", async () => {
  const server = await startFakeModelServer();
  try {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      return [res.status, await res.json()];
    };
    const [status, body] = await post("/v1/messages", {
      model: "claude-opus-5-5",
      max_tokens: 10,
      tool_choice: { type: "any" },
      tools: [],
      messages: [{ role: "user", content: "x" }],
    });
    assertEquals(status, 400);
    assertEquals(body.type, "error");
    assertEquals(body.error.type, "invalid_request_error");
    const [s2, b2] = await post("/v1/chat/completions", {
      model: "gpt-6-luna",
      max_completion_tokens: 10,
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      messages: [{ role: "user", content: "x" }],
    });
    assertEquals(s2, 400);
    assertEquals(
      b2.error.message,
      "Function tools with reasoning_effort are not supported for gpt-6-luna in /v1/chat/completions. To use function tools, use /v1/responses or set reasoning_effort to 'none'.",
    );
    assertEquals(b2.error.param, "reasoning_effort");
    const [s3, b3] = await post("/api/v1/chat/completions", {
      model: "minimax/minimax-m2.5",
      reasoning: { enabled: false },
      messages: [{ role: "user", content: "x" }],
    });
    assertEquals(s3, 400);
    assertStringIncludes(b3.error.message, "Reasoning is mandatory");
    assertEquals(server.refusals.length, 3);
    assertEquals(server.requests.length, 3);
  } finally {
    await server.close();
  }
});

Deno.test("anthropic: a caller that sends a turn back rebuilt (text only) still sends its thinking blocks", async () => {
  await withModel("sonnet", async (complete, server) => {
    server.enqueue({ thinking: "ponder", text: "No code yet." }, { text: "ok" });
    await complete(ask());
    await complete(ask({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "No code yet." },
        { role: "user", content: "Please call execute_code." },
      ],
    }));
    assertEquals(server.refusals, []);
    const sent = server.requests[1].body.messages as { content: Record<string, unknown>[] }[];
    assertEquals(sent[1].content.map((b) => b.type), ["thinking", "text"]);
  });
});
