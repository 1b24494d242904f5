/** The kit's helpers: SSE parsing, usage normalisation, errors the retry policy reads. */
import { assertEquals } from "../_helpers/assert.ts";
import {
  configError,
  errorInBody,
  httpError,
  normalizeUsage,
  openAIUsage,
  parseSSE,
  type SSEEvent,
} from "../../lib/plugin_kit/mod.ts";
import { classifyError } from "../../lib/providers/classify.ts";

/** A body that arrives in the given pieces. */
function body(...pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(encoder.encode(p));
      controller.close();
    },
  });
}

async function events(stream: ReadableStream<Uint8Array>): Promise<SSEEvent[]> {
  const out: SSEEvent[] = [];
  for await (const e of parseSSE(stream)) out.push(e);
  return out;
}

Deno.test("parseSSE joins multi-line data, skips comments, handles CRLF and split chunks", async () => {
  assertEquals(
    await events(body("da", "ta: a\r\ndata: b\r\n\r\n: ping\n\nevent: x\nid: 7\nda", "ta: {}\n\n")),
    [{ event: "message", data: "a\nb" }, { event: "x", data: "{}", id: "7" }],
  );
  // A last event without the blank line is still delivered; an event with no data is not.
  assertEquals(await events(body("event: only\n\ndata: tail")), [
    { event: "message", data: "tail" },
  ]);
});

Deno.test("normalizeUsage and openAIUsage never produce a count the host rejects", () => {
  assertEquals(normalizeUsage({ inputTokens: -3, outputTokens: NaN, costUsd: -1 }), {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  });
  assertEquals(
    openAIUsage({
      prompt_tokens: 100,
      completion_tokens: 20,
      prompt_tokens_details: { cached_tokens: 30 },
      completion_tokens_details: { reasoning_tokens: 5 },
      cost: 0.01,
    }),
    {
      inputTokens: 70,
      outputTokens: 20,
      cacheReadTokens: 30,
      cacheWriteTokens: 0,
      reasoningTokens: 5,
      costUsd: 0.01,
    },
  );
});

Deno.test("the kit's errors carry what the retry policy reads", async () => {
  const limited = await httpError(
    new Response(JSON.stringify({ error: { message: "slow down" } }), {
      status: 429,
      headers: { "retry-after-ms": "40" },
    }),
  );
  const info = classifyError(limited);
  assertEquals([limited.message, info.retryable, info.retryAfterMs], ["slow down", true, 40]);
  assertEquals(classifyError(errorInBody({ message: "gone" })).status, 502);
  assertEquals(classifyError(errorInBody({ code: 429, message: "x" })).status, 429);
  const config = classifyError(configError("ACME_REGION must be eu or us"));
  assertEquals([config.retryable, config.config], [false, true]);
});
