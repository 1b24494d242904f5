/**
 * `analyze --since`: finds the earlier run, works out what changed, and builds the brief the
 * root model starts from; afterwards, the `since` facts the metrics record.
 *
 * @module
 */
import type { CodebaseSnapshot } from "../loader/mod.ts";
import { EnvironmentError } from "../errors.ts";
import { diffFingerprints, type Fingerprint, type FingerprintDiff } from "./fingerprint.ts";
import type { GitRunner } from "./git_state.ts";
import { findPreviousRun, type PreviousRun } from "./previous_run.ts";
import { numstat, updateBrief } from "./update_brief.ts";

/** An update run, prepared before any model call. */
export interface PreparedUpdate {
  previous: PreviousRun;
  diff: FingerprintDiff;
  /** The text appended to the root model's first message. */
  brief: string;
  /** The earlier report, for the REPL (`metadata.previous_report`). */
  previousReport: string;
}

/**
 * Prepares `analyze --since <spec>`.
 *
 * @throws {EnvironmentError} (exit 2, before any model call) when there is no such earlier run,
 *   it is of another repository, or its report cannot be read.
 */
export async function prepareUpdate(
  spec: string,
  snapshot: CodebaseSnapshot,
  now: Fingerprint,
  where: { outputDir: string; analyzeHint: string; key: CryptoKey | undefined },
  git?: GitRunner,
): Promise<PreparedUpdate> {
  const previous = await findPreviousRun({
    spec,
    outputDir: where.outputDir,
    repoName: snapshot.metadata.repo_name,
    source: now.source,
    analyzeHint: where.analyzeHint,
    key: where.key,
  });
  let report: string;
  try {
    report = await Deno.readTextFile(previous.reportPath);
  } catch {
    throw new EnvironmentError(`cannot read the earlier report ${previous.reportPath}`);
  }
  const diff = diffFingerprints(previous.fingerprint, now);
  const lines = previous.fingerprint.git_commit && now.git_commit
    ? await numstat(snapshot.root, previous.fingerprint.git_commit, now.git_commit, git)
    : new Map<string, [number, number]>();
  return {
    previous,
    diff,
    brief: updateBrief(previous, report, diff, lines),
    previousReport: report,
  };
}

/**
 * The metrics of an update run: which run it updated and what it re-examined (changed or added
 * files whose content reached a sub-model this time).
 */
export function sinceMetrics(
  update: PreparedUpdate,
  covered: ReadonlySet<string>,
): Record<string, unknown> {
  const touched = [...update.diff.added, ...update.diff.changed];
  return {
    since: {
      report: update.previous.reportPath,
      timestamp: update.previous.timestamp,
      commit: update.previous.fingerprint.git_commit,
      files_added: update.diff.added.length,
      files_changed: update.diff.changed.length,
      files_removed: update.diff.removed.length,
    },
    files_reexamined: touched.filter((p) => covered.has(p)).sort(),
  };
}
