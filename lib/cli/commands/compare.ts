/**
 * `deeprepo compare`: one checkout, two analyses. Loads (or clones) the codebase once, runs
 * analyze and then baseline on the same snapshot, writes all five files under one timestamp,
 * and prints the side-by-side table (or `--json`). A side that fails still leaves its files and
 * the other side's; the table says which side failed.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import type { CompareOptions } from "../options.ts";
import { createProgress } from "../progress.ts";
import { checkSource, loadCodebase } from "../../loader/mod.ts";
import { InterruptedError } from "../../errors.ts";
import { timestamp } from "../../report/naming.ts";
import {
  baselineColumn,
  type CompareJson,
  type CompareSide,
  renderCompareTable,
  rlmColumn,
} from "../../baseline/compare_table.ts";
import { analyzeLoaded, prepareAnalyze } from "./analyze.ts";
import { prepareBaseline, runBaselineOnSnapshot } from "./baseline.ts";

/**
 * Runs `deeprepo compare`.
 *
 * @param options Parsed options.
 * @param ctx Process context.
 * @returns 0 when both sides succeeded, 1 when either failed (its files are still written).
 * @throws {InterruptedError} On Ctrl-C, after writing what exists and printing the table.
 * @throws {UsageError | EnvironmentError} Before loading, for an unknown model or missing key.
 */
export async function run(options: CompareOptions, ctx: CliContext): Promise<number> {
  const ts = timestamp();
  const progress = createProgress(ctx, { quiet: options.quiet });
  // Every model and key is checked before the clone, so a typo costs nothing.
  await checkSource(options.source, ctx.cwd);
  const analyzePrep = await prepareAnalyze(options, ctx, progress);
  const baselinePrep = await prepareBaseline(options.baselineModel, options.plugins, ctx, progress);
  progress.line(`Loading ${options.source}...`);
  const loaded = await loadCodebase(options.source, { cwd: ctx.cwd, signal: ctx.signal });
  try {
    const snapshot = loaded.snapshot;
    const rlm: CompareSide = {};
    const baseline: CompareSide = {};
    let interrupted = false;

    try {
      const outcome = await analyzeLoaded(snapshot, options, ctx, { ts, prepared: analyzePrep });
      rlm.metrics = outcome.metrics;
      rlm.report = outcome.paths.report;
      if (outcome.error) rlm.error = outcome.error.message;
      interrupted = outcome.error instanceof InterruptedError;
    } catch (error) {
      rlm.error = messageOf(error);
      interrupted = error instanceof InterruptedError || ctx.signal.aborted;
    }

    if (interrupted) {
      baseline.error = "not run (interrupted)";
    } else {
      try {
        const outcome = await runBaselineOnSnapshot(snapshot, {
          prepared: baselinePrep,
          maxChars: options.maxChars,
          outputDir: options.outputDir,
          ts,
          progress,
          // Analyze already streamed its turns; the baseline's long answer would bury them.
          stream: false,
        }, ctx);
        baseline.metrics = outcome.metrics;
        baseline.report = outcome.paths.report;
        if (outcome.error) baseline.error = outcome.error.message;
        interrupted = outcome.error instanceof InterruptedError;
      } catch (error) {
        baseline.error = messageOf(error);
        interrupted = error instanceof InterruptedError || ctx.signal.aborted;
      }
    }

    const table: CompareJson = {
      repo: snapshot.source,
      timestamp: ts,
      rlm: rlmColumn(rlm),
      baseline: baselineColumn(baseline),
    };
    if (options.json) {
      ctx.stdout(JSON.stringify(table, null, 2));
    } else {
      for (const line of renderCompareTable(table)) ctx.stdout(line);
      ctx.stdout("");
      for (const report of [rlm.report, baseline.report]) if (report) ctx.stdout(report);
    }
    if (interrupted) throw new InterruptedError();
    for (const [side, result] of [["analyze", rlm], ["baseline", baseline]] as const) {
      if (result.error) ctx.stderr(`deeprepo: compare: ${side} failed: ${result.error}\n`);
    }
    return rlm.error || baseline.error ? 1 : 0;
  } finally {
    await loaded.dispose();
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").find((l) => l.trim() !== "") ?? "unknown error";
}
