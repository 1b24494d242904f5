/** The guide's example plugin, loaded with --plugin and run against the fake server. */
import { assertEquals } from "../_helpers/assert.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { costOf, loadRegistry, type RetryInfo } from "../../lib/providers/mod.ts";
import { startFakeModelServer, toolResults } from "../fakes/model_server.ts";

const EXAMPLE = new URL("../../examples/plugins/acme_chat.ts", import.meta.url).pathname;

Deno.test("the example plugin resolves, retries, calls tools, streams and is priced", async () => {
  const server = await startFakeModelServer({ apiKey: "acme-key" });
  try {
    const registry = await loadRegistry({
      cwd: "/nonexistent-deeprepo-test-dir",
      env: envFromRecord({
        ACME_API_KEY: "acme-key",
        ACME_BASE_URL: `${server.url}/v1`,
        DEEPREPO_RETRY_BASE_MS: "1",
      }),
      plugins: [EXAMPLE],
    });
    assertEquals(registry.errors, []);
    const model = registry.resolve("acme");
    assertEquals(model.label, "acme:acme-large");
    assertEquals(registry.resolve("acme", "sub").id, "acme-small");
    const retries: RetryInfo[] = [];
    const client = model.createClient({ onRetry: (r) => retries.push(r) });

    server.enqueue(
      { fault: { status: 429, retryAfterMs: 1 } },
      {
        toolCalls: [{ name: "execute_code", input: { code: "1+1" } }],
        usage: { input: 1000, output: 100, cacheRead: 4000 },
      },
    );
    const tools = [{ name: "execute_code", description: "run", inputSchema: { type: "object" } }];
    const first = await client.complete({
      messages: [{ role: "user", content: "go" }],
      tools,
      maxTokens: 50,
    });
    assertEquals(retries.map((r) => r.reason), ["status 429"]);
    assertEquals(first.toolCalls[0].input, { code: "1+1" });
    assertEquals(first.usage, { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 4000 });
    // 1000 * 1.5 + 100 * 6 + 4000 * 0.15 = 2700 per 1M.
    assertEquals(Math.round(costOf(first.usage, model.pricing) * 1e9), 2_700_000);

    server.enqueue({ text: "two, streamed in pieces", usage: { input: 5, output: 6 } });
    const chunks: string[] = [];
    const second = await client.complete({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_call", ...first.toolCalls[0] }] },
        {
          role: "user",
          content: [{ type: "tool_result", id: first.toolCalls[0].id, content: "2" }],
        },
      ],
      tools,
      maxTokens: 50,
      onText: (t) => chunks.push(t),
      toolChoice: "required",
    });
    assertEquals(server.requests[1].body.tool_choice, undefined);
    assertEquals(server.requests[2].body.tool_choice, "required");
    assertEquals(chunks.join(""), "two, streamed in pieces");
    assertEquals(second.usage.outputTokens, 6);
    assertEquals(toolResults(server.requests[2]), [{ id: first.toolCalls[0].id, content: "2" }]);
    server.assertNoFailures();
  } finally {
    await server.close();
  }
});
