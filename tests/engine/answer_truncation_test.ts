import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { type AnalysisDeps, runAnalysis } from "../../lib/engine/run_analysis.ts";
import { priceUsage } from "../../lib/engine/spend.ts";
import { analyzeMetrics } from "../../lib/report/analyze_metrics.ts";
import type { ExecResult, Repl } from "../../lib/sandbox/mod.ts";
import { makeSnapshot, sampleFiles, ScriptedClient, toolCall } from "./_fakes.ts";

/** A REPL whose answer came back cut for size, as the sandbox reports it (#18 finding 7). */
function cutRepl(truncatedChars?: number): Repl {
  return {
    execute: (): Promise<ExecResult> =>
      Promise.resolve({
        output: "",
        outputChars: 0,
        answer: {
          content: "# Report\nA A A",
          ready: true,
          ...(truncatedChars ? { truncatedChars } : {}),
        },
        elapsedMs: 1,
        subQueryMs: 0,
      }),
    close: () => Promise.resolve(),
  };
}

function deps(repl: Repl): AnalysisDeps {
  const price = { input: 1, output: 1 };
  return {
    rootClient: new ScriptedClient([toolCall("set_answer(big)")]),
    subClient: new ScriptedClient([]),
    rootCost: (u) => priceUsage(u, price),
    subCost: (u) => priceUsage(u, price),
    createRepl: () => Promise.resolve(repl),
  };
}

const INFO = {
  repo: "r",
  rootModel: "a:b",
  subModel: "a:c",
  filesTotal: 2,
  retries: 0,
  promptCache: false,
  concurrency: 5,
  maxTurns: 20,
  rootPricing: { input: 1, output: 1 },
};

Deno.test("an answer cut for size says so in the report and in the metrics", async () => {
  const result = await runAnalysis(
    { snapshot: makeSnapshot(sampleFiles(2)) },
    deps(cutRepl(1_000_000)),
  );
  assertEquals(result.complete, true);
  assertEquals(result.answerTruncatedChars, 1_000_000);
  assertStringIncludes(result.report, "# Report\nA A A");
  assertStringIncludes(result.report, "this answer was cut for size");
  assertStringIncludes(result.report, "1000000 more characters were dropped");
  const metrics = analyzeMetrics(result, INFO as Parameters<typeof analyzeMetrics>[1]);
  assertEquals(metrics.answer_truncated_chars, 1_000_000);
});

Deno.test("an answer that fits carries no note and 0 in the metrics", async () => {
  const result = await runAnalysis({ snapshot: makeSnapshot(sampleFiles(2)) }, deps(cutRepl()));
  assertEquals(result.report, "# Report\nA A A");
  assertEquals(result.answerTruncatedChars, 0);
  const metrics = analyzeMetrics(result, INFO as Parameters<typeof analyzeMetrics>[1]);
  assertEquals(metrics.answer_truncated_chars, 0);
});
