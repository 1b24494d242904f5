import { runBaseline } from "../../lib/baseline/run.ts";
import { renderBaselineReport } from "../../lib/baseline/report.ts";
import { buildBaselinePrompt } from "../../lib/baseline/prompt.ts";
import {
  baselineColumn,
  compareJson,
  renderCompareTable,
  rlmColumn,
} from "../../lib/baseline/compare_table.ts";
import type { CompletionRequest, ModelClient } from "../../lib/providers/types.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { fakeSnapshot } from "./_snapshot.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { runBaselineOnSnapshot } from "../../lib/cli/commands/baseline.ts";
import { createProgress } from "../../lib/cli/progress.ts";
import { loadRegistry } from "../../lib/providers/mod.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { RunError } from "../../lib/errors.ts";

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
  const lines = renderCompareTable({
    repo: "x",
    timestamp: "t",
    total_cost: 0.5,
    budget: null,
    rlm,
    baseline,
  });
  const row = (label: string) => lines.find((l) => l.startsWith(label)) ?? "";
  assertMatch(row("status"), /FAILED: root model down\s+ok$/);
  assertMatch(row("files covered"), /^files covered\s+-\s+42\/47 \(included\)$/);
  assertMatch(row("root tokens in/out"), /47,596 \/ 3,633$/);
  assertMatch(row("elapsed"), /80\.5 s$/);
  assertEquals(row("budget"), "", "no budget row without --max-cost");
  assertEquals(lines.at(-1), "combined cost $0.5000");
});

Deno.test("compareJson adds both sides' costs and the table shows the budget split", () => {
  const table = compareJson("repo", "20261125_120000", {
    rlm: {
      metrics: {
        root_model: "a:sonnet",
        sub_model: "o:minimax",
        total_cost: 0.31,
        budget: 0.6,
        budget_stopped: true,
        complete: false,
      },
    },
    baseline: { metrics: { root_model: "a:opus", total_cost: 0.4, root_calls: 1 } },
    budget: { max_cost: 1, baseline_worst_case: 0.75, analyze_budget: 0.6 },
  });
  assertEquals(table.total_cost, 0.71);
  assertEquals(table.rlm.budget_stopped, true);
  assertEquals(table.baseline.budget_stopped, null);
  const lines = renderCompareTable(table);
  const row = (label: string) => lines.find((l) => l.startsWith(label)) ?? "";
  assertMatch(row("status"), /^status\s+ok \(incomplete\)\s+ok$/);
  assertMatch(
    row("budget"),
    /^budget\s+\$0\.6000 \(what the baseline left\) \(it ended the run\)\s+at most \$0\.7500 \(run first\)$/,
  );
  assertEquals(lines.at(-1), "combined cost $0.7100 (--max-cost $1.0000)");
});

Deno.test("runBaselineOnSnapshot saves a paid answer to a temporary folder when the output folder fails", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_baseline_" });
  let saved: string | undefined;
  try {
    // A file where the output folder should be: checked away earlier, broken since.
    await Deno.writeTextFile(`${tmp}/out`, "not a folder");
    const ctx = capturedContext(tmp);
    const registry = await loadRegistry({ cwd: tmp, env: envFromRecord({}) });
    const outcome = await runBaselineOnSnapshot(fakeSnapshot({ "a.ts": "export const a = 1;\n" }), {
      prepared: {
        model: registry.resolve("sonnet", "root"),
        client: client(() =>
          Promise.resolve({
            text: "## 1. Architecture\npaid answer",
            toolCalls: [],
            usage: { inputTokens: 100, outputTokens: 20 },
            stopReason: "end_turn",
          })
        ),
        retries: () => 0,
      },
      maxChars: 180_000,
      outputDir: `${tmp}/out`,
      ts: "20261125_120000",
      progress: createProgress(ctx, { quiet: true }),
      stream: false,
    }, ctx);
    assert(outcome.error instanceof RunError, String(outcome.error));
    assertStringIncludes(outcome.error.message, `could not write to ${tmp}/out`);
    assertStringIncludes(outcome.error.message, `results saved to ${outcome.paths.report} instead`);
    saved = outcome.paths.report.slice(0, outcome.paths.report.lastIndexOf("/"));
    assert(!saved.startsWith(tmp), saved);
    assertStringIncludes(await Deno.readTextFile(outcome.paths.report), "paid answer");
    const metrics = JSON.parse(await Deno.readTextFile(outcome.paths.metrics));
    assertEquals(metrics.root_output_tokens, 20);
    assertEquals(metrics.complete, true);
  } finally {
    await Deno.remove(tmp, { recursive: true });
    if (saved) await Deno.remove(saved, { recursive: true });
  }
});
