/**
 * `deeprepo compare`: one checkout, two analyses. Loads (or clones) the codebase once, runs
 * the baseline and then analyze on the same snapshot, writes all five files under one timestamp,
 * and prints the side-by-side table (or `--json`). A side that fails still leaves its files and
 * the other side's; the table says which side failed. `--max-cost` covers both sides: the
 * baseline (one call of known worst case) runs first and analyze gets what it left.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import { terminalLine } from "../terminal_text.ts";
import type { CompareOptions } from "../options.ts";
import { createProgress } from "../progress.ts";
import { checkSource, loadCodebase } from "../../loader/mod.ts";
import { loadOptions } from "../load_options.ts";
import type { CodebaseSnapshot } from "../../loader/mod.ts";
import { costOf, type ResolvedModel } from "../../providers/mod.ts";
import { minimumBudgetUsd } from "../../engine/run_analysis.ts";
import { InterruptedError, UsageError } from "../../errors.ts";
import { timestamp } from "../../report/naming.ts";
import { formatBudgetUsd, formatInt } from "../../format.ts";
import {
  type CompareBudget,
  compareJson,
  type CompareSide,
  renderCompareTable,
} from "../../baseline/mod.ts";
import { BASELINE_SYSTEM_PROMPT, buildBaselinePrompt } from "../../baseline/mod.ts";
import { baselineReserve, tokenCounterFor } from "../../estimate/mod.ts";
import { analyzeLoaded, prepareAnalyze } from "./analyze.ts";
import { checkOutputFolder } from "../output_folder.ts";
import { prepareBaseline, runBaselineOnSnapshot } from "./baseline.ts";
import { redactUrl } from "../../redact.ts";
import { defaultRunDeps, type RunDeps } from "./run_deps.ts";

/**
 * Runs `deeprepo compare`.
 *
 * @param options Parsed options.
 * @param ctx Process context.
 * @param deps Registry, REPL and cache (tests pass fakes).
 * @returns 0 when both sides succeeded, 1 when either failed (its files are still written).
 * @throws {InterruptedError} On Ctrl-C, after writing what exists and printing the table.
 * @throws {UsageError | EnvironmentError} Before loading, for an unknown model or missing key.
 */
export async function run(
  options: CompareOptions,
  ctx: CliContext,
  deps: RunDeps = defaultRunDeps,
): Promise<number> {
  const ts = timestamp();
  const progress = createProgress(ctx, { quiet: options.quiet });
  // Every model and key is checked before the clone, so a typo costs nothing.
  await checkSource(options.source, ctx.cwd);
  await checkOutputFolder(options, ctx);
  const analyzePrep = await prepareAnalyze(options, ctx, progress, deps);
  const baselinePrep = await prepareBaseline(
    options.baselineModel,
    options.plugins,
    ctx,
    progress,
    deps,
    { quiet: options.quiet, reloadPlugins: options.reloadPlugins },
  );
  progress.line(`Loading ${redactUrl(options.source)}...`);
  const loaded = await loadCodebase(options.source, {
    cwd: ctx.cwd,
    signal: ctx.signal,
    ...loadOptions(options, ctx),
  });
  try {
    const snapshot = loaded.snapshot;
    const budget = options.maxCost === undefined
      ? undefined
      : await checkBudget(options, snapshot, baselinePrep.model, analyzePrep.root);
    if (budget) {
      progress.line(
        `Budget ${usd(budget.max_cost)}: the baseline call runs first (at most ` +
          `${usd(budget.baseline_worst_case)}), analyze gets what it leaves`,
      );
    }
    const rlm: CompareSide = {};
    const baseline: CompareSide = {};
    let interrupted = false;
    // The analyze half takes the baseline's names' stamp, so all five files share one suffix.
    let stamp = ts;

    // The baseline goes first: it is one call whose worst case is known, so with --max-cost
    // analyze can be given exactly what the baseline left instead of a worst-case remainder.
    try {
      const outcome = await runBaselineOnSnapshot(snapshot, {
        prepared: baselinePrep,
        maxChars: options.maxChars,
        outputDir: options.outputDir,
        ts,
        progress,
        stream: true,
        format: options.format,
        effort: options.effort,
      }, ctx);
      baseline.metrics = outcome.metrics;
      baseline.report = outcome.paths.report;
      stamp = outcome.stamp;
      if (outcome.error) baseline.error = outcome.error.message;
      interrupted = outcome.error instanceof InterruptedError;
    } catch (error) {
      baseline.error = messageOf(error);
      interrupted = error instanceof InterruptedError || ctx.signal.aborted;
    }

    if (interrupted) {
      rlm.error = "not run (interrupted)";
    } else {
      let analyzeOptions = options;
      if (budget) {
        const spent = typeof baseline.metrics?.total_cost === "number"
          ? baseline.metrics.total_cost
          : 0;
        budget.analyze_budget = Math.max(0, Math.floor((budget.max_cost - spent) * 1e6) / 1e6);
        analyzeOptions = { ...options, maxCost: budget.analyze_budget };
        progress.line(
          `Budget: the baseline spent ${usd(spent)}, ${
            usd(budget.analyze_budget)
          } left for analyze`,
        );
      }
      try {
        const outcome = await analyzeLoaded(snapshot, analyzeOptions, ctx, {
          ts: stamp,
          prepared: analyzePrep,
          deps,
        });
        rlm.metrics = outcome.metrics;
        rlm.report = outcome.paths.report;
        if (outcome.error) rlm.error = outcome.error.message;
        interrupted = outcome.error instanceof InterruptedError;
      } catch (error) {
        rlm.error = budget && error instanceof UsageError
          // Only when the baseline cost more than its worst case (a provider's own figure).
          ? `not run: the baseline left ${usd(budget.analyze_budget!)} of --max-cost ` +
            `${usd(budget.max_cost)}, less than analyze needs`
          : messageOf(error);
        interrupted = error instanceof InterruptedError || ctx.signal.aborted;
      }
    }

    const table = compareJson(snapshot.source, ts, { rlm, baseline, budget });
    if (options.json) {
      ctx.stdout(JSON.stringify(table, null, 2));
    } else {
      for (const line of renderCompareTable(table)) ctx.stdout(terminalLine(line));
      ctx.stdout("");
      for (const report of [rlm.report, baseline.report]) if (report) ctx.stdout(report);
    }
    if (interrupted) throw new InterruptedError();
    // One line, also when both sides failed.
    const failures = ([["analyze", rlm], ["baseline", baseline]] as const)
      .filter(([, side]) => side.error)
      .map(([name, side]) => `${name} failed: ${side.error}`);
    if (failures.length > 0) ctx.stderr(`deeprepo: compare: ${failures.join("; ")}\n`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await loaded.dispose();
  }
}

/**
 * Checks that `--max-cost` covers the baseline call's worst case (its exact prompt and the whole
 * output limit) plus the least budget analyze accepts (`minimumBudgetUsd`), so the baseline alone
 * can never pass the budget and analyze is always left enough for a useful run. Checked before
 * either side is paid for.
 *
 * @returns The budget, its analyze share still unknown (set once the baseline has run).
 * @throws {UsageError} When the budget does not cover both.
 */
async function checkBudget(
  options: CompareOptions,
  snapshot: CodebaseSnapshot,
  baselineModel: ResolvedModel,
  rootModel: ResolvedModel,
): Promise<CompareBudget> {
  const maxCost = options.maxCost!;
  const prompt = buildBaselinePrompt(snapshot, { maxChars: options.maxChars });
  const worst = baselineReserve({
    model: baselineModel,
    counter: await tokenCounterFor(baselineModel),
    system: BASELINE_SYSTEM_PROMPT,
    user: prompt.text,
    contextWindow: baselineModel.contextWindow,
  });
  const least = minimumBudgetUsd(
    snapshot,
    (u) => costOf(u, rootModel.pricing),
    options.promptCache,
    rootModel.rules,
  );
  if (worst.usd + least > maxCost) {
    throw new UsageError(
      `--max-cost ${usd(maxCost)} does not cover the baseline call (up to ${usd(worst.usd)} ` +
        `with ${baselineModel.label}: ${formatInt(worst.inputTokens)} input + ` +
        `${formatInt(worst.outputTokens)} output tokens) plus the least analyze needs ` +
        `(${usd(least)} with ${rootModel.label}); raise --max-cost or lower --max-chars`,
    );
  }
  return { max_cost: maxCost, baseline_worst_case: worst.usd, analyze_budget: null };
}

const usd = formatBudgetUsd;

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").find((l) => l.trim() !== "") ?? "unknown error";
}
