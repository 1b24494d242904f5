import { assertEquals } from "../_helpers/assert.ts";
import { costOf, UNKNOWN_PRICING } from "../../lib/providers/pricing.ts";

const close = (actual: number, expected: number) =>
  assertEquals(Math.round(actual * 1e12) / 1e12, expected);

Deno.test("costOf prices input and output per 1M tokens", () => {
  // minimax-m2.5: 0.20 in, 1.10 out. 12,000 in + 3,000 out = 0.0024 + 0.0033.
  close(costOf({ inputTokens: 12_000, outputTokens: 3_000 }, { input: 0.2, output: 1.1 }), 0.0057);
});

Deno.test("costOf prices cache reads and writes at their own rates", () => {
  // Sonnet 5.5: 2 in, 10 out, 0.10 cache read, 2.50 cache write.
  // 1,000*2 + 500*10 + 40,000*0.10 + 8,000*2.50 = 2,000 + 5,000 + 4,000 + 20,000 = 31,000 / 1e6.
  const usage = {
    inputTokens: 1_000,
    outputTokens: 500,
    cacheReadTokens: 40_000,
    cacheWriteTokens: 8_000,
  };
  close(costOf(usage, { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 }), 0.031);
});

Deno.test("costOf charges cache tokens at the input price when the model has no cache price", () => {
  // 100 in + 900 cache read + 0 out at $1 in: 1,000 tokens * 1 = 0.001.
  const usage = { inputTokens: 100, outputTokens: 0, cacheReadTokens: 900 };
  close(costOf(usage, UNKNOWN_PRICING), 0.001);
});

Deno.test("costOf uses the provider's own cost when the response carries one", () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, costUsd: 0.5 };
  assertEquals(costOf(usage, { input: 3, output: 15 }), 0.5);
});

Deno.test("an OpenAI-style usage normalized by the plugin is not double counted", async () => {
  const { fromOpenAIUsage } = await import("../../plugins/_openai_compatible.ts");
  // prompt_tokens 10,000 includes 6,000 cached: 4,000 uncached at $1 + 6,000 at $0.10.
  const usage = fromOpenAIUsage({
    prompt_tokens: 10_000,
    completion_tokens: 1_000,
    prompt_tokens_details: { cached_tokens: 6_000 },
  });
  assertEquals([usage.inputTokens, usage.cacheReadTokens], [4_000, 6_000]);
  close(costOf(usage, { input: 1, output: 5, cacheRead: 0.1 }), 0.0096);
});

Deno.test("costOf bills the whole call at the highest tier its prompt exceeds", () => {
  // GPT-6-like: 2/10 base; above 272K 2x input and 1.5x output; a made-up 500K tier on top.
  const pricing = {
    input: 2,
    output: 10,
    cacheRead: 0.2,
    tiers: [
      { aboveTokens: 500_000, input: 8, output: 20, cacheRead: 0.8 },
      { aboveTokens: 272_000, input: 4, output: 15, cacheRead: 0.4 },
    ],
  };
  // Prompt = 72,000 input + 200,000 cache read = 272,000: not above, base prices.
  // 72,000*2 + 200,000*0.2 + 1,000*10 = 144,000 + 40,000 + 10,000 = 194,000.
  close(
    costOf({ inputTokens: 72_000, outputTokens: 1_000, cacheReadTokens: 200_000 }, pricing),
    0.194,
  );
  // One cache-write token more: 272,001 > 272,000, the whole call at the tier.
  // 72,000*4 + 200,000*0.4 + 1*4 (cache write defaults to the tier's input) + 1,000*15
  // = 288,000 + 80,000 + 4 + 15,000 = 383,004.
  close(
    costOf(
      { inputTokens: 72_000, outputTokens: 1_000, cacheReadTokens: 200_000, cacheWriteTokens: 1 },
      pricing,
    ),
    0.383004,
  );
  // 600,000 input: the 500K tier wins though it is listed first. 600,000*8 + 0 = 4.8.
  close(costOf({ inputTokens: 600_000, outputTokens: 0 }, pricing), 4.8);
});

Deno.test("pricesFor returns the base prices without tiers below every threshold", async () => {
  const { pricesFor } = await import("../../lib/providers/pricing.ts");
  const pricing = { input: 1, output: 2, tiers: [{ aboveTokens: 10, input: 3, output: 4 }] };
  assertEquals(pricesFor(10, pricing), { input: 1, output: 2 });
  assertEquals(pricesFor(11, pricing), { input: 3, output: 4, cacheRead: 3, cacheWrite: 3 });
});
