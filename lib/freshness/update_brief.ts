/**
 * What `analyze --since` tells the root model before its first turn: the earlier report's
 * outline (the text itself is in the REPL), the files added, changed and removed since (with a
 * line count per changed file where git can say it safely), and how to update the report rather
 * than start over.
 *
 * @module
 */
import type { FingerprintDiff } from "./fingerprint.ts";
import { type GitRunner, runGit } from "./git_state.ts";
import type { PreviousRun } from "./previous_run.ts";

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

/** Outline lines (the report's headings) shown at most. */
export const MAX_OUTLINE_LINES = 60;

/**
 * Builds the brief. The earlier report itself goes into the REPL (`metadata.previous_report`),
 * not into the prompt: the root model sees its outline and reads or edits the text with code,
 * as it does with the codebase, so an update run pays for what changed, not for re-reading the
 * whole report every turn.
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
  const commit = previous.fingerprint.git_commit;
  return `## Update of an earlier analysis
This repository was analysed before (${previous.timestamp}${
    commit ? `, commit ${commit.slice(0, 12)}` : ""
  }). Update that report instead of starting over: re-examine the files added and changed
since, and the code that depends on them (callers, importers, tests); drop findings about code
that was removed or fixed; keep findings that still hold as they are. Start the new report with
a short "What changed since the last analysis" section naming what you re-examined.

The earlier report is in the REPL as \`metadata.previous_report\` (${report.length} characters):
read the parts you need with code, and build the new report from it in code (for example
\`set_answer(newSection + metadata.previous_report.replace(oldFinding, newFinding))\`) rather
than retyping what still holds. Its outline:
${outline(report)}

### Files added
${list(diff.added, true)}

### Files changed
${list(diff.changed, true)}

### Files removed
${list(diff.removed)}`;
}

/** The report's headings, indented by level. */
export function outline(report: string): string {
  const headings = report.split("\n").filter((l) => /^#{1,4} \S/.test(l));
  if (!headings.length) return "(no headings)";
  const shown = headings.slice(0, MAX_OUTLINE_LINES).map((h) => {
    const level = h.indexOf(" ");
    return `${"  ".repeat(level - 1)}- ${h.slice(level + 1).slice(0, 120)}`;
  });
  if (headings.length > MAX_OUTLINE_LINES) {
    shown.push(`- … and ${headings.length - MAX_OUTLINE_LINES} more headings`);
  }
  return shown.join("\n");
}
