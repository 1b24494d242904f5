/**
 * Freshness: what a run saw (fingerprints), the earlier run a command builds on, how stale it
 * is, and the managed block in agent context files.
 *
 * @module
 */
export {
  contentHash,
  CONTEXT_FILES,
  diffFingerprints,
  type Fingerprint,
  fingerprint,
  type FingerprintDiff,
  fingerprintOf,
  sourceIdentity,
} from "./fingerprint.ts";
export { commitsBetween, type GitRunner, type GitState, gitState, runGit } from "./git_state.ts";
export {
  EditedBlockError,
  findBlock,
  type FoundBlock,
  renderBlock,
  upsertBlock,
} from "./managed_block.ts";
export { findPreviousRun, type PreviousRun, type PreviousRunQuery } from "./previous_run.ts";
export {
  type ContextBlockState,
  type FreshnessStatus,
  freshnessStatus,
  refreshEstimateUsd,
} from "./status.ts";
export {
  MAX_LISTED_PATHS,
  MAX_OUTLINE_LINES,
  numstat,
  outline,
  updateBrief,
} from "./update_brief.ts";
export { type PreparedUpdate, prepareUpdate, sinceMetrics } from "./since.ts";
export { loadRunKey, RUN_KEY_FILE, sealRun, verifyRun } from "./run_seal.ts";
