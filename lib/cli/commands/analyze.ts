/**
 * `deeprepo analyze`: the RLM analysis, end to end. Resolves the models (a missing key fails
 * before anything is loaded), loads the codebase, runs the engine with the real sandbox,
 * providers and cache, and writes report, metrics and trajectory — also when the run fails or
 * is interrupted. `compare` reuses {@linkcode prepareAnalyze} and {@linkcode analyzeLoaded}.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import { defaultRunDeps, type RunDeps } from "./run_deps.ts";
import { finishRun } from "../outcome.ts";
import type { AnalyzeOptions } from "../options.ts";
import { createProgress, type Progress, retryLine } from "../progress.ts";
import { engineStatusReporter } from "../engine_status.ts";
import { DEFAULT_COLUMNS } from "../width.ts";
import { checkSource, loadCodebase } from "../../loader/mod.ts";
import { loadOptions } from "../load_options.ts";
import type { CodebaseSnapshot } from "../../loader/mod.ts";
import { costOf, type ResolvedModel } from "../../providers/mod.ts";
import type { ModelClient } from "../../providers/mod.ts";
import type { Cache } from "../../cache/mod.ts";
import { type AnalysisResult, minimumBudgetUsd, runAnalysis } from "../../engine/run_analysis.ts";
import { formatBudgetUsd } from "../../format.ts";
import { subCallBatcher } from "../../engine/sub_queries.ts";
import { effortFor, effortWarning, rulesOf } from "../../engine/model_rules.ts";
import { InterruptedError, RunError, UsageError } from "../../errors.ts";
import { type OutputPaths, timestamp } from "../../report/naming.ts";
import { writeRunOutputsSafely } from "../../report/write.ts";
import { checkOutputFolder, writtenLines } from "../output_folder.ts";
import { analyzeMetrics, type AnalyzeRunInfo } from "../../report/analyze_metrics.ts";
import { analyzeReport } from "../../report/analyze_report.ts";
import { analyzeTrajectory } from "../../report/trajectory.ts";
import { analyzeSummary } from "../../report/analyze_summary.ts";
import { runAnalyzeDryRun } from "./dry_run.ts";
import { checkCitations, citationSourceOf, citationSummary } from "../../report/citations.ts";
import {
  fingerprint,
  type PreparedUpdate,
  prepareUpdate,
  sealRun,
  sinceMetrics,
} from "../../freshness/mod.ts";
import { runKey } from "../run_key.ts";
import { announceEndpoints, endpointsJson } from "../endpoints.ts";
import { endpointOf } from "../../config/settings.ts";
import { redactUrl } from "../../redact.ts";
import { htmlInputFromRun, renderHtmlReport } from "../../report/html/mod.ts";

/** The options analyze needs; `CompareOptions` has all of them too. */
export type AnalyzeRunOptions = Pick<
  AnalyzeOptions,
  | "outputDir"
  | "quiet"
  | "rootModel"
  | "subModel"
  | "cache"
  | "plugins"
  | "reloadPlugins"
  | "maxTurns"
  | "concurrency"
  | "maxCost"
  | "execTimeoutSeconds"
  | "promptCache"
  | "format"
  | "since"
  | "effort"
  | "subEffort"
>;

/** Resolved models and their clients, made before loading so a missing key fails early. */
export interface PreparedAnalyze {
  root: ResolvedModel;
  sub: ResolvedModel;
  rootClient: ModelClient;
  subClient: ModelClient;
  progress: Progress;
  /** Retries reported by both clients so far. */
  retries(): number;
}

/**
 * Resolves the root and sub models and creates their clients (with retry reporting).
 *
 * @param deps Where the registry comes from (tests pass a fake).
 * @throws {UsageError} For an unknown model or a broken plugin.
 * @throws {EnvironmentError} When a needed API key is missing.
 */
export async function prepareAnalyze(
  options: AnalyzeRunOptions,
  ctx: CliContext,
  progress: Progress = createProgress(ctx, { quiet: options.quiet }),
  deps: Pick<RunDeps, "loadRegistry"> = defaultRunDeps,
): Promise<PreparedAnalyze> {
  const registry = await deps.loadRegistry(ctx, options.plugins, options.reloadPlugins);
  const root = registry.resolve(options.rootModel, "root");
  const sub = registry.resolve(options.subModel, "sub");
  let retries = 0;
  const onRetry = (
    info: { provider: string; model: string; attempt: number; delayMs: number; reason: string },
  ) => {
    retries++;
    progress.line(retryLine(info));
  };
  const rootClient = root.createClient({ onRetry, signal: ctx.signal });
  const subClient = sub.createClient({ onRetry, signal: ctx.signal });
  // Named once the keys are known to be there, just before anything is sent.
  announceEndpoints(ctx, [root.provider, sub.provider], options.quiet);
  // Warnings go to stderr even with -q: they are about money.
  for (const m of [root, sub]) if (m.warning) ctx.stderr(`deeprepo: warning: ${m.warning}\n`);
  for (
    const warning of [
      effortWarning("--effort", root.label, root.rules, options.effort),
      effortWarning("--sub-effort", sub.label, sub.rules, options.subEffort),
    ]
  ) if (warning) ctx.stderr(`deeprepo: warning: ${warning}\n`);
  return { root, sub, rootClient, subClient, progress, retries: () => retries };
}

/** Settings of {@linkcode analyzeLoaded}. */
export interface AnalyzeLoadedSettings {
  /** Timestamp of the output names (compare shares one between both halves). */
  ts: string;
  /** Models and clients from {@linkcode prepareAnalyze}; prepared here when omitted. */
  prepared?: PreparedAnalyze;
  /** @default {defaultRunDeps} */
  deps?: RunDeps;
}

/** What one analyze run left behind. */
export interface AnalyzeOutcome {
  paths: OutputPaths;
  metrics: Record<string, unknown>;
  result: AnalysisResult;
  /** Set when the run failed (RunError, exit 1) or was interrupted (InterruptedError, 130). */
  error?: Error;
}

/**
 * Runs the RLM analysis on an already loaded snapshot and writes its three output files. Never
 * throws for a failed or interrupted run: the files are written and the error is returned.
 *
 * @param snapshot The loaded codebase (the caller disposes of it).
 * @param options Limits, models, output folder.
 * @param ctx Process context (stderr for progress, signal for Ctrl-C).
 * @param settings Shared timestamp and, optionally, prepared models.
 * @returns Paths, metrics, the engine result, and the error if the run failed.
 * @throws {UsageError | EnvironmentError} Only when models are prepared here and that fails.
 */
export async function analyzeLoaded(
  snapshot: CodebaseSnapshot,
  options: AnalyzeRunOptions,
  ctx: CliContext,
  settings: AnalyzeLoadedSettings,
): Promise<AnalyzeOutcome> {
  const deps = settings.deps ?? defaultRunDeps;
  const prepared = settings.prepared ?? await prepareAnalyze(options, ctx, undefined, deps);
  const { root, sub, progress } = prepared;
  // Hashing and git run beside the analysis; metrics record what this run saw (issue #17).
  const seen = fingerprint(snapshot);
  // `--since`: refused (exit 2) before any model call when there is nothing to update.
  const update = options.since === undefined ? undefined : await prepareUpdate(
    options.since,
    snapshot,
    await seen,
    {
      outputDir: options.outputDir,
      analyzeHint: `deeprepo analyze ${snapshot.source} -o ${options.outputDir}`,
      key: await runKey(ctx),
    },
  );
  if (options.maxCost !== undefined) {
    const least = minimumBudgetUsd(
      snapshot,
      (u) => costOf(u, root.pricing),
      options.promptCache,
      root.rules,
      update?.brief,
    );
    if (least > options.maxCost) {
      throw new UsageError(
        `--max-cost ${formatBudgetUsd(options.maxCost)} is below the ` +
          `${formatBudgetUsd(Math.ceil(least * 1e4) / 1e4)} ` +
          `projected for the first two root turns with ${root.label}, the least for a useful ` +
          "run; raise it or use a cheaper --root-model",
      );
    }
  }
  let cache: Cache | undefined;
  if (options.cache) {
    // Warnings are shown even with -q: the run continues without the cache the user expects.
    cache = await deps.openCache(ctx, (message) => ctx.stderr(`deeprepo: warning: ${message}\n`));
  }
  progress.line(analyzeHeader(snapshot, root.label, sub.label));
  const status = engineStatusReporter({
    status: (text, milestone) => progress.status(text, milestone),
    columns: ctx.columns ?? DEFAULT_COLUMNS,
    tick: ctx.isTerminal && !options.quiet,
  });
  if (update) progress.line(updateLine(update));
  let result: AnalysisResult;
  try {
    result = await runAnalysis({
      snapshot,
      maxTurns: options.maxTurns,
      concurrency: options.concurrency,
      budgetUsd: options.maxCost,
      promptCache: options.promptCache,
      execTimeoutSeconds: options.execTimeoutSeconds,
      effort: options.effort,
      subEffort: options.subEffort,
      update: update && { brief: update.brief, previousReport: update.previousReport },
    }, {
      rootClient: prepared.rootClient,
      subClient: prepared.subClient,
      rootRules: root.rules,
      subRules: sub.rules,
      rootCost: (u) => costOf(u, root.pricing),
      subCost: (u) => costOf(u, sub.pricing),
      createRepl: deps.createRepl,
      batch: cache
        ? subCallBatcher(cache, sub.label, {
          rules: sub.rules,
          effort: options.subEffort,
          endpoint: endpointOf(sub.provider, ctx.env).url,
        })
        : undefined,
      signal: ctx.signal,
      onText: options.quiet ? undefined : (chunk) => progress.text(chunk),
      onProgress: status.onProgress,
    });
  } finally {
    status.stop();
    await cache?.close();
  }
  progress.done();

  const info: AnalyzeRunInfo = {
    repo: snapshot.source,
    rootModel: root.label,
    subModel: sub.label,
    rootPricing: root.pricing,
    filesTotal: snapshot.files.length,
    secretsRedacted: snapshot.secretsRedacted,
    retries: prepared.retries(),
    budgetUsd: options.maxCost,
    promptCache: options.promptCache,
    concurrency: options.concurrency,
    maxTurns: options.maxTurns,
    effort: effortFor(options.effort, rulesOf(root.rules)),
    subEffort: effortFor(options.subEffort, rulesOf(sub.rules)),
  };
  const checked = checkCitations(result.report, citationSourceOf(snapshot));
  result = { ...result, report: checked.text };
  const metrics = {
    ...analyzeMetrics(result, info),
    ...checked.counts,
    ...(update ? sinceMetrics(update, result.coverage.covered) : {}),
    snapshot: await seen,
    endpoints: endpointsJson([...new Set([root.provider, sub.provider])], ctx),
  };
  const trajectory = analyzeTrajectory(result, info);
  const report = analyzeReport(result, info);
  // Sealed with this user's key, so later commands know deeprepo wrote it (run_seal.ts).
  const key = await runKey(ctx, true).catch(() => undefined);
  if (key) {
    const snap = metrics.snapshot;
    metrics.snapshot = Object.assign(snap, { seal: await sealRun(key, snap, report) });
  }
  const outputs = {
    report,
    metrics,
    trajectory,
    html: options.format === "md" ? undefined : await renderHtmlReport(htmlInputFromRun({
      title: `deeprepo analyze of ${snapshot.metadata.repo_name}`,
      check: checked,
      snapshot,
      covered: result.coverage.covered,
      metrics,
      trajectory,
    })),
  };
  const name = snapshot.metadata.repo_name;
  const { paths, written, fallbackError: writeError } = await writeRunOutputsSafely(
    options.outputDir,
    "deeprepo",
    name,
    settings.ts,
    outputs,
  );
  for (const line of analyzeSummary(result, info)) progress.line(line);
  progress.line(citationSummary(checked.counts));
  for (const line of writtenLines(written)) progress.line(line);

  let error: Error | undefined = writeError;
  if (result.stopReason === "interrupted" || ctx.signal.aborted) {
    error = new InterruptedError();
  } else if (result.stopReason === "root_error" || result.stopReason === "repl_error") {
    const cause = result.failure;
    error = cause instanceof Error && "exitCode" in cause
      ? cause
      : new RunError(result.error ?? "the root model failed", { cause });
  }
  return { paths, metrics, result, error };
}

/**
 * The line that opens a run, with the one file count the status line counts against: files
 * eligible for sub-model review; loaded files that are too large or unreadable are named apart.
 */
export function analyzeHeader(snapshot: CodebaseSnapshot, root: string, sub: string): string {
  const eligible = snapshot.files.filter((f) => f.status === "included").length;
  const unsent = snapshot.metadata.total_files - eligible;
  const apart = unsent > 0 ? ` (+${unsent} too large or unreadable, not sent)` : "";
  return `Analyzing ${snapshot.metadata.repo_name}: ${eligible} files for sub-model review${apart}, ` +
    `root ${root}, sub ${sub}`;
}

/**
 * Runs `deeprepo analyze`.
 *
 * @param options Parsed options.
 * @param ctx Process context.
 * @param deps Registry, REPL and cache (tests pass fakes).
 * @returns 0 when the report is written (also when the turn limit or budget ended the run).
 * @throws {RunError} When the root model failed after retries (outputs are written first).
 * @throws {InterruptedError} On Ctrl-C (outputs are written first when the run had started).
 */
export async function run(
  options: AnalyzeOptions,
  ctx: CliContext,
  deps: RunDeps = defaultRunDeps,
): Promise<number> {
  if (options.dryRun) return await runAnalyzeDryRun(options, ctx);
  const ts = timestamp();
  const progress = createProgress(ctx, { quiet: options.quiet });
  await checkSource(options.source, ctx.cwd);
  await checkOutputFolder(options, ctx);
  const prepared = await prepareAnalyze(options, ctx, progress, deps);
  progress.line(`Loading ${redactUrl(options.source)}...`);
  const loaded = await loadCodebase(options.source, {
    cwd: ctx.cwd,
    signal: ctx.signal,
    ...loadOptions(options, ctx),
    onProgress: (p) =>
      progress.status(
        p.phase === "clone" ? "cloning..." : `${p.phase === "scan" ? "scanning" : "reading"} ` +
          `${p.done}/${p.total}`,
      ),
  });
  try {
    const outcome = await analyzeLoaded(loaded.snapshot, options, ctx, { ts, prepared, deps });
    return finishRun(outcome, ctx);
  } finally {
    await loaded.dispose();
  }
}

/** The progress line that says an update run starts from an earlier report. */
function updateLine(update: PreparedUpdate): string {
  const d = update.diff;
  return `Updating the analysis of ${update.previous.timestamp}: ${d.added.length} added, ` +
    `${d.changed.length} changed, ${d.removed.length} removed since`;
}
