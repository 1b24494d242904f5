/**
 * How analyze and baseline end: the report's path as the last stdout line, or one stderr line
 * (thrown to the CLI edge) saying what failed and where the partial results are.
 *
 * @module
 */
import type { CliContext } from "./context.ts";

/** What a run on one snapshot left behind. */
export interface RunOutcome {
  paths: { report: string };
  /** Set when the run failed after it started (outputs are written all the same). */
  error?: Error;
}

/**
 * Prints the report path and returns exit status 0, or throws the run's error with the path of
 * the partial results added to its message.
 *
 * @throws The outcome's error (its exit code decides the status: 1, or 130 on Ctrl-C).
 */
export function finishRun(outcome: RunOutcome, ctx: CliContext): number {
  if (outcome.error) {
    if (!outcome.error.message.includes(outcome.paths.report)) {
      outcome.error.message += `; partial results written to ${outcome.paths.report}`;
    }
    throw outcome.error;
  }
  ctx.stdout(outcome.paths.report);
  return 0;
}
