/**
 * How far `--max-cost` projections are off for models that think. In-process, with the engine's
 * scripted fake models: the root and the sub-model spend a varying number of thinking tokens per
 * call (billed as output, reported as `reasoningTokens`), and prompt sizes follow the requests
 * (4 characters per token), as a real provider's do.
 *
 * 1. First turn: the projection made before any reply (`minimumBudgetUsd / 2`, with the assumed
 *    thinking tokens) against the first turn's real cost, for several amounts of thinking.
 * 2. Whole runs: budgets at fractions of an unbudgeted run's cost; how far spend passes the
 *    budget (in dollars and as a share of the budget) when thinking varies from call to call.
 *
 * Run: deno run -A bench/thinking_bench.ts
 *
 * @module
 */
import { minimumBudgetUsd, runAnalysis } from "../lib/engine/run_analysis.ts";
import { priceUsage } from "../lib/engine/spend.ts";
import type { CompletionRequest, ModelRules, Pricing } from "../lib/providers/mod.ts";
import { FakeRepl, makeSnapshot, sampleFiles, ScriptedClient } from "../tests/engine/_fakes.ts";

const ROOT: Pricing = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const SUB: Pricing = { input: 0.3, output: 1.2 };
const THINKS: ModelRules = { thinking: "adaptive", maxOutputTokens: 64_000 };
const VISIBLE_ROOT = 1500;
const VISIBLE_SUB = 300;

/** A seeded generator, so every run of the bench sees the same thinking amounts. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const promptTokens = (req: CompletionRequest) =>
  Math.ceil(((req.system ?? "").length + JSON.stringify(req.messages).length) / 4);

const BATCH = "state.r = await llm_batch(Object.keys(codebase).map((p) => 'Review ' + p + " +
  "'\\n' + codebase[p])); print(state.r.length);";

function clients(seed: number, rootThinking: [number, number], turns: number) {
  const rand = lcg(seed);
  const between = ([lo, hi]: [number, number]) => Math.round(lo + (hi - lo) * rand());
  let n = 0;
  const root = new ScriptedClient([], (req) => {
    n++;
    const thinking = between(rootThinking);
    const code = n >= turns ? "set_answer('done')" : BATCH;
    return {
      toolCalls: [{ id: `c${n}`, name: "execute_code", input: { code } }],
      usage: {
        inputTokens: promptTokens(req),
        outputTokens: VISIBLE_ROOT + thinking,
        reasoningTokens: thinking,
      },
    };
  });
  const sub = new ScriptedClient([], (req) => {
    const thinking = between([200, 3000]);
    return {
      text: "finding",
      usage: {
        inputTokens: promptTokens(req),
        outputTokens: VISIBLE_SUB + thinking,
        reasoningTokens: thinking,
      },
    };
  });
  return { root, sub };
}

async function run(seed: number, rootThinking: [number, number], budgetUsd?: number) {
  const { root, sub } = clients(seed, rootThinking, 6);
  return await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(8, 3000)), budgetUsd, promptCache: false, maxTurns: 8 },
    {
      rootClient: root,
      subClient: sub,
      rootRules: THINKS,
      subRules: THINKS,
      rootCost: (u) => priceUsage(u, ROOT),
      subCost: (u) => priceUsage(u, SUB),
      createRepl: (o) => Promise.resolve(new FakeRepl(o)),
    },
  );
}

console.log("first turn: projection before any reply vs the real cost (no prompt cache)");
const snapshot = makeSnapshot(sampleFiles(8, 3000));
const projected = minimumBudgetUsd(snapshot, (u) => priceUsage(u, ROOT), false, THINKS) / 2;
for (const thinking of [1000, 4096, 8000, 16000]) {
  const result = await run(1, [thinking, thinking]);
  const real = result.turns[0].costUsd;
  console.log(
    `  ${String(thinking).padStart(5)} thinking tokens: projected $${projected.toFixed(4)}, ` +
      `real $${real.toFixed(4)} → projection ${((projected / real - 1) * 100).toFixed(0)}%`,
  );
}

console.log("whole runs, thinking 1,000–12,000 tokens per root turn, 200–3,000 per sub call:");
let worstShare = 0;
let within = 0;
let total = 0;
let withinOneCall = 0;
for (const seed of [1, 2, 3, 4, 5]) {
  const full = await run(seed, [1000, 12_000]);
  for (const fraction of [0.2, 0.4, 0.6, 0.8]) {
    const budget = Math.max(
      full.spend.spentUsd * fraction,
      minimumBudgetUsd(snapshot, (u) => priceUsage(u, ROOT), false, THINKS),
    );
    const r = await run(seed, [1000, 12_000], budget);
    const over = r.spend.spentUsd - budget;
    const biggestCall = Math.max(...r.turns.map((t) => t.costUsd));
    total++;
    if (over <= 0) within++;
    if (over <= biggestCall + 1e-9) withinOneCall++;
    worstShare = Math.max(worstShare, over / budget);
  }
}
console.log(
  `  ${within} of ${total} budgeted runs stayed within the budget, ${withinOneCall} of ` +
    `${total} within one root call of it; the worst passed it by ` +
    `${(Math.max(0, worstShare) * 100).toFixed(1)}% of the budget`,
);
