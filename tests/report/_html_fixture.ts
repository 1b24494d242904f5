/**
 * A run of the sample project as the HTML report sees it: the loaded snapshot, a report with
 * good, wrong and hostile citations, metrics and a two-turn trajectory.
 *
 * @module
 */
import { loadCodebase } from "../../lib/loader/mod.ts";
import { checkCitations } from "../../lib/report/citations.ts";
import { htmlInputFromRun } from "../../lib/report/html/from_run.ts";
import { citationSourceOf } from "../../lib/report/citations.ts";
import type { HtmlReportInput } from "../../lib/report/html/mod.ts";

const SAMPLE = new URL("../fixtures/sample_project", import.meta.url).pathname;

/** The model's report: citations, raw HTML and a `javascript:` link that must stay inert. */
export const HOSTILE_REPORT = [
  "# Audit",
  "",
  '1. Hard-coded token in `src/auth.ts:2` — `const ADMIN_TOKEN = "sk-live-0000-do-not-ship";`',
  "2. Timing leak at src/auth.ts:9 — `return token == ADMIN_TOKEN;`",
  "3. Missing file src/nothere.ts:4.",
  "",
  '<img src="http://127.0.0.1:9/pixel.png" onerror="document.title=\'pwned\'">',
  "<script>document.title='pwned'</script>",
  "[click me](javascript:document.title='pwned') and [data](data:text/html,<b>x</b>)",
].join("\n");

/** Builds the page input for the sample project with `report`. */
export async function sampleHtmlInput(report = HOSTILE_REPORT): Promise<{
  input: HtmlReportInput;
  metrics: Record<string, unknown>;
}> {
  const { snapshot } = await loadCodebase(SAMPLE, { cwd: SAMPLE });
  const check = checkCitations(report, citationSourceOf(snapshot));
  const covered = new Set(["src/auth.ts", "src/db.ts"]);
  const metrics: Record<string, unknown> = {
    root_model: "anthropic:claude-sonnet-5-5",
    sub_model: "openrouter:minimax/minimax-m2.5",
    turns: 2,
    total_cost: 0.0123,
    files_dispatched: covered.size,
    ...check.counts,
  };
  const trajectory = {
    turns: [
      {
        turn: 1,
        elapsed_ms: 1500,
        cost: 0.01,
        model_text: "Reading the files.",
        executions: [{ code: "print(Object.keys(codebase))", output: "[...]", error: null }],
      },
      { turn: 2, elapsed_ms: 800, cost: 0.0023, model_text: "", executions: [] },
    ],
    sub_calls: [{ turn: 1, cached: false }, { turn: 1, cached: true }],
  };
  const input = htmlInputFromRun({
    title: "deeprepo analyze of sample_project",
    check,
    snapshot,
    covered,
    metrics,
    trajectory,
  });
  return { input, metrics };
}
