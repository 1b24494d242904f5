/**
 * `deeprepo baseline`: one call to one model with as much code as fits, written as
 * `baseline_<name>_<ts>.md` and `_metrics.json`. Also used by `compare` on a loaded snapshot.
 *
 * @module
 */
import { formatInt, formatUsd } from "../../format.ts";
import type { CliContext } from "../context.ts";
import { defaultRunDeps, type RunDeps } from "./run_deps.ts";
import { checkCitations, citationSourceOf, citationSummary } from "../../report/citations.ts";
import { htmlInputFromRun, renderHtmlReport } from "../../report/html/mod.ts";
import { announceEndpoints, endpointsJson } from "../endpoints.ts";
import { redactUrl } from "../../redact.ts";
import { finishRun } from "../outcome.ts";
import type { BaselineOptions, ReportFormat } from "../options.ts";
import { createProgress, type Progress, retryLine } from "../progress.ts";
import { checkSource, loadCodebase } from "../../loader/mod.ts";
import { loadOptions } from "../load_options.ts";
import type { CodebaseSnapshot } from "../../loader/mod.ts";
import { costOf, type ResolvedModel } from "../../providers/mod.ts";
import type { Effort, ModelClient } from "../../providers/mod.ts";
import { InterruptedError, RunError } from "../../errors.ts";
import { timestamp } from "../../report/naming.ts";
import { writeRunOutputsSafely } from "../../report/write.ts";
import { checkOutputFolder, writtenLines } from "../output_folder.ts";
import { baselineOutputLimit, tokenCounterFor } from "../../estimate/mod.ts";
import {
  BASELINE_MAX_TOKENS,
  BASELINE_SYSTEM_PROMPT,
  type BaselineCallResult,
  baselineMetrics,
  type BaselinePrompt,
  buildBaselinePrompt,
  renderBaselineReport,
  runBaseline,
} from "../../baseline/mod.ts";
import { runBaselineDryRun } from "./dry_run.ts";
import { effortFor, effortWarning, rulesOf } from "../../engine/model_rules.ts";

/**
 * Runs `deeprepo baseline`.
 *
 * @param options Parsed options.
 * @param ctx Process context.
 * @param deps Where the registry comes from (tests pass a fake).
 * @returns 0 when the report is written.
 * @throws {RunError} When the call failed after retries (outputs are written first).
 * @throws {InterruptedError} On Ctrl-C (outputs are written first).
 */
export async function run(
  options: BaselineOptions,
  ctx: CliContext,
  deps: Pick<RunDeps, "loadRegistry"> = defaultRunDeps,
): Promise<number> {
  if (options.dryRun) return await runBaselineDryRun(options, ctx);
  const ts = timestamp();
  const progress = createProgress(ctx, { quiet: options.quiet });
  // Clients are created before loading, so a missing key fails before any clone or walk.
  await checkSource(options.source, ctx.cwd);
  // Imported here, not at the top: analyze.ts pulls in the sandbox, which dry runs never need.
  await checkOutputFolder(options, ctx);
  const prepared = await prepareBaseline(options.rootModel, options.plugins, ctx, progress, deps, {
    quiet: options.quiet,
    reloadPlugins: options.reloadPlugins,
  });
  progress.line(`Loading ${redactUrl(options.source)}...`);
  const loaded = await loadCodebase(options.source, {
    cwd: ctx.cwd,
    signal: ctx.signal,
    ...loadOptions(options, ctx),
  });
  try {
    const outcome = await runBaselineOnSnapshot(loaded.snapshot, {
      prepared,
      maxChars: options.maxChars,
      outputDir: options.outputDir,
      ts,
      progress,
      stream: true,
      format: options.format,
      effort: options.effort,
    }, ctx);
    return finishRun(outcome, ctx);
  } finally {
    await loaded.dispose();
  }
}

/** The baseline model and its client, made before loading so a missing key fails early. */
export interface PreparedBaseline {
  model: ResolvedModel;
  client: ModelClient;
  /** Retries reported by the client so far. */
  retries(): number;
}

/**
 * Resolves the baseline model and creates its client; retries are reported on `progress`.
 *
 * @param modelName Alias, id or `provider:model`.
 * @param plugins Extra plugin specifiers (`--plugin`).
 * @param ctx Process context (cwd, env, signal, stderr for the price warning).
 * @param progress Where `[retry]` lines go.
 * @param deps Where the registry comes from.
 * @param more `quiet` (`-q`: endpoints from the real environment are not named) and
 *   `reloadPlugins` (`--reload-plugins`).
 * @throws {UsageError} For an unknown model or broken plugin.
 * @throws {EnvironmentError} When the model's API key is missing.
 */
export async function prepareBaseline(
  modelName: string,
  plugins: string[],
  ctx: CliContext,
  progress: Progress,
  deps: Pick<RunDeps, "loadRegistry"> = defaultRunDeps,
  more: { quiet?: boolean; reloadPlugins?: boolean } = {},
): Promise<PreparedBaseline> {
  const registry = await deps.loadRegistry(ctx, plugins, more.reloadPlugins);
  const model = registry.resolve(modelName, "root");
  let retries = 0;
  const client = model.createClient({
    signal: ctx.signal,
    onRetry: (info) => {
      retries++;
      progress.line(retryLine(info));
    },
  });
  announceEndpoints(ctx, [model.provider], more.quiet ?? false);
  // Warnings go to stderr even with -q: they are about money.
  if (model.warning) ctx.stderr(`deeprepo: warning: ${model.warning}\n`);
  return { model, client, retries: () => retries };
}

/** Input of {@linkcode runBaselineOnSnapshot}. */
export interface BaselineRunSettings {
  prepared: PreparedBaseline;
  maxChars: number;
  outputDir: string;
  /** Shared with analyze in `compare`. */
  ts: string;
  /** Progress surface (silent with `-q`). */
  progress: Progress;
  /** Stream the answer through `progress.text` as it arrives. */
  stream: boolean;
  /** `--format`: also write the HTML report unless `md`. @default "both" */
  format?: ReportFormat;
  /** `--effort`: sent when the model accepts it, else one warning. */
  effort?: Effort;
}

/** What one baseline run left behind. */
export interface BaselineOutcome {
  paths: { report: string; metrics: string };
  /** The names' timestamp, with the suffix that kept them from replacing another run's. */
  stamp: string;
  metrics: Record<string, unknown>;
  /** The failure (a RunError or InterruptedError), when the call did not succeed. */
  error?: Error;
}

/**
 * Builds the prompt for a loaded snapshot, sends it, and writes report and metrics, also when
 * the call fails (then with the error in the metrics and whatever streamed in the report).
 *
 * @param snapshot The loaded codebase.
 * @param settings Model, client, budget, output location and timestamp.
 * @param ctx For streaming and progress on stderr.
 * @returns Paths, metrics, and the error when the call failed; never throws for a failed call.
 */
export async function runBaselineOnSnapshot(
  snapshot: CodebaseSnapshot,
  settings: BaselineRunSettings,
  ctx: CliContext,
): Promise<BaselineOutcome> {
  const { model, client } = settings.prepared;
  const { progress } = settings;
  const prompt = buildBaselinePrompt(snapshot, { maxChars: settings.maxChars });
  progress.line(
    `Baseline: sending ${prompt.included.length} of ${snapshot.metadata.total_files} files ` +
      `(${formatInt(prompt.chars)} chars; ${prompt.excluded.length} excluded) ` +
      `to ${model.label}`,
  );
  // Never above the model's published output maximum (the API would refuse the request).
  const maxOutput = rulesOf(model.rules).maxOutputTokens;
  const fitted = await outputLimit(model, prompt.text, ctx);
  const limit = maxOutput > 0 ? Math.min(fitted, maxOutput) : fitted;
  const effortWarned = effortWarning("--effort", model.label, model.rules, settings.effort);
  if (effortWarned) ctx.stderr(`deeprepo: warning: ${effortWarned}\n`);
  const result = await runBaseline({
    client,
    user: prompt.text,
    maxTokens: limit,
    effort: effortFor(settings.effort, rulesOf(model.rules)),
    signal: ctx.signal,
    onText: settings.stream ? (chunk) => progress.text(chunk) : undefined,
  });
  progress.done();
  const cost = costOf(result.usage, model.pricing);
  if (result.error === undefined) progress.line(baselineSummary(prompt, snapshot, result, cost));
  let error: Error | undefined;
  if (result.error !== undefined) {
    error = ctx.signal.aborted || result.error instanceof InterruptedError
      ? new InterruptedError()
      : result.error instanceof RunError
      ? result.error
      : new RunError(`baseline call failed: ${messageOf(result.error)}`, { cause: result.error });
  }
  const checked = checkCitations(result.analysis, citationSourceOf(snapshot));
  const baseMetrics = baselineMetrics({
    repo: snapshot.source,
    rootModel: model.label,
    filesTotal: snapshot.files.length,
    maxChars: settings.maxChars,
    maxOutputTokens: limit,
    prompt,
    result,
    cost,
    error: error?.message,
  });
  const metrics: Record<string, unknown> = { ...baseMetrics, ...checked.counts };
  metrics.retries = settings.prepared.retries();
  metrics.secrets_redacted = snapshot.secretsRedacted;
  metrics.endpoints = endpointsJson([model.provider], ctx);
  if (result.error === undefined) progress.line(citationSummary(checked.counts));
  const name = snapshot.metadata.repo_name;
  const outputs = {
    report: renderBaselineReport({
      repoName: snapshot.metadata.repo_name,
      rootModel: model.label,
      filesTotal: snapshot.files.length,
      prompt,
      analysis: checked.text,
      complete: result.complete,
      error: error?.message,
      run: {
        cost,
        inputTokens: result.usage.inputTokens + (result.usage.cacheReadTokens ?? 0) +
          (result.usage.cacheWriteTokens ?? 0),
        outputTokens: result.usage.outputTokens,
        elapsedSeconds: result.elapsedSeconds,
      },
    }),
    metrics,
    html: settings.format === "md" ? undefined : await renderHtmlReport(htmlInputFromRun({
      title: `deeprepo baseline of ${snapshot.metadata.repo_name}`,
      check: checked,
      snapshot,
      covered: new Set(prompt.included),
      metrics,
    })),
  };
  const written = await writeRunOutputsSafely(
    settings.outputDir,
    "baseline",
    name,
    settings.ts,
    outputs,
  );
  const paths = written.paths;
  error ??= written.fallbackError;
  for (const line of writtenLines(written.written)) progress.line(line);
  return {
    paths: { report: paths.report, metrics: paths.metrics },
    stamp: written.stamp,
    metrics,
    error,
  };
}

/** The closing line of a baseline call (stderr, not with `-q`). */
function baselineSummary(
  prompt: BaselinePrompt,
  snapshot: CodebaseSnapshot,
  result: BaselineCallResult,
  cost: number,
): string {
  const u = result.usage;
  const input = u.inputTokens + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
  return `baseline ${
    result.complete ? "complete" : "incomplete (answer cut at the output limit)"
  }: ` +
    `${prompt.included.length} of ${snapshot.metadata.total_files} files sent ` +
    `(${prompt.excluded.length} excluded), ${formatInt(input)} input and ` +
    `${formatInt(u.outputTokens)} output tokens, ${formatUsd(cost)}, ` +
    `${result.elapsedSeconds.toFixed(1)}s`;
}

/**
 * The request's output limit: 16,384, or what the model's context window leaves after the
 * prompt (providers reject a request that does not fit), with a warning on stderr (even with
 * `-q`) whenever the answer is limited or the request cannot fit at all.
 */
async function outputLimit(model: ResolvedModel, user: string, ctx: CliContext): Promise<number> {
  if (!model.contextWindow) return BASELINE_MAX_TOKENS;
  const limit = baselineOutputLimit({
    model,
    counter: await tokenCounterFor(model),
    system: BASELINE_SYSTEM_PROMPT,
    user,
    contextWindow: model.contextWindow,
  });
  const window = `${model.label}'s context window of ${formatInt(model.contextWindow)} tokens`;
  if (!limit.fits) {
    ctx.stderr(
      `deeprepo: warning: the baseline prompt (~${
        formatInt(limit.inputTokens)
      } tokens) leaves no room ` +
        `for an answer in ${window}; the call will likely be rejected: lower --max-chars\n`,
    );
  } else if (limit.maxTokens < BASELINE_MAX_TOKENS) {
    ctx.stderr(
      `deeprepo: warning: the baseline prompt (~${
        formatInt(limit.inputTokens)
      } tokens) leaves room for ` +
        `${formatInt(limit.maxTokens)} output tokens in ${window}; the answer is limited to ` +
        `that (lower --max-chars for a longer one)\n`,
    );
  }
  return limit.maxTokens;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").find((l) => l.trim() !== "") ?? "unknown error";
}
