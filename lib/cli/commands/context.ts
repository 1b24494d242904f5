/**
 * `deeprepo context [SOURCE]`: the file coding agents read at session start, from the latest
 * analysis (or `--from <report.md>`), printed to stdout or, with `--write`, put into the
 * repository as a managed block. At most one model call (none with `--no-model`).
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import { runKey } from "../run_key.ts";
import type { ContextOptions } from "../options.ts";
import { loadCommandRegistry } from "../registry.ts";
import { isGitUrl, loadCodebase } from "../../loader/mod.ts";
import { findPreviousRun, fingerprint } from "../../freshness/mod.ts";
import { buildContext, writeContextFile } from "../../context/mod.ts";
import { tokenCounterFor } from "../../estimate/mod.ts";
import { costOf } from "../../providers/mod.ts";
import { EnvironmentError, UsageError } from "../../errors.ts";
import { formatUsd } from "../../format.ts";

/**
 * Runs the command.
 *
 * @returns 0; the context text (or the written file's path) is the last stdout output.
 * @throws {EnvironmentError} (exit 2) with no earlier analysis, an analysis of another
 *   repository, or a file `--write` must not touch.
 */
export async function run(options: ContextOptions, ctx: CliContext): Promise<number> {
  if (options.write && isGitUrl(options.source)) {
    throw new UsageError("--write needs a local folder: a git URL is cloned to a temporary folder");
  }
  const registry = options.model ? await loadCommandRegistry(ctx, options.plugins) : undefined;
  const model = registry?.resolve(options.rootModel, "root");
  const client = model?.createClient({ signal: ctx.signal });
  const loaded = await loadCodebase(options.source, { cwd: ctx.cwd, signal: ctx.signal });
  try {
    const { snapshot } = loaded;
    const now = await fingerprint(snapshot);
    const previous = await findPreviousRun({
      spec: options.from ?? "latest",
      outputDir: options.outputDir,
      repoName: snapshot.metadata.repo_name,
      source: now.source,
      analyzeHint: `deeprepo analyze ${options.sourceAsTyped} -o ${options.outputDirAsTyped}`,
      key: await runKey(ctx),
    });
    let report: string;
    try {
      report = await Deno.readTextFile(previous.reportPath);
    } catch {
      throw new EnvironmentError(`cannot read the report ${previous.reportPath}`);
    }
    const counter = await tokenCounterFor(model ?? { provider: "anthropic", id: "claude" });
    const result = await buildContext({
      snapshot,
      previous,
      report,
      format: options.format,
      maxTokens: options.maxTokens,
      count: (t) => counter.count(t),
      client,
      signal: ctx.signal,
    });
    if (!options.quiet) {
      const spend = result.usage && model
        ? `, ${formatUsd(costOf(result.usage, model.pricing))}`
        : "";
      const checked = result.citations
        ? `, citations ${
          result.citations.citations_verified + result.citations.citations_corrected
        }` +
          `/${result.citations.citations_total} verified`
        : "";
      ctx.stderr(
        `deeprepo: context from ${result.from}: ${result.tokens} tokens${checked}${spend}\n`,
      );
    }
    if (!options.write) {
      for (const line of (result.header + result.body).replace(/\n$/, "").split("\n")) {
        ctx.stdout(line);
      }
      return 0;
    }
    const written = await writeContextFile(
      snapshot.root,
      result.file,
      result.body,
      result.from,
      result.header,
    );
    ctx.stdout(written);
    return 0;
  } finally {
    await loaded.dispose();
  }
}
