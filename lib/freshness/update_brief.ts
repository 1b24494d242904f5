/**
 * What `analyze --since` tells the root model before its first turn: the earlier report, the
 * files added, changed and removed since (with a line count per changed file where git can say
 * it safely), and how to update the report rather than start over.
 *
 * @module
 */
import type { FingerprintDiff } from "./fingerprint.ts";
import { type GitRunner, runGit } from "./git_state.ts";
import type { PreviousRun } from "./previous_run.ts";

/** Earlier report characters sent at most (longer reports are cut at a section break). */
export const MAX_PREVIOUS_REPORT_CHARS = 60_000;
/** Paths listed per kind at most. */
export const MAX_LISTED_PATHS = 200;

/**
 * Lines added and removed per file between two commits (`git diff --numstat`, tree to tree:
 * no work tree, no filters, no external diff or text conversion the repository could set).
 */
export async function numstat(
  root: string,
  from: string,
  to: string,
  git: GitRunner = runGit,
): Promise<Map<string, [number, number]>> {
  const stats = new Map<string, [number, number]>();
  if (!/^[0-9a-f]{40,64}$/.test(from) || !/^[0-9a-f]{40,64}$/.test(to) || from === to) {
    return stats;
  }
  const out = await git(root, [
    "diff",
    "--numstat",
    "--no-ext-diff",
    "--no-textconv",
    "--no-renames",
    "--relative",
    from,
    to,
  ]);
  for (const line of (out ?? "").split("\n")) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line);
    if (m) stats.set(m[3], [Number(m[1]) || 0, Number(m[2]) || 0]);
  }
  return stats;
}

/**
 * Builds the brief.
 *
 * @param previous The earlier run.
 * @param report Its report text.
 * @param diff What changed since.
 * @param lines Lines added/removed per path (may be empty).
 */
export function updateBrief(
  previous: PreviousRun,
  report: string,
  diff: FingerprintDiff,
  lines: Map<string, [number, number]>,
): string {
  const list = (paths: string[], detail = false) => {
    if (!paths.length) return "(none)";
    const shown = paths.slice(0, MAX_LISTED_PATHS).map((p) => {
      const stat = detail ? lines.get(p) : undefined;
      return `- ${p}${stat ? ` (+${stat[0]} -${stat[1]} lines)` : ""}`;
    });
    if (paths.length > MAX_LISTED_PATHS) {
      shown.push(`- … and ${paths.length - MAX_LISTED_PATHS} more`);
    }
    return shown.join("\n");
  };
  const body = report.length > MAX_PREVIOUS_REPORT_CHARS
    ? `${report.slice(0, MAX_PREVIOUS_REPORT_CHARS)}\n\n[earlier report cut for length]`
    : report;
  const commit = previous.fingerprint.git_commit;
  return `## Update of an earlier analysis
This repository was analysed before (${previous.timestamp}${
    commit ? `, commit ${commit.slice(0, 12)}` : ""
  }). Update that report instead of starting over: re-examine the files added and changed
since, and the code that depends on them (callers, importers, tests); drop findings about code
that was removed or fixed; keep findings that still hold as they are. Start the new report with
a short "What changed since the last analysis" section naming what you re-examined.

### Files added
${list(diff.added, true)}

### Files changed
${list(diff.changed, true)}

### Files removed
${list(diff.removed)}

### The earlier report
<earlier-report>
${body}
</earlier-report>`;
}
