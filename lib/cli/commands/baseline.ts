/**
 * `deeprepo baseline`: one call to one model with as much code as fits, written as
 * `baseline_<name>_<ts>.md` and `_metrics.json`. Also used by `compare` on a loaded snapshot.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import type { BaselineOptions } from "../options.ts";
import { loadCodebase } from "../../loader/mod.ts";
import type { CodebaseSnapshot } from "../../loader/types.ts";
import { costOf, loadRegistry, type ResolvedModel } from "../../providers/mod.ts";
import type { ModelClient } from "../../providers/types.ts";
import { InterruptedError, RunError } from "../../errors.ts";
import { outputPaths, timestamp } from "../../report/naming.ts";
import { writeRunOutputs } from "../../report/write.ts";
import {
  baselineMetrics,
  buildBaselinePrompt,
  renderBaselineReport,
  runBaseline,
} from "../../baseline/mod.ts";
import { runBaselineDryRun } from "./dry_run.ts";

/**
 * Runs `deeprepo baseline`.
 *
 * @param options Parsed options.
 * @param ctx Process context.
 * @returns 0 when the report is written.
 * @throws {RunError} When the call failed after retries (outputs are written first).
 * @throws {InterruptedError} On Ctrl-C (outputs are written first).
 */
export async function run(options: BaselineOptions, ctx: CliContext): Promise<number> {
  if (options.dryRun) return await runBaselineDryRun(options, ctx);
  const registry = await loadRegistry({ cwd: ctx.cwd, env: ctx.env, plugins: options.plugins });
  const model = registry.resolve(options.rootModel, "root");
  let retries = 0;
  // Created before loading, so a missing key fails before any clone or walk.
  const client = model.createClient({
    signal: ctx.signal,
    onRetry: (info) => {
      retries++;
      if (!options.quiet) {
        ctx.stderr(
          `\n[retry] ${info.provider} ${info.model}: ${info.reason}; retry ${info.attempt} in ` +
            `${(info.delayMs / 1000).toFixed(1)}s\n`,
        );
      }
    },
  });
  if (model.warning) ctx.stderr(`warning: ${model.warning}\n`);
  if (!options.quiet) ctx.stderr(`Loading ${options.source}...\n`);
  const loaded = await loadCodebase(options.source, { cwd: ctx.cwd, signal: ctx.signal });
  try {
    const outcome = await runBaselineOnSnapshot(loaded.snapshot, {
      model,
      client,
      maxChars: options.maxChars,
      outputDir: options.outputDir,
      ts: timestamp(),
      quiet: options.quiet,
      stream: !options.quiet,
      retries: () => retries,
    }, ctx);
    if (outcome.error) {
      ctx.stderr(`deeprepo: partial results written to ${outcome.paths.metrics}\n`);
      throw outcome.error;
    }
    ctx.stdout(outcome.paths.report);
    return 0;
  } finally {
    await loaded.dispose();
  }
}

/** Input of {@linkcode runBaselineOnSnapshot}. */
export interface BaselineRunSettings {
  model: ResolvedModel;
  client: ModelClient;
  maxChars: number;
  outputDir: string;
  /** Shared with analyze in `compare`. */
  ts: string;
  quiet: boolean;
  /** Stream the answer to stderr as it arrives. */
  stream: boolean;
  /** Retries so far (counted by the client's `onRetry`). */
  retries?: () => number;
}

/** What one baseline run left behind. */
export interface BaselineOutcome {
  paths: { report: string; metrics: string };
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
  const prompt = buildBaselinePrompt(snapshot, { maxChars: settings.maxChars });
  if (!settings.quiet) {
    ctx.stderr(
      `Baseline: sending ${prompt.included.length} of ${snapshot.metadata.total_files} files ` +
        `(${prompt.chars.toLocaleString("en-US")} chars; ${prompt.excluded.length} excluded) ` +
        `to ${settings.model.label}\n`,
    );
  }
  let streamedAny = false;
  const result = await runBaseline({
    client: settings.client,
    user: prompt.text,
    signal: ctx.signal,
    onText: settings.stream
      ? (chunk) => {
        streamedAny = true;
        ctx.stderr(chunk);
      }
      : undefined,
  });
  if (streamedAny) ctx.stderr("\n");
  let error: Error | undefined;
  if (result.error !== undefined) {
    error = ctx.signal.aborted || result.error instanceof InterruptedError
      ? new InterruptedError()
      : result.error instanceof RunError
      ? result.error
      : new RunError(`baseline call failed: ${messageOf(result.error)}`, { cause: result.error });
  }
  const cost = costOf(result.usage, settings.model.pricing);
  const metrics = baselineMetrics({
    repo: snapshot.source,
    rootModel: settings.model.label,
    filesTotal: snapshot.metadata.total_files,
    maxChars: settings.maxChars,
    prompt,
    result,
    cost,
    error: error?.message,
  });
  metrics.retries = settings.retries?.() ?? 0;
  const paths = outputPaths(
    settings.outputDir,
    "baseline",
    snapshot.metadata.repo_name,
    settings.ts,
  );
  await writeRunOutputs(paths, {
    report: renderBaselineReport({
      repoName: snapshot.metadata.repo_name,
      rootModel: settings.model.label,
      filesTotal: snapshot.metadata.total_files,
      prompt,
      analysis: result.analysis,
      complete: result.complete,
      error: error?.message,
    }),
    metrics,
  });
  return { paths: { report: paths.report, metrics: paths.metrics }, metrics, error };
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").find((l) => l.trim() !== "") ?? "unknown error";
}
