import {
  ANALYZE_ASSUMPTIONS,
  approximateCounter,
  BASELINE_ASSUMPTIONS,
  baselineOutputLimit,
  baselineReserve,
  estimateAnalyze,
  estimateBaseline,
  type EstimateModel,
  openAiEncodingFor,
  rootTurns,
  type TokenCounter,
  tokenCounterFor,
} from "../../lib/estimate/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { loadRegistry } from "../../lib/providers/mod.ts";
import { envFromRecord } from "../../lib/config/env.ts";

const sonnet: EstimateModel = {
  provider: "anthropic",
  id: "claude-sonnet",
  label: "anthropic:claude-sonnet",
  pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  pricingKnown: true,
};
const cheap: EstimateModel = {
  provider: "openrouter",
  id: "minimax/minimax-m2.5",
  label: "openrouter:minimax/minimax-m2.5",
  pricing: { input: 0.3, output: 1.2 },
  pricingKnown: true,
};
/** One token per character: makes token arithmetic visible in the tests. */
const perChar: TokenCounter = { name: "test", exact: true, count: (t) => t.length };

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

Deno.test("openAiEncodingFor picks o200k or cl100k for OpenAI ids and nothing for others", () => {
  assertEquals(openAiEncodingFor("openai", "gpt-4o-mini"), "o200k_base");
  assertEquals(openAiEncodingFor("openai", "gpt-5"), "o200k_base");
  assertEquals(openAiEncodingFor("openai", "o3-mini"), "o200k_base");
  assertEquals(openAiEncodingFor("openrouter", "openai/gpt-4.1"), "o200k_base");
  assertEquals(openAiEncodingFor("openai", "gpt-4-turbo"), "cl100k_base");
  assertEquals(openAiEncodingFor("anthropic", "claude-sonnet-4-5"), undefined);
  assertEquals(openAiEncodingFor("openrouter", "minimax/minimax-m2.5"), undefined);
  // The openai plugin's own listed ids (newer than the tokenizer package) and gpt-oss anywhere.
  assertEquals(openAiEncodingFor("openai", "gpt-6.1-sol"), "o200k_base");
  assertEquals(openAiEncodingFor("openai", "gpt-6-luna"), "o200k_base");
  assertEquals(openAiEncodingFor("ollama", "gpt-oss:20b"), "o200k_base");
  assertEquals(openAiEncodingFor("openrouter", "openai/gpt-oss-120b"), "o200k_base");
  // A compatible endpoint serving a non-OpenAI model through the openai plugin.
  assertEquals(openAiEncodingFor("openai", "llama-3.3-70b"), undefined);
  assertEquals(openAiEncodingFor("ollama", "qwen3-coder:30b"), undefined);
});

Deno.test("every model the built-in openai plugin lists is counted with a real tokenizer", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_tokens_" });
  try {
    const registry = await loadRegistry({ cwd: tmp, env: envFromRecord({}) });
    const openai = registry.plugins.find((p) => p.name === "openai");
    assert(openai && openai.models.length > 0, "the openai plugin lists no models");
    for (const m of openai.models) {
      assertEquals(openAiEncodingFor("openai", m.id), "o200k_base", m.id);
    }
    const resolved = registry.resolve("openai", "root");
    assert((await tokenCounterFor(resolved)).exact, `${resolved.label} is approximated`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("tokenCounterFor uses the real tokenizer for OpenAI models", async () => {
  const counter = await tokenCounterFor({ provider: "openai", id: "gpt-4o" });
  assertEquals(counter.name, "o200k_base");
  assert(counter.exact);
  assertEquals(counter.count("hello world"), 2);
  // Special-token text in a source file is ordinary text, not an error.
  assert(counter.count("const s = '<|endoftext|>';") > 5);
});

Deno.test("tokenCounterFor falls back to the chars/token ratio for other models", async () => {
  const counter = await tokenCounterFor(sonnet);
  assertEquals(counter, approximateCounter);
  assert(!counter.exact);
  const text = "x".repeat(3500);
  const tokens = counter.count(text);
  assert(tokens >= 800 && tokens <= 1200, `unexpected ratio: ${tokens} tokens for 3500 chars`);
});

Deno.test("rootTurns re-sends the prefix and history every turn and caches it once", () => {
  const growth = ANALYZE_ASSUMPTIONS.rootOutputPerTurn + ANALYZE_ASSUMPTIONS.toolResultPerTurn;
  const r = rootTurns(10_000, 3, sonnet);
  assertEquals(r.inputTokens, 3 * 10_000 + growth * 3);
  assertEquals(r.cacheWriteTokens, 10_000 + 2 * growth);
  assertEquals(r.cacheReadTokens, 2 * 10_000 + growth);
  assertEquals(
    r.outputTokens,
    3 * ANALYZE_ASSUMPTIONS.rootOutputPerTurn + ANALYZE_ASSUMPTIONS.finalReportTokens,
  );
  assert(close(r.costUncached, (r.inputTokens * 3 + r.outputTokens * 15) / 1e6));
  assert(
    close(
      r.costCached,
      (r.outputTokens * 15 + r.cacheReadTokens * 0.3 + r.cacheWriteTokens * 3.75) / 1e6,
    ),
  );
  assert(r.costCached < r.costUncached);
});

Deno.test("estimateAnalyze ranges from a short cached run to a long uncached one", () => {
  const contents = ["a".repeat(40_000), "b".repeat(60_000)];
  const e = estimateAnalyze({
    root: sonnet,
    sub: cheap,
    rootCounter: perChar,
    subCounter: perChar,
    rootPrefix: "p".repeat(5_000),
    contents,
    maxTurns: 20,
    promptCache: true,
  });
  assertEquals(e.root.prefixTokens, 5_000);
  assertEquals(e.root.low.turns, ANALYZE_ASSUMPTIONS.turnsLow);
  assertEquals(e.root.high.turns, ANALYZE_ASSUMPTIONS.turnsHigh);
  assertEquals(e.sub.contentTokens, 100_000);
  assertEquals(e.sub.inputTokens.high, Math.round(100_000 * ANALYZE_ASSUMPTIONS.subPromptOverhead));
  assertEquals(e.sub.outputTokens.low, Math.round(50_000 * ANALYZE_ASSUMPTIONS.subOutputRatio));
  assert(close(e.cost.low, e.root.low.costCached + e.sub.cost.low));
  assert(close(e.cost.high, e.root.high.costUncached + e.sub.cost.high));
  assert(e.cost.low < e.cost.high);
  assertEquals(e.tokenizers, { root: "test", sub: "test" });
});

Deno.test("estimateAnalyze caps turns at --max-turns and honours --no-prompt-cache", () => {
  const e = estimateAnalyze({
    root: sonnet,
    sub: cheap,
    rootCounter: perChar,
    subCounter: perChar,
    rootPrefix: "p".repeat(1_000),
    contents: ["x".repeat(1_000)],
    maxTurns: 2,
    promptCache: false,
  });
  assertEquals(e.root.low.turns, 2);
  assertEquals(e.root.high.turns, 2);
  assert(close(e.cost.low, e.root.low.costUncached + e.sub.cost.low));
  assertStringIncludes(e.assumptions.join("\n"), "--no-prompt-cache");
});

Deno.test("estimateAnalyze says when a model has no listed price", () => {
  const e = estimateAnalyze({
    root: sonnet,
    sub: { ...cheap, pricing: { input: 1, output: 1 }, pricingKnown: false },
    rootCounter: perChar,
    subCounter: perChar,
    rootPrefix: "p",
    contents: [],
    maxTurns: 20,
    promptCache: true,
  });
  assertEquals(e.pricingKnown, { root: true, sub: false });
  assertStringIncludes(e.assumptions.join("\n"), "no listed price for openrouter:minimax");
});

Deno.test("estimateBaseline prices the exact input and a typical-to-maximum output", () => {
  const e = estimateBaseline({
    model: sonnet,
    counter: perChar,
    system: "s".repeat(100),
    user: "u".repeat(9_900),
  });
  assertEquals(e.inputTokens, 10_000);
  assert(close(e.inputCost, 10_000 * 3 / 1e6));
  assertEquals(e.outputTokens.high, BASELINE_ASSUMPTIONS.maxOutputTokens);
  assert(close(e.cost.high, (10_000 * 3 + BASELINE_ASSUMPTIONS.maxOutputTokens * 15) / 1e6));
  assert(close(e.cost.low, (10_000 * 3 + BASELINE_ASSUMPTIONS.typicalOutputTokens * 15) / 1e6));
  assert(e.exactTokens);
});

Deno.test("the published FastAPI benchmark run falls inside the analyze estimate", () => {
  // Recorded: Sonnet 4.5 root ($3/$15, cache $0.30/$3.75), 3 turns, $0.435 root + $0.021 sub.
  // FastAPI's 47 files are ~200k characters (~50k tokens); metadata + tree + prompts ~3k tokens.
  const e = estimateAnalyze({
    root: sonnet,
    sub: { ...cheap, pricing: { input: 0.3, output: 1.2 } },
    rootCounter: perChar,
    subCounter: perChar,
    rootPrefix: "p".repeat(3_000),
    contents: ["c".repeat(50_000)],
    maxTurns: 20,
    promptCache: true,
  });
  const recorded = 0.4561;
  assert(e.cost.low <= recorded && recorded <= e.cost.high, JSON.stringify(e.cost));
});

Deno.test("estimateBaseline limits the answer to what the context window leaves, down to 1,024", () => {
  const base = { model: sonnet, counter: perChar, system: "s", user: "u".repeat(100_000) };
  // 100,001 prompt tokens in a 110,000-token window: 9,999 tokens left for the answer.
  const tight = estimateBaseline({ ...base, contextWindow: 110_000 });
  assertEquals(tight.fitsContext, true);
  assertEquals(tight.outputTokens, { low: 4_000, high: 9_999 });
  assert(close(tight.cost.high, (100_001 * 3 + 9_999 * 15) / 1e6));
  assertStringIncludes(tight.assumptions.join("\n"), "output limited to 9,999 tokens");
  // Less than 1,024 left: the request cannot fit at all.
  const over = estimateBaseline({ ...base, contextWindow: 100_500 });
  assertEquals(over.fitsContext, false);
  assertEquals(over.outputTokens.high, BASELINE_ASSUMPTIONS.minOutputTokens);
  assertStringIncludes(over.assumptions.join("\n"), "lower --max-chars");
  const roomy = estimateBaseline({ ...base, contextWindow: 200_000 });
  assertEquals(roomy.fitsContext, true);
  assertEquals(roomy.outputTokens.high, 16_384);
  assert(!roomy.assumptions.join("\n").includes("limited"));
  assertEquals(estimateBaseline(base).fitsContext, null);
  // The worst case of compare --max-cost follows the same limit.
  assertEquals(baselineReserve({ ...base, contextWindow: 110_000 }).outputTokens, 9_999);
});

Deno.test("baselineOutputLimit counts an approximated prompt cautiously", () => {
  const input = {
    model: sonnet,
    counter: approximateCounter,
    system: "",
    user: "u".repeat(70_000),
    contextWindow: 32_768,
  };
  // 70,000 chars at 3.5 per token = 20,000 tokens (the estimate's 4 would say 17,500).
  assertEquals(baselineOutputLimit(input), { maxTokens: 12_768, fits: true, inputTokens: 20_000 });
});

Deno.test("baselineReserve prices the whole output limit and counts approximated input cautiously", () => {
  const system = "s".repeat(700);
  const user = "u".repeat(34_300);
  const exact = baselineReserve({ model: sonnet, counter: perChar, system, user });
  assertEquals(exact.inputTokens, 35_000);
  assertEquals(exact.outputTokens, BASELINE_ASSUMPTIONS.maxOutputTokens);
  assert(close(exact.usd, (35_000 * 3 + 16_384 * 15) / 1e6), String(exact.usd));
  // Without a real tokenizer: 3.5 characters per token, not the estimate's 4.
  const approx = baselineReserve({ model: sonnet, counter: approximateCounter, system, user });
  assertEquals(approx.inputTokens, 200 + 9_800);
  const estimate = estimateBaseline({ model: sonnet, counter: approximateCounter, system, user });
  assert(approx.inputTokens > estimate.inputTokens);
  assert(approx.usd >= estimate.cost.high, `${approx.usd} < ${estimate.cost.high}`);
});
