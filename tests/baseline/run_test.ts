import { runBaseline } from "../../lib/baseline/run.ts";
import { renderBaselineReport } from "../../lib/baseline/report.ts";
import { buildBaselinePrompt } from "../../lib/baseline/prompt.ts";
import { baselineColumn, renderCompareTable, rlmColumn } from "../../lib/baseline/compare_table.ts";
import type { CompletionRequest, ModelClient } from "../../lib/providers/types.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { fakeSnapshot } from "./_snapshot.ts";

function client(fn: (req: CompletionRequest) => Promise<unknown>): ModelClient {
  return { complete: (req) => fn(req) as ReturnType<ModelClient["complete"]> };
}

Deno.test("runBaseline marks an answer cut at the output limit as incomplete", async () => {
  let seen: CompletionRequest | undefined;
  const result = await runBaseline({
    client: client((req) => {
      seen = req;
      req.onText?.("partial");
      return Promise.resolve({
        text: "partial",
        toolCalls: [],
        usage: { inputTokens: 5, outputTokens: 16_384 },
        stopReason: "max_tokens",
      });
    }),
    user: "hello",
  });
  assertEquals(result.complete, false);
  assertEquals(result.calls, 1);
  assertEquals(seen?.maxTokens, 16_384);
  assertEquals(seen?.tools, undefined);
  assert(typeof seen?.onText === "function", "the call must stream");
});

Deno.test("runBaseline returns a failure as a value and keeps the text streamed before it", async () => {
  let t = 1_000;
  const result = await runBaseline({
    client: client((req) => {
      req.onText?.("## 1. Arch");
      t += 2_500;
      return Promise.reject(new Error("connection reset"));
    }),
    user: "hello",
    now: () => t,
  });
  assertEquals(result.analysis, "## 1. Arch");
  assertEquals(result.calls, 0);
  assertEquals(result.complete, false);
  assertEquals(result.elapsedSeconds, 2.5);
  assertMatch(String(result.error), /connection reset/);
});

Deno.test("renderBaselineReport states what the model saw and flags failures", () => {
  const snapshot = fakeSnapshot({ "a.ts": "a".repeat(10), "b.ts": "b".repeat(5_000) });
  const prompt = buildBaselinePrompt(snapshot, { maxChars: 1_000 });
  const report = renderBaselineReport({
    repoName: "fixture",
    rootModel: "anthropic:opus",
    filesTotal: 2,
    prompt,
    analysis: "streamed part",
    complete: false,
    error: "anthropic opus: overloaded (status 529)",
  });
  assertStringIncludes(report, "saw 1 of 2 files");
  assertStringIncludes(report, "- b.ts");
  assertStringIncludes(report, "The call failed:** anthropic opus: overloaded");
  assertStringIncludes(report, "streamed part");
});

Deno.test("the compare table shows dashes and the error for a failed side", () => {
  const rlm = rlmColumn({ error: "root model down" });
  const baseline = baselineColumn({
    report: "/out/baseline_x.md",
    metrics: {
      root_model: "anthropic:opus",
      total_cost: 0.5,
      root_cost: 0.5,
      root_input_tokens: 47_596,
      root_output_tokens: 3_633,
      root_calls: 1,
      included_files: 42,
      excluded_files: 5,
      files_total: 47,
      analysis_chars: 12_793,
      elapsed_seconds: 80.46,
      complete: true,
    },
  });
  assertEquals(rlm.status, "failed");
  assertEquals(rlm.total_cost, null);
  assertEquals(baseline.files_covered, 42);
  const lines = renderCompareTable({ repo: "x", timestamp: "t", rlm, baseline });
  const row = (label: string) => lines.find((l) => l.startsWith(label)) ?? "";
  assertMatch(row("status"), /FAILED: root model down\s+ok$/);
  assertMatch(row("files covered"), /^files covered\s+-\s+42\/47 \(included\)$/);
  assertMatch(row("root tokens in/out"), /47,596 \/ 3,633$/);
  assertMatch(row("elapsed"), /80\.5 s$/);
});
