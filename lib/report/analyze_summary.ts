/**
 * The closing summary of an analyze run (printed to stderr unless `-q`).
 *
 * @module
 */
import type { AnalysisResult } from "../engine/run_analysis.ts";
import { cacheSavingsUsd } from "../engine/spend.ts";
import type { AnalyzeRunInfo } from "./analyze_metrics.ts";

const usd = (n: number) => `$${n.toFixed(4)}`;

/**
 * Summary lines: outcome, spend split root/sub, prompt-cache savings, cost per file looked at.
 *
 * @example
 * ```ts ignore
 * for (const line of analyzeSummary(result, info)) ctx.stderr(line + "\n");
 * ```
 */
export function analyzeSummary(result: AnalysisResult, info: AnalyzeRunInfo): string[] {
  const { root, sub } = result.spend;
  const total = root.costUsd + sub.costUsd;
  const covered = result.coverage.covered.size;
  const eligible = result.coverage.eligible.length;
  const outcome = result.complete ? "complete" : `incomplete (${result.stopReason})`;
  const lines = [
    `analysis ${outcome}: ${result.turns.length} turns, ${sub.calls} sub-model calls` +
    ` (${result.subStats.cacheHits} from cache, ${result.subStats.errors} failed),` +
    ` ${covered}/${eligible} files looked at, ${(result.elapsedMs / 1000).toFixed(1)}s`,
    `spend ${usd(total)}: root ${usd(root.costUsd)}, sub ${usd(sub.costUsd)}` +
    (info.budgetUsd !== undefined ? ` (budget ${usd(info.budgetUsd)})` : ""),
  ];
  if (root.cacheReadTokens || root.cacheWriteTokens) {
    lines.push(
      `prompt cache: ${root.cacheReadTokens} tokens read, ${root.cacheWriteTokens} written, ` +
        `saved ${usd(cacheSavingsUsd(root, info.rootPricing))}`,
    );
  }
  lines.push(
    covered > 0
      ? `cost per file looked at: ${usd(total / covered)}`
      : "no file reached a sub-model",
  );
  return lines;
}
