/**
 * The analyze report file: the model's answer (or the salvaged partial report) and a short
 * footer with the facts of the run.
 *
 * @module
 */
import type { AnalysisResult } from "../engine/types.ts";
import type { AnalyzeRunInfo } from "./analyze_metrics.ts";
import { redactionLine } from "./redaction.ts";
import { formatUsd } from "../format.ts";

/**
 * Renders the Markdown report.
 *
 * @param result The engine's result (its `report` is the body).
 * @param info Run facts.
 */
export function analyzeReport(result: AnalysisResult, info: AnalyzeRunInfo): string {
  const body = result.report.trim() || "_The model submitted an empty report._";
  const total = result.spend.root.costUsd + result.spend.sub.costUsd;
  const footer = [
    "---",
    `_deeprepo analyze of ${info.repo}: root ${info.rootModel}, sub ${info.subModel}; ` +
    `${result.turns.length} turns, ${result.spend.sub.calls} sub-model calls, ` +
    `${result.coverage.covered.size} of ${result.coverage.eligible.length} files looked at by ` +
    `a sub-model; ${formatUsd(total)}${result.complete ? "" : "; incomplete"}; ` +
    `${redactionLine(info.secretsRedacted)}._`,
  ];
  return `${body}\n\n${footer.join("\n")}\n`;
}
