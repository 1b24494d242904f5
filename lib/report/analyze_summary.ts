/**
 * The closing summary of an analyze run (printed to stderr unless `-q`).
 *
 * @module
 */
import type { AnalysisResult } from "../engine/types.ts";
import { cacheSavingsUsd } from "../engine/spend.ts";
import type { AnalyzeRunInfo } from "./analyze_metrics.ts";
import { formatUsd as usd } from "../format.ts";
import { redactionLine } from "./redaction.ts";

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
    `analysis ${outcome}: ${plural(result.turns.length, "turn")}, ` +
    `${plural(sub.calls, "sub-model call")}` +
    ` (${result.subStats.cacheHits} from cache, ${result.subStats.errors} failed` +
    `${result.subStats.cancelled ? `, ${result.subStats.cancelled} cancelled` : ""}),` +
    ` ${covered}/${eligible} files looked at, ${(result.elapsedMs / 1000).toFixed(1)}s`,
    `spend ${usd(total)}: root ${usd(root.costUsd)}, sub ${usd(sub.costUsd)}` +
    (info.budgetUsd !== undefined ? ` (budget ${usd(info.budgetUsd)})` : ""),
  ];
  if (root.cacheReadTokens || root.cacheWriteTokens) {
    // Writing to the cache costs more than plain input; a short run can lose money on it.
    const savings = cacheSavingsUsd(root, info.rootPricing);
    lines.push(
      `prompt cache: ${root.cacheReadTokens} tokens read, ${root.cacheWriteTokens} written, ` +
        (savings >= 0 ? `saved ${usd(savings)}` : `cost ${usd(-savings)} more than no caching`),
    );
  }
  if (info.secretsRedacted !== undefined) lines.push(redactionLine(info.secretsRedacted));
  lines.push(
    covered > 0
      ? `cost per file looked at: ${usd(total / covered)}`
      : "no file reached a sub-model",
  );
  return lines;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
