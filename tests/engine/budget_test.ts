import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { type AnalysisDeps, runAnalysis } from "../../lib/engine/run_analysis.ts";
import { cacheSavingsUsd, priceUsage, SpendLedger } from "../../lib/engine/spend.ts";
import { formatBudgetUsd } from "../../lib/format.ts";
import { turnStatusText } from "../../lib/engine/prompts.ts";
import { BUDGET_SKIP_TEXT } from "../../lib/engine/sub_queries.ts";
import type { CompletionRequest, Pricing } from "../../lib/providers/types.ts";
import { FakeRepl, makeSnapshot, sampleFiles, ScriptedClient, toolCall } from "./_fakes.ts";

// Sonnet-like root and MiniMax-like sub prices; usage follows the request size (4 chars per
// token), the way a real provider's does, so projections and actual costs are comparable.
const ROOT: Pricing = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const SUB: Pricing = { input: 0.3, output: 1.2 };
const usageOf = (req: CompletionRequest, outputTokens: number) => ({
  inputTokens: Math.ceil(((req.system ?? "").length + JSON.stringify(req.messages).length) / 4),
  outputTokens,
});

type Step = string | ((req: CompletionRequest) => string);

function setup(steps: Step[]) {
  let i = 0;
  const root = new ScriptedClient([], (req) => {
    const step = steps[i++];
    if (step === undefined) return { throws: new Error("root script exhausted") };
    const code = typeof step === "function" ? step(req) : step;
    return { ...toolCall(code, `t${i}`), usage: usageOf(req, 2000) };
  });
  const sub = new ScriptedClient([], (req) => ({ text: "finding", usage: usageOf(req, 300) }));
  const d: AnalysisDeps = {
    rootClient: root,
    subClient: sub,
    rootCost: (u) => priceUsage(u, ROOT),
    subCost: (u) => priceUsage(u, SUB),
    createRepl: (o) => Promise.resolve(new FakeRepl(o)),
  };
  return { root, sub, d };
}

/** Costs of an unbudgeted run of the same script: per root turn and per sub call. */
async function measure(steps: Step[]) {
  const { d } = setup(steps);
  const r = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(2)) }, d);
  return {
    rootTurns: r.turns.map((t) => t.costUsd),
    sub: r.spend.sub.costUsd / Math.max(1, r.spend.sub.calls),
    total: r.spend.spentUsd,
  };
}

function text(req: CompletionRequest): string {
  const last = req.messages[req.messages.length - 1];
  return typeof last.content === "string"
    ? last.content
    : last.content.map((p) =>
      p.type === "text" ? p.text : p.type === "tool_result" ? p.content : ""
    ).join("\n");
}

// The scripted usage carries no cache reads, so projections are made without prompt caching.
const NO_CACHE = { snapshot: makeSnapshot(sampleFiles(2)), promptCache: false };

const BATCH_40 = "state.r = await llm_batch(Array.from({length: 40}, (_, i) => " +
  "'Review part ' + i + ' of the code: ' + 'x'.repeat(300))); " +
  "print(state.r.filter((x) => x.startsWith('[ERROR: budget')).length, 'skipped');";

Deno.test("budget: a batch sends only what fits and tells the model", async () => {
  const steps = [BATCH_40, "set_answer('report from ' + state.r.length)"];
  const m = await measure(steps);
  const { root, sub, d } = setup(steps);
  // Turn 1 runs normally (two turns fit); the batch then has room for a few calls beyond 10.
  const budget = m.rootTurns[0] + 1.2 * m.rootTurns[1] + 10 * m.sub;
  const result = await runAnalysis(
    { ...NO_CACHE, budgetUsd: budget, concurrency: 1 },
    d,
  );
  const sent = sub.requests.length;
  assert(sent > 0 && sent < 40, `sent ${sent}`);
  assertEquals(result.subStats.budgetSkipped, 40 - sent);
  const shown = text(root.requests[1]);
  assertStringIncludes(shown, `${40 - sent} skipped`);
  assertStringIncludes(shown, "[BUDGET]");
  assertStringIncludes(BUDGET_SKIP_TEXT, "[ERROR: budget");
  // Room was kept for the final root turn, so the run still finished within budget.
  assert(result.complete);
  assert(result.spend.spentUsd <= budget, `spent ${result.spend.spentUsd}`);
});

Deno.test("budget: before a root turn that would pass it, the model is told to finalize", async () => {
  const steps = ["print('look')", "set_answer('final')"];
  const m = await measure(steps);
  const { root, d } = setup(steps);
  d.rootRules = { forcedToolChoice: true }; // a model that can be forced to call the tool
  // After turn 1, turn 2 fits but a third like it would not: turn 2 is the last, and fits.
  const budget = m.rootTurns[0] + 1.5 * m.rootTurns[1];
  const result = await runAnalysis({ ...NO_CACHE, budgetUsd: budget }, d);
  assertStringIncludes(text(root.requests[1]), "The cost budget is nearly spent");
  assertEquals((root.requests[1] as { toolChoice?: string }).toolChoice, "required");
  assert(result.complete);
  assertEquals(result.report, "final");
  assert(result.budgetStopped);
  assertEquals(root.requests.length, 2);
  assert(result.spend.spentUsd <= budget, `spent ${result.spend.spentUsd} of ${budget}`);
});

Deno.test("budget: when the final turn does not submit, a partial report is salvaged", async () => {
  const steps = [
    "state.r = await llm_batch(['Review a: ' + codebase['src/file_0.ts']]);",
    "print('ignoring the request to finish')",
    "print('never runs')",
  ];
  const m = await measure(steps);
  const { root, d } = setup(steps);
  const result = await runAnalysis(
    { ...NO_CACHE, budgetUsd: m.rootTurns[0] + m.sub + 1.5 * m.rootTurns[1] },
    d,
  );
  assertEquals(root.requests.length, 2);
  assert(!result.complete);
  assertEquals(result.stopReason, "budget");
  assert(result.budgetStopped);
  assertStringIncludes(result.report, "cost budget (--max-cost) was spent");
  assertStringIncludes(result.report, "finding");
});

Deno.test("budget: spend never passes the budget by more than one call", async () => {
  const steps = Array.from({ length: 8 }, () => BATCH_40);
  const m = await measure(steps);
  const biggestCall = Math.max(...m.rootTurns, m.sub);
  for (const fraction of [0.02, 0.1, 0.3, 0.6, 0.9]) {
    const budget = m.total * fraction;
    const { d, root, sub } = setup(steps);
    const result = await runAnalysis(
      { snapshot: makeSnapshot(sampleFiles(2)), budgetUsd: budget, concurrency: 5, maxTurns: 8 },
      d,
    );
    assert(
      result.spend.spentUsd <= budget + biggestCall + 1e-9,
      `budget ${budget}: spent ${result.spend.spentUsd} with ${root.requests.length} root ` +
        `and ${sub.requests.length} sub calls`,
    );
    if (fraction <= 0.3) assert(result.budgetStopped, `budget ${budget} should stop the run`);
    else assert(result.budgetStopped || result.subStats.budgetSkipped > 0);
  }
});

Deno.test("budget: spend stays within a budget of two turns or more when projections hold", async () => {
  const steps = Array.from({ length: 8 }, () => BATCH_40);
  const m = await measure(steps);
  const least = 2.2 * m.rootTurns[0];
  for (const fraction of [0.1, 0.3, 0.6, 0.9]) {
    const budget = Math.max(least, m.total * fraction);
    const { d } = setup(steps);
    const result = await runAnalysis(
      { ...NO_CACHE, budgetUsd: budget, concurrency: 5, maxTurns: 8 },
      d,
    );
    assert(result.spend.spentUsd <= budget, `budget ${budget}: spent ${result.spend.spentUsd}`);
    assert(result.budgetStopped || result.subStats.budgetSkipped > 0, `budget ${budget}`);
  }
});

Deno.test("budget: without --max-cost nothing is held back", async () => {
  const { d, sub } = setup([BATCH_40, "set_answer('x')"]);
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, d);
  assertEquals(sub.requests.length, 40);
  assert(!result.budgetStopped);
});

Deno.test("SpendLedger adds root usage with cache reads and writes at their prices", () => {
  // Worked example (Sonnet prices): 2,000 fresh input, 30,000 cache read, 5,000 cache write,
  // 800 output → 2000×3 + 30000×0.30 + 5000×3.75 + 800×15 = 6000 + 9000 + 18750 + 12000
  // = 45,750 per 1M → $0.04575.
  const sonnet = ROOT;
  const ledger = new SpendLedger({
    rootCost: (u) => priceUsage(u, sonnet),
    subCost: (u) => priceUsage(u, SUB),
  });
  const cost = ledger.addRoot({
    inputTokens: 2000,
    outputTokens: 800,
    cacheReadTokens: 30_000,
    cacheWriteTokens: 5000,
  });
  assertEquals(Math.round(cost * 1e8) / 1e8, 0.04575);
  assertEquals(ledger.root.cacheReadTokens, 30_000);
  assertEquals(ledger.root.cacheWriteTokens, 5000);
  // Savings: 30,000 × (3 − 0.30) − 5,000 × (3.75 − 3) = 81,000 − 3,750 = 77,250 → $0.07725.
  assertEquals(Math.round(cacheSavingsUsd(ledger.root, sonnet) * 1e8) / 1e8, 0.07725);
  // A provider-reported cost wins over the price list.
  assertEquals(ledger.addSub({ inputTokens: 10, outputTokens: 10, costUsd: 0.5 }), 0.5);
  assertEquals(Math.round(ledger.spentUsd * 1e8) / 1e8, 0.54575);
});

Deno.test("SpendLedger reservations keep parallel calls inside the budget", () => {
  const ledger = new SpendLedger({ rootCost: () => 0, subCost: () => 0.3, budgetUsd: 1 });
  assert(ledger.tryReserve(0.3));
  assert(ledger.tryReserve(0.3));
  assert(ledger.tryReserve(0.3));
  assert(!ledger.tryReserve(0.3));
  ledger.release(0.3);
  assert(!ledger.tryReserve(0.3, 0.2)); // would leave less than the 0.2 kept for the root
  assert(ledger.tryReserve(0.3));
});

Deno.test("SpendLedger projects a cached first turn as a cache write, later turns as reads", () => {
  const ledger = new SpendLedger({ rootCost: (u) => priceUsage(u, ROOT), subCost: () => 0 });
  // First turn, 35,000 characters → 10,000 tokens written to the cache at $3.75, and 2,048
  // output tokens assumed at $15: 37,500 + 30,720 = 68,220 per 1M → $0.06822.
  assertEquals(Math.round(ledger.projectRoot(35_000, true) * 1e8) / 1e8, 0.06822);
  // Without caching the same text is plain input at $3: 30,000 + 30,720 → $0.06072.
  assertEquals(Math.round(ledger.projectRoot(35_000, false) * 1e8) / 1e8, 0.06072);
  // After a turn of 10,000 prompt tokens and 500 output: 10,500 read at $0.30, 1,000 new
  // tokens (3,500 chars) written at $3.75, 500 output at $15: 3,150 + 3,750 + 7,500 → $0.0144.
  // (The provider reported that turn's cost as $0.001.)
  ledger.addRoot({ inputTokens: 0, cacheWriteTokens: 10_000, outputTokens: 500, costUsd: 0.001 });
  assertEquals(Math.round(ledger.projectRoot(3500, true) * 1e8) / 1e8, 0.0144);
  // A projection is never below the last turn's real cost (a provider that cached less).
  ledger.addRoot({ inputTokens: 0, cacheWriteTokens: 10_000, outputTokens: 500, costUsd: 0.05 });
  assertEquals(ledger.projectRoot(3500, true), 0.05);
});

Deno.test("budget: the status line and progress show a small budget to the tenth of a cent", () => {
  assertEquals(formatBudgetUsd(0.005), "$0.0050");
  assertEquals(formatBudgetUsd(0.5), "$0.5000");
  assertEquals(formatBudgetUsd(2), "$2.00");
  assertStringIncludes(
    turnStatusText({
      turn: 1,
      maxTurns: 20,
      filesNotLooked: 3,
      filesTotal: 3,
      spentUsd: 0,
      budgetUsd: 0.005,
      finalize: false,
    }),
    "spent $0.0000 of $0.0050]",
  );
});
