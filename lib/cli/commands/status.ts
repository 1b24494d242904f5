/**
 * `deeprepo status [SOURCE] [--json]`: how stale the latest analysis of a repository (and any
 * context block written from it) is. Exit 0 when fresh, 3 when stale, so CI and git hooks can
 * act on it; 2 when there is no analysis to compare with.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import { runKey } from "../run_key.ts";
import type { StatusOptions } from "../options.ts";
import { isGitUrl, loadCodebase } from "../../loader/mod.ts";
import {
  findPreviousRun,
  fingerprint,
  type FreshnessStatus,
  freshnessStatus,
  gitState,
} from "../../freshness/mod.ts";
import { formatUsd } from "../../format.ts";

/** Exit status of a stale analysis. */
export const STALE_EXIT = 3;

/**
 * Runs the command.
 *
 * @returns 0 fresh, 3 stale.
 * @throws {EnvironmentError} (exit 2) when there is no earlier analysis of this repository.
 */
export async function run(options: StatusOptions, ctx: CliContext): Promise<number> {
  // git reads the folder while the loader does (a git URL is a fresh clone: read after).
  const state = isGitUrl(options.source) ? undefined : gitState(options.source);
  const loaded = await loadCodebase(options.source, { cwd: ctx.cwd, signal: ctx.signal });
  try {
    const { snapshot } = loaded;
    const now = await fingerprint(snapshot, { state });
    const previous = await findPreviousRun({
      spec: "latest",
      outputDir: options.outputDir,
      repoName: snapshot.metadata.repo_name,
      source: now.source,
      analyzeHint: `deeprepo analyze ${options.sourceAsTyped} -o ${options.outputDirAsTyped}`,
      key: await runKey(ctx),
    });
    const status = await freshnessStatus(previous, now, snapshot.root);
    if (options.json) ctx.stdout(JSON.stringify(statusJson(status), null, 2));
    else {for (const line of statusLines(status, snapshot.metadata.repo_name, options)) {
        ctx.stdout(line);
      }}
    return status.fresh ? 0 : STALE_EXIT;
  } finally {
    await loaded.dispose();
  }
}

/** The `--json` object. */
export function statusJson(s: FreshnessStatus): Record<string, unknown> {
  return {
    fresh: s.fresh,
    analysis: s.analysis,
    current: s.current,
    commits_since: s.commitsSince,
    files_added: s.diff.added,
    files_changed: s.diff.changed,
    files_removed: s.diff.removed,
    changed_share: Math.round(s.changedShare * 1e4) / 1e4,
    context_blocks: s.contextBlocks,
    refresh_estimate_usd: s.refreshUsd,
  };
}

/** The text form, one fact a line. */
export function statusLines(
  s: FreshnessStatus,
  repoName: string,
  options: Pick<StatusOptions, "sourceAsTyped">,
): string[] {
  const short = (c: string | null) => (c ? c.slice(0, 12) : "unknown");
  const { added, changed, removed } = s.diff;
  const lines = [
    `${repoName}: ${s.fresh ? "fresh" : "stale"}`,
    `  analysis: ${s.analysis.report} (commit ${short(s.analysis.commit)})`,
    `  now: commit ${short(s.current.commit)}${
      s.current.dirty === true ? ", uncommitted changes" : s.current.dirty === null ? "" : ", clean"
    }; ${s.commitsSince === null ? "commits since: unknown" : `${s.commitsSince} commits since`}`,
    `  files: ${added.length} added, ${changed.length} changed, ${removed.length} removed ` +
    `(${(s.changedShare * 100).toFixed(1)}% of the analysed characters changed)`,
  ];
  const list = (label: string, paths: string[]) => {
    if (!paths.length) return;
    const shown = paths.slice(0, 10).join(", ");
    lines.push(`    ${label}: ${shown}${paths.length > 10 ? `, … ${paths.length - 10} more` : ""}`);
  };
  list("added", added);
  list("changed", changed);
  list("removed", removed);
  for (const b of s.contextBlocks) {
    lines.push(`  context: ${b.file} ${b.state}${b.state === "fresh" ? "" : ` (from ${b.from})`}`);
  }
  if (!s.fresh) {
    lines.push(
      `  refresh: about ${formatUsd(s.refreshUsd)} with ` +
        `\`deeprepo analyze ${options.sourceAsTyped} --since latest\``,
    );
  }
  return lines;
}
