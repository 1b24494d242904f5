/**
 * How stale the latest analysis of a repository is: commits since, files added / changed /
 * removed, the share of analysed characters that changed, the state of written context blocks,
 * and an estimate of what a refresh (`analyze --since latest`) costs.
 *
 * @module
 */
import {
  CONTEXT_FILES,
  diffFingerprints,
  type Fingerprint,
  type FingerprintDiff,
} from "./fingerprint.ts";
import { commitsBetween, type GitRunner } from "./git_state.ts";
import { findBlock } from "./managed_block.ts";
import type { PreviousRun } from "./previous_run.ts";

/** State of one context file's managed block. */
export interface ContextBlockState {
  file: string;
  state: "fresh" | "stale" | "edited";
  /** The analysis the block came from. */
  from: string;
}

/** The status of a repository against its latest analysis. */
export interface FreshnessStatus {
  /** No file changed since the analysis and every context block comes from it. */
  fresh: boolean;
  analysis: { metrics: string; report: string; timestamp: string; commit: string | null };
  current: { commit: string | null; dirty: boolean | null };
  commitsSince: number | null;
  diff: FingerprintDiff;
  /** Changed share of the analysed characters, 0 to 1. */
  changedShare: number;
  contextBlocks: ContextBlockState[];
  /** Estimated USD of `analyze --since latest`; see {@linkcode refreshEstimateUsd}. */
  refreshUsd: number;
}

/**
 * Compares the current fingerprint with an earlier run.
 *
 * @param previous The earlier run.
 * @param now The current fingerprint.
 * @param root The analysed folder (for git and context files).
 */
export async function freshnessStatus(
  previous: PreviousRun,
  now: Fingerprint,
  root: string,
  git?: GitRunner,
): Promise<FreshnessStatus> {
  const diff = diffFingerprints(previous.fingerprint, now);
  const before = previous.fingerprint.git_commit;
  const commitsSince = before && now.git_commit
    ? await commitsBetween(root, before, now.git_commit, git)
    : null;
  const changedShare = diff.analysedChars ? diff.changedChars / diff.analysedChars : 0;
  const from = previous.reportPath.slice(previous.reportPath.lastIndexOf("/") + 1)
    .replace(/\.md$/, "");
  const filesChanged = diff.added.length + diff.changed.length + diff.removed.length > 0;
  const blocks = await contextBlocks(root, from);
  return {
    fresh: !filesChanged && blocks.every((b) => b.state !== "stale"),
    analysis: {
      metrics: previous.metricsPath,
      report: previous.reportPath,
      timestamp: previous.timestamp,
      commit: before,
    },
    current: { commit: now.git_commit, dirty: now.git_dirty },
    commitsSince,
    diff,
    changedShare,
    contextBlocks: blocks,
    refreshUsd: refreshEstimateUsd(previous.metrics, diff, now),
  };
}

/**
 * A refresh's cost from the earlier run's own rates: sub-model spend per analysed character
 * times the characters added or changed, plus three root turns at that run's average turn
 * cost (reading the old report and the change list, re-examining, answering).
 */
export function refreshEstimateUsd(
  metrics: Record<string, unknown>,
  diff: FingerprintDiff,
  now: Fingerprint,
): number {
  const num = (k: string) => (typeof metrics[k] === "number" ? metrics[k] as number : 0);
  const perChar = diff.analysedChars ? num("sub_cost") / diff.analysedChars : 0;
  const touched = [...diff.added, ...diff.changed].reduce(
    (n, p) => n + (now.files[p]?.[1] ?? 0),
    0,
  );
  if (touched === 0 && diff.removed.length === 0) return 0;
  const turns = Math.max(1, num("turns"));
  const rootPerTurn = num("root_cost") / turns;
  return Math.round((perChar * touched + rootPerTurn * Math.min(3, turns)) * 1e6) / 1e6;
}

async function contextBlocks(root: string, from: string): Promise<ContextBlockState[]> {
  const states: ContextBlockState[] = [];
  for (const file of Object.values(CONTEXT_FILES)) {
    let text: string;
    try {
      const info = await Deno.lstat(`${root}/${file}`);
      if (!info.isFile || info.size > 4 * 1024 * 1024) continue;
      text = await Deno.readTextFile(`${root}/${file}`);
    } catch {
      continue;
    }
    const block = findBlock(text);
    if (!block) continue;
    const state = !block.intact ? "edited" : block.from === from ? "fresh" : "stale";
    states.push({ file, state, from: block.from });
  }
  return states;
}
