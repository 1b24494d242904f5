/**
 * The engine follows each model's published rules: no forced tool call unless allowed (a final
 * text-only reply is the report instead), assistant turns replayed exactly as received, effort
 * only where accepted, room for thinking inside the output limit, thinking shown and counted,
 * and sub answers cut by the output limit retried or marked (and never cached).
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { type AnalysisDeps, minimumBudgetUsd, runAnalysis } from "../../lib/engine/run_analysis.ts";
import { priceUsage, SpendLedger } from "../../lib/engine/spend.ts";
import { effortWarning } from "../../lib/engine/model_rules.ts";
import { analyzeMetrics } from "../../lib/report/analyze_metrics.ts";
import { analyzeTrajectory } from "../../lib/report/trajectory.ts";
import { cacheBatcher, isCacheable, MemoryCache } from "../../lib/cache/mod.ts";
import { subCallBatcher } from "../../lib/engine/sub_queries.ts";
import type { CompletionRequest, ModelRules, Part, Pricing } from "../../lib/providers/types.ts";
import { FakeRepl, makeSnapshot, sampleFiles, ScriptedClient, toolCall } from "./_fakes.ts";

const ROOT_PRICE: Pricing = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const SUB_PRICE: Pricing = { input: 0.3, output: 1.2 };

/** Claude 5.5-like: adaptive thinking, no forcing, effort levels, a 64K output maximum. */
const THINKING_ROOT: ModelRules = {
  forcedToolChoice: false,
  thinking: "adaptive",
  effortLevels: ["low", "medium", "high", "max"],
  maxOutputTokens: 64_000,
};

function deps(root: ScriptedClient, sub: ScriptedClient, extra: Partial<AnalysisDeps> = {}) {
  const d: AnalysisDeps = {
    rootClient: root,
    subClient: sub,
    rootCost: (u) => priceUsage(u, ROOT_PRICE),
    subCost: (u) => priceUsage(u, SUB_PRICE),
    createRepl: (o) => Promise.resolve(new FakeRepl(o)),
    ...extra,
  };
  return d;
}

const echoSub = () => new ScriptedClient([], () => ({ text: "finding" }));

function lastUserText(req: CompletionRequest): string {
  const last = req.messages[req.messages.length - 1];
  if (typeof last.content === "string") return last.content;
  return last.content.map((p) => p.type === "text" ? p.text : "").join("\n");
}

const INFO = {
  repo: "sample",
  rootModel: "root",
  subModel: "sub",
  rootPricing: ROOT_PRICE,
  filesTotal: 1,
  retries: 0,
  promptCache: true,
  concurrency: 5,
  maxTurns: 20,
};

Deno.test("a model that cannot be forced: the last turns send no tool choice; a final text reply is the report", async () => {
  const root = new ScriptedClient([
    toolCall("state.r = await llm_batch(['Review: ' + codebase['src/file_0.ts']]);"),
    { text: "Still thinking about it." },
    { text: "# Report\n\nThe code is fine." },
  ]);
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)), maxTurns: 3 },
    deps(root, echoSub()), // no rules: conservative defaults, no forcing
  );
  assertEquals(root.requests.map((r) => r.toolChoice), [undefined, undefined, undefined]);
  // Turn 2 of 3 is not the last: a text reply there is nudged, not taken.
  assert(result.turns[1].nudged);
  assertStringIncludes(lastUserText(root.requests[2]), "This is the LAST turn.");
  assertStringIncludes(lastUserText(root.requests[2]), "taken as the final report");
  assert(!lastUserText(root.requests[1]).includes("taken as the final report"));
  assert(result.complete);
  assertEquals(result.stopReason, "answer");
  assertEquals(result.report, "# Report\n\nThe code is fine.");
  assertEquals(result.turns[2].textAsReport, true);
  const trajectory = analyzeTrajectory(result, INFO) as { turns: Record<string, unknown>[] };
  assertEquals(trajectory.turns[2].text_as_report, true);
  assertEquals(trajectory.turns[1].text_as_report, undefined);
});

Deno.test("a model that cannot be forced: fenced code of the final reply runs first and its set_answer wins", async () => {
  const root = new ScriptedClient([
    { text: "Here it is:\n```js\nset_answer('# From code');\n```" },
  ]);
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)), maxTurns: 1 },
    deps(root, echoSub()),
  );
  assertEquals(result.report, "# From code");
  assertEquals(result.turns[0].executions[0].source, "fenced");
  assertEquals(result.turns[0].textAsReport, undefined);
});

Deno.test("a model that can be forced gets toolChoice required on the last turns, and text is not a report", async () => {
  const root = new ScriptedClient([{ text: "No tool call." }]);
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)), maxTurns: 1 },
    deps(root, echoSub(), { rootRules: { forcedToolChoice: true } }),
  );
  assertEquals(root.requests[0].toolChoice, "required");
  assert(!lastUserText(root.requests[0]).includes("taken as the final report"));
  assert(!result.complete);
  assertEquals(result.stopReason, "max_turns");
});

Deno.test("the --max-cost finalize turn of a model that cannot be forced takes a text reply as the report", async () => {
  // Room for the first turn and two more like it; after its long reply, turn 2 and one more
  // like it no longer fit, so turn 2 is the last.
  const usage = { inputTokens: 1000, outputTokens: 5000 };
  const root = new ScriptedClient([
    { ...toolCall("print('look')"), usage },
    { text: "# Budget report", usage },
  ]);
  const snapshot = makeSnapshot(sampleFiles(1));
  const least = minimumBudgetUsd(snapshot, (u) => priceUsage(u, ROOT_PRICE), false);
  const result = await runAnalysis(
    { snapshot, budgetUsd: least + 2 * priceUsage(usage, ROOT_PRICE), promptCache: false },
    deps(root, echoSub()),
  );
  assertEquals(result.turns[1].finalize, "budget");
  assertEquals(root.requests[1].toolChoice, undefined);
  assertStringIncludes(lastUserText(root.requests[1]), "The cost budget is nearly spent");
  assertStringIncludes(lastUserText(root.requests[1]), "taken as the final report");
  assert(result.complete);
  assertEquals(result.report, "# Budget report");
  assert(result.budgetStopped);
});

Deno.test("assistant turns go back exactly as received: parts verbatim, with and without tool calls", async () => {
  const thinking1: Part = {
    type: "opaque",
    provider: "anthropic",
    data: { type: "thinking", thinking: "plan", signature: "sig1" },
    thinking: "plan",
  };
  const redacted: Part = { type: "opaque", provider: "anthropic", data: { type: "redacted" } };
  const firstParts: Part[] = [thinking1, redacted, { type: "text", text: "Let me look." }];
  const call = { id: "c1", name: "execute_code", input: { code: "print(1)" } };
  const secondParts: Part[] = [
    { type: "opaque", provider: "anthropic", data: { type: "thinking", signature: "sig2" } },
    { type: "tool_call", ...call },
  ];
  const root = new ScriptedClient([
    { text: "Let me look.", parts: firstParts },
    { toolCalls: [call], parts: secondParts },
    toolCall("set_answer('done')"),
  ]);
  await runAnalysis({ snapshot: makeSnapshot(sampleFiles(1)) }, deps(root, echoSub()));
  const third = root.requests[2].messages;
  assertEquals(third[1], { role: "assistant", content: firstParts });
  assertEquals(third[3], { role: "assistant", content: secondParts });
});

Deno.test("text the model put inside thinking is used for the fenced-code fallback and the salvage", async () => {
  const thought = (text: string): Part => ({
    type: "opaque",
    provider: "anthropic",
    data: { type: "thinking", thinking: text },
    thinking: text,
  });
  const root = new ScriptedClient([
    { parts: [thought("I will count.\n```js\nprint('files', Object.keys(codebase).length)\n```")] },
    { parts: [thought("Notes so far: one file, nothing alarming.")] },
  ]);
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)), maxTurns: 2 },
    deps(root, echoSub(), { rootRules: { forcedToolChoice: true } }),
  );
  assertEquals(result.turns[0].executions[0].code, "print('files', Object.keys(codebase).length)");
  assertStringIncludes(lastUserText(root.requests[1]), "files 1");
  assertStringIncludes(result.report, "Notes so far: one file, nothing alarming.");
  assertStringIncludes(result.turns[1].thinking ?? "", "Notes so far");
});

Deno.test("a final reply with thinking only is not taken as the report (it is salvaged)", async () => {
  const root = new ScriptedClient([{
    parts: [{ type: "opaque", provider: "p", data: {}, thinking: "Maybe I should write it." }],
  }]);
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)), maxTurns: 1 },
    deps(root, echoSub()),
  );
  assert(!result.complete);
  assertStringIncludes(result.report, "Incomplete analysis");
  assertStringIncludes(result.report, "Maybe I should write it.");
});

Deno.test("effort is sent only where the model's rules list it; the limit leaves room for thinking", async () => {
  const root = new ScriptedClient([toolCall("await llm_query('q'); set_answer('ok')")]);
  const sub = echoSub();
  await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)), effort: "high", subEffort: "low" },
    deps(root, sub, {
      rootRules: THINKING_ROOT,
      subRules: { thinking: "adaptive", maxOutputTokens: 6000 },
    }),
  );
  assertEquals(root.requests[0].effort, "high");
  assertEquals(root.requests[0].maxTokens, 32_000); // 16,000 + 16,000 of thinking room
  assertEquals(sub.requests[0].effort, undefined); // the sub-model has no effort levels
  assertEquals(sub.requests[0].maxTokens, 6000); // 4,096 + 4,096, capped by its maximum
  assertEquals(root.requests[0].temperature, undefined);
  assertEquals(
    effortWarning("--sub-effort", "openrouter:m", { thinking: "adaptive" }, "low"),
    "--sub-effort low ignored: openrouter:m has no effort levels",
  );
  assertEquals(effortWarning("--effort", "x", THINKING_ROOT, "max"), undefined);
});

Deno.test("progress shows thinking while the root model streams it; reasoning tokens reach the metrics", async () => {
  const phases: string[] = [];
  const root = new ScriptedClient([{
    ...toolCall("await llm_query('q'); set_answer('ok')"),
    parts: [{ type: "opaque", provider: "p", data: {}, thinking: "hmm" }],
    usage: { inputTokens: 100, outputTokens: 900, reasoningTokens: 700 },
  }]);
  const sub = new ScriptedClient([], () => ({
    text: "finding",
    usage: { inputTokens: 10, outputTokens: 300, reasoningTokens: 250 },
  }));
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)) },
    deps(root, sub, {
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
    }),
  );
  assertEquals(phases.slice(0, 3), ["root", "thinking", "exec"]);
  const metrics = analyzeMetrics(result, INFO);
  assertEquals(metrics.root_reasoning_tokens, 700);
  assertEquals(metrics.sub_reasoning_tokens, 250);
  assertEquals(metrics.root_output_tokens, 900); // reasoning is inside the output count
});

Deno.test("a sub answer cut by the output limit is retried once with a larger limit where allowed", async () => {
  const sub = new ScriptedClient([
    { text: "partial", stopReason: "max_tokens" },
    { text: "whole answer", stopReason: "end" },
  ]);
  const root = new ScriptedClient([toolCall("set_answer(await llm_query('q'))")]);
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(1)) },
    deps(root, sub, { subRules: { maxOutputTokens: 32_000 } }),
  );
  assertEquals(sub.requests.map((r) => r.maxTokens), [4096, 8192]);
  assertEquals(result.report, "whole answer");
  assertEquals(result.subStats.truncated, 0);
  assertEquals(result.spend.sub.calls, 2); // both attempts are paid
});

Deno.test("a sub answer still cut (or with no larger limit allowed) is marked truncated and not cached", async () => {
  for (const subRules of [{ maxOutputTokens: 32_000 }, {}]) {
    const sub = new ScriptedClient([], () => ({ text: "half an answ", stopReason: "length" }));
    const root = new ScriptedClient([toolCall("set_answer(await llm_query('q'))")]);
    const cache = new MemoryCache();
    const result = await runAnalysis(
      { snapshot: makeSnapshot(sampleFiles(1)) },
      deps(root, sub, { subRules, batch: subCallBatcher(cache, "sub", { rules: subRules }) }),
    );
    const retried = subRules.maxOutputTokens !== undefined;
    assertEquals(sub.requests.length, retried ? 2 : 1);
    assert(result.report.startsWith("half an answ\n\n[TRUNCATED: "), result.report);
    assertStringIncludes(result.report, `output limit (${retried ? 8192 : 4096} tokens)`);
    assertEquals(result.subStats.truncated, 1);
    assertEquals(result.subStats.errors, 0);
    assertEquals((await cache.stats()).entries, 0);
  }
  assert(!isCacheable("text\n\n[TRUNCATED: the answer reached the output limit]"));
  assert(isCacheable("text mentioning [TRUNCATED: in the middle]\nand more"));
});

Deno.test("a sub-model effort is part of the cache key", async () => {
  const cache = new MemoryCache();
  const send = (ps: string[]) => Promise.resolve(ps.map(() => "answer"));
  const rules: ModelRules = { effortLevels: ["low", "high"] };
  await subCallBatcher(cache, "m", { rules, effort: "low" })(["q"], send);
  const other = await subCallBatcher(cache, "m", { rules, effort: "high" })(["q"], send);
  assertEquals(other.hits, 0);
  const same = await subCallBatcher(cache, "m", { rules, effort: "low" })(["q"], send);
  assertEquals(same.hits, 1);
  // Without effort the key is what it always was (existing entries stay valid).
  const plain = cacheBatcher(cache, { model: "m", system: "s", maxTokens: 1 });
  assertEquals((await plain(["z"], send)).misses, 1);
});

Deno.test("a thinking model's first turns are projected with thinking tokens on top", () => {
  const cost = (u: { inputTokens: number; outputTokens: number }) =>
    priceUsage(u, { input: 0, output: 1e6 }); // $1 per output token: the output is the cost
  const plain = new SpendLedger({ rootCost: cost, subCost: cost });
  const thinking = new SpendLedger({
    rootCost: cost,
    subCost: cost,
    rootThinks: true,
    subThinks: true,
  });
  assertEquals(plain.projectRoot(0, false), 2048);
  assertEquals(thinking.projectRoot(0, false), 2048 + 4096);
  assertEquals(plain.projectSub(0), 1024);
  assertEquals(thinking.projectSub(0), 1024 + 1024);
});
