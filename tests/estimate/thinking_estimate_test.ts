/** Dry-run estimates count thinking tokens (billed as output) for models that think. */
import {
  ANALYZE_ASSUMPTIONS as A,
  BASELINE_ASSUMPTIONS as B,
  estimateAnalyze,
  estimateBaseline,
  type EstimateModel,
  rootTurns,
  type TokenCounter,
} from "../../lib/estimate/mod.ts";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";

const model = (thinking?: "none" | "adaptive"): EstimateModel => ({
  provider: "p",
  id: "m",
  label: "p:m",
  pricing: { input: 1, output: 10 },
  pricingKnown: true,
  ...(thinking ? { rules: { thinking } } : {}),
});
const perChar: TokenCounter = { name: "test", exact: true, count: (t) => t.length };

Deno.test("a root model that thinks is estimated with thinking tokens per turn, and says so", () => {
  const plain = rootTurns(1000, 3, model("none"));
  const thinking = rootTurns(1000, 3, model("adaptive"));
  assertEquals(thinking.outputTokens - plain.outputTokens, 3 * A.rootThinkingPerTurn);
  const input = {
    rootCounter: perChar,
    subCounter: perChar,
    rootPrefix: "x".repeat(1000),
    contents: ["a".repeat(400), "b".repeat(600)],
    maxTurns: 20,
    promptCache: false,
  };
  const base = estimateAnalyze({ ...input, root: model(), sub: model() });
  const e = estimateAnalyze({ ...input, root: model("adaptive"), sub: model("adaptive") });
  // Sub: one call per file dispatched (1 of 2 files at 50%, both at 100%).
  assertEquals(e.sub.outputTokens.low - base.sub.outputTokens.low, 1 * A.subThinkingPerCall);
  assertEquals(e.sub.outputTokens.high - base.sub.outputTokens.high, 2 * A.subThinkingPerCall);
  const text = e.assumptions.join("\n");
  assertStringIncludes(text, "thinking: root ~4,096 per turn, sub ~1,024 per call");
  assertStringIncludes(text, "billed as output");
  assertEquals(base.assumptions.some((a) => a.startsWith("thinking")), false);
});

Deno.test("a baseline model that thinks is estimated with thinking on top of a typical report", () => {
  const args = { counter: perChar, system: "s", user: "u" };
  const plain = estimateBaseline({ ...args, model: model() });
  const thinking = estimateBaseline({ ...args, model: model("adaptive") });
  assertEquals(plain.outputTokens.low, B.typicalOutputTokens);
  assertEquals(thinking.outputTokens.low, B.typicalOutputTokens + B.typicalThinkingTokens);
  assertStringIncludes(thinking.assumptions.join("\n"), "thinking tokens, billed as output");
});
