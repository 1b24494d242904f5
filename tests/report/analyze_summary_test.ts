import { assertEquals } from "../_helpers/assert.ts";
import { analyzeSummary } from "../../lib/report/analyze_summary.ts";
import type { AnalysisResult } from "../../lib/engine/run_analysis.ts";
import type { AnalyzeRunInfo } from "../../lib/report/analyze_metrics.ts";

const PRICE = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

function result(turns: number, cacheRead: number, cacheWrite: number): AnalysisResult {
  const side = (costUsd: number, calls: number) => ({
    calls,
    costUsd,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  });
  return {
    complete: true,
    stopReason: "answer",
    turns: Array.from({ length: turns }, () => ({})),
    spend: { root: side(0.5, turns), sub: { ...side(0.25, 1), cacheReadTokens: 0 } },
    subStats: { cacheHits: 0, errors: 0 },
    coverage: { covered: new Set(["a.ts", "b.ts"]), eligible: ["a.ts", "b.ts"] },
    elapsedMs: 1500,
  } as unknown as AnalysisResult;
}

const info = { rootPricing: PRICE } as AnalyzeRunInfo;

Deno.test("analyzeSummary() counts in words that agree with the number", () => {
  assertEquals(
    analyzeSummary(result(1, 0, 0), info)[0],
    "analysis complete: 1 turn, 1 sub-model call (0 from cache, 0 failed), 2/2 files looked at, 1.5s",
  );
});

Deno.test("analyzeSummary() says when prompt caching cost more than it saved", () => {
  // 1,000 tokens written at $3.75 instead of $3: $0.00075 more; nothing read back.
  assertEquals(
    analyzeSummary(result(2, 0, 1000), info)[2],
    "prompt cache: 0 tokens read, 1000 written, cost $0.0008 more than no caching",
  );
  // 10,000 read at $0.30 instead of $3 saves $0.027; 2,000 written cost $0.0015 more.
  assertEquals(
    analyzeSummary(result(2, 10_000, 2000), info)[2],
    "prompt cache: 10000 tokens read, 2000 written, saved $0.0255",
  );
});
