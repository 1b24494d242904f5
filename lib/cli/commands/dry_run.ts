/**
 * `--dry-run` for analyze and baseline: load the codebase, show what would be sent and what it
 * would cost. Models are resolved (for their prices) but no client is created, so no API key is
 * needed and nothing leaves the machine except a git clone.
 *
 * @module
 */
import { formatBudgetUsd as usd, formatInt } from "../../format.ts";
import type { CliContext } from "../context.ts";
import { loadCommandRegistry } from "../registry.ts";
import { terminalLine } from "../terminal_text.ts";
import { sentLines } from "../sent_summary.ts";
import { DEFAULT_COLUMNS, wrapLine } from "../width.ts";

/** Lines made safe for a terminal (one line each) and wrapped to its width (80 off one). */
function fitted(lines: string[], ctx: CliContext): string[] {
  return lines.flatMap((l) => wrapLine(terminalLine(l), ctx.columns ?? DEFAULT_COLUMNS));
}
import type { AnalyzeOptions, BaselineOptions } from "../options.ts";
import { checkSource, loadCodebase } from "../../loader/mod.ts";
import { loadOptions } from "../load_options.ts";
import { redactionLine } from "../../report/redaction.ts";
import type { CodebaseSnapshot } from "../../loader/mod.ts";
import { costOf } from "../../providers/mod.ts";
import { EXECUTE_CODE_TOOL, firstUserMessage, ROOT_SYSTEM_PROMPT } from "../../engine/prompts.ts";
import {
  type AnalyzeEstimate,
  type BaselineEstimate,
  estimateAnalyze,
  estimateBaseline,
  type EstimateModel,
  tokenCounterFor,
} from "../../estimate/mod.ts";
import {
  BASELINE_SYSTEM_PROMPT,
  type BaselinePrompt,
  buildBaselinePrompt,
} from "../../baseline/mod.ts";

/** One row of the `files` list of the JSON output. */
export interface DryRunFile {
  path: string;
  chars: number;
  status: "included" | "too_large" | "read_error" | "excluded";
}

/**
 * `deeprepo analyze --dry-run`: summary (or `--json`) of files, tokens and the cost range.
 *
 * @param options Parsed analyze options (`dryRun` set).
 * @param ctx Process context.
 * @returns Exit status 0.
 * @throws {UsageError} For an unknown model; {@linkcode EnvironmentError} for a missing path.
 */
export async function runAnalyzeDryRun(options: AnalyzeOptions, ctx: CliContext): Promise<number> {
  await checkSource(options.source, ctx.cwd);
  const registry = await loadCommandRegistry(ctx, options.plugins, options.reloadPlugins);
  const root = registry.resolve(options.rootModel, "root");
  const sub = registry.resolve(options.subModel, "sub");
  const loaded = await loadCodebase(options.source, {
    cwd: ctx.cwd,
    signal: ctx.signal,
    ...loadOptions(options, ctx),
  });
  try {
    const snapshot = loaded.snapshot;
    // Built as the engine builds it (a huge tree is sent as a folder summary).
    const rootPrefix = ROOT_SYSTEM_PROMPT + JSON.stringify(EXECUTE_CODE_TOOL) +
      firstUserMessage(snapshot.metadata, snapshot.fileTree, Object.keys(snapshot.codebase));
    const estimate = estimateAnalyze({
      root,
      sub,
      rootCounter: await tokenCounterFor(root),
      subCounter: await tokenCounterFor(sub),
      rootPrefix,
      contents: snapshot.files.filter((f) => f.status === "included").map((f) =>
        snapshot.codebase[f.path]
      ),
      maxTurns: options.maxTurns,
      promptCache: options.promptCache,
    });
    if (options.maxCost !== undefined) {
      // The same floor the real run checks before its first call. Imported only here: the
      // engine module graph (cache, KV) is start-up time most dry runs do not need.
      const { minimumBudgetUsd } = await import("../../engine/run_analysis.ts");
      const least = minimumBudgetUsd(
        snapshot,
        (u) => costOf(u, root.pricing),
        options.promptCache,
        root.rules,
      );
      if (options.maxCost < least) {
        estimate.assumptions.push(
          `--max-cost ${usd(options.maxCost)} is below the ${usd(least)} projected for the ` +
            `first two root turns with ${root.label}: the real run would refuse it (exit 2)`,
        );
      } else if (options.maxCost < estimate.cost.high) {
        estimate.assumptions.push(
          `--max-cost ${usd(options.maxCost)} is below the high estimate: the run is told to ` +
            `finalize as spend nears it, so it may end with less of the code reviewed`,
        );
      }
    }
    const files: DryRunFile[] = snapshot.files.map((f) => ({
      path: f.path,
      chars: f.chars,
      status: f.status,
    }));
    if (options.json) {
      ctx.stdout(JSON.stringify(
        dryRunJson("analyze", snapshot, files, { root, sub }, snakeKeys(estimate)),
        null,
        2,
      ));
    } else {
      for (const line of fitted(analyzeSummary(snapshot, estimate), ctx)) ctx.stdout(line);
    }
    return 0;
  } finally {
    await loaded.dispose();
  }
}

/**
 * `deeprepo baseline --dry-run`: the files that would be sent or excluded and the cost.
 *
 * @param options Parsed baseline options (`dryRun` set).
 * @param ctx Process context.
 * @returns Exit status 0.
 */
export async function runBaselineDryRun(
  options: BaselineOptions,
  ctx: CliContext,
): Promise<number> {
  await checkSource(options.source, ctx.cwd);
  const registry = await loadCommandRegistry(ctx, options.plugins, options.reloadPlugins);
  const root = registry.resolve(options.rootModel, "root");
  const loaded = await loadCodebase(options.source, {
    cwd: ctx.cwd,
    signal: ctx.signal,
    ...loadOptions(options, ctx),
  });
  try {
    const snapshot = loaded.snapshot;
    const prompt = buildBaselinePrompt(snapshot, { maxChars: options.maxChars });
    const estimate = estimateBaseline({
      model: root,
      counter: await tokenCounterFor(root),
      system: BASELINE_SYSTEM_PROMPT,
      user: prompt.text,
      contextWindow: root.contextWindow,
    });
    const files = baselineFiles(snapshot, prompt);
    if (options.json) {
      const json = dryRunJson("baseline", snapshot, files, { root }, snakeKeys(estimate));
      json.prompt = {
        chars: prompt.chars,
        budgeted_chars: prompt.budgetedChars,
        max_chars: options.maxChars,
        included_files: prompt.included.length,
        excluded_files: prompt.excluded.length,
      };
      ctx.stdout(JSON.stringify(json, null, 2));
    } else {
      for (const line of baselineSummary(snapshot, prompt, files, estimate, options.maxChars)) {
        for (const part of fitted([line], ctx)) ctx.stdout(part);
      }
    }
    return 0;
  } finally {
    await loaded.dispose();
  }
}

/**
 * The baseline's file list: included files in the order they are sent, then excluded ones,
 * then files that could not be loaded.
 */
export function baselineFiles(snapshot: CodebaseSnapshot, prompt: BaselinePrompt): DryRunFile[] {
  const chars = new Map(snapshot.files.map((f) => [f.path, f.chars]));
  return [
    ...prompt.included.map((path) => ({
      path,
      chars: chars.get(path)!,
      status: "included" as const,
    })),
    ...prompt.excluded.map((path) => ({
      path,
      chars: chars.get(path)!,
      status: "excluded" as const,
    })),
    ...prompt.unavailable.map((u) => ({
      path: u.path,
      chars: chars.get(u.path)!,
      status: u.status,
    })),
  ];
}

function dryRunJson(
  command: "analyze" | "baseline",
  snapshot: CodebaseSnapshot,
  files: DryRunFile[],
  models: Record<string, EstimateModel>,
  estimate: unknown,
): Record<string, unknown> {
  const modelJson: Record<string, unknown> = {};
  for (const [role, m] of Object.entries(models)) {
    modelJson[role] = {
      label: m.label,
      provider: m.provider,
      id: m.id,
      pricing: m.pricing,
      pricing_known: m.pricingKnown,
    };
  }
  return {
    command,
    source: snapshot.source,
    metadata: snapshot.metadata,
    files,
    skipped: snapshot.skipped,
    secrets_redacted: snapshot.secretsRedacted,
    warnings: snapshot.warnings,
    models: modelJson,
    estimate,
  };
}

/** Converts object keys from camelCase to snake_case, deeply (JSON output style). */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map((
        [k, v],
      ) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]),
    );
  }
  return value;
}

const n = (value: number) => formatInt(value);

function loadLines(snapshot: CodebaseSnapshot): string[] {
  const lines: string[] = [];
  const loaded = snapshot.files.filter((f) => f.status === "included");
  const tooLarge = snapshot.files.filter((f) => f.status === "too_large");
  const readErrors = snapshot.files.filter((f) => f.status === "read_error");
  lines.push(
    `Files: ${loaded.length} loaded (${n(snapshot.metadata.total_chars)} chars), ` +
      `${tooLarge.length} too large, ${readErrors.length} unreadable, ` +
      `${snapshot.skipped.length} skipped`,
  );
  for (const f of tooLarge) lines.push(`  too large: ${f.path} (${n(f.bytes)} bytes)`);
  for (const f of readErrors) {
    lines.push(`  read error: ${f.path}${f.reason ? `: ${f.reason}` : ""}`);
  }
  const byReason = new Map<string, string[]>();
  for (const s of snapshot.skipped) {
    byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.path]);
  }
  for (const [reason, paths] of [...byReason].sort()) {
    const shown = paths.slice(0, 10).join(", ");
    const more = paths.length > 10 ? `, ... ${paths.length - 10} more` : "";
    lines.push(`  skipped (${reason.replaceAll("_", " ")}): ${shown}${more}`);
  }
  lines.push(redactionLine(snapshot.secretsRedacted).replace(/^s/, "S"));
  return lines;
}

function analyzeSummary(snapshot: CodebaseSnapshot, e: AnalyzeEstimate): string[] {
  return [
    `Dry run: analyze ${snapshot.metadata.repo_name}; no model was called.`,
    `Source: ${snapshot.source}`,
    ...loadLines(snapshot),
    ...sentLines(snapshot),
    `Root model: ${e.rootModel}`,
    `Sub-model: ${e.subModel}`,
    `Root prompt prefix: ~${
      n(e.root.prefixTokens)
    } tokens (system prompt, tool, metadata, tree), ` +
    `re-sent every turn`,
    `  ${e.root.low.turns} turns: ${usd(e.root.low.costCached)} with prompt caching, ` +
    `${usd(e.root.low.costUncached)} without`,
    `  ${e.root.high.turns} turns: ${usd(e.root.high.costCached)} with prompt caching, ` +
    `${usd(e.root.high.costUncached)} without`,
    `Sub-model content: ~${n(e.sub.contentTokens)} tokens of code; ` +
    `${usd(e.sub.cost.low)} to ${usd(e.sub.cost.high)}`,
    `Estimated cost: ${usd(e.cost.low)} to ${usd(e.cost.high)}`,
    "Assumptions:",
    ...e.assumptions.map((a) => `  - ${a}`),
  ];
}

function baselineSummary(
  snapshot: CodebaseSnapshot,
  prompt: BaselinePrompt,
  files: DryRunFile[],
  e: BaselineEstimate,
  maxChars: number,
): string[] {
  const width = Math.max(8, ...files.map((f) => f.status.length));
  return [
    `Dry run: baseline ${snapshot.metadata.repo_name}; no model was called.`,
    `Source: ${snapshot.source}`,
    ...loadLines(snapshot),
    `Prompt: ${prompt.included.length} files sent, ${prompt.excluded.length} excluded ` +
    `(${n(prompt.chars)} of ${n(maxChars)} characters, with the list of excluded files)`,
    // Nothing of a file the loader could not read is sent, so it shows no character count.
    ...files.map((f) =>
      `  ${f.status.padEnd(width)} ${
        (f.status === "too_large" || f.status === "read_error" ? "-" : n(f.chars)).padStart(9)
      }  ${f.path}`
    ),
    `Model: ${e.rootModel}`,
    `Input: ${n(e.inputTokens)} tokens (${e.tokenizer}${e.exactTokens ? "" : ", approximate"}) = ` +
    `${usd(e.inputCost)}`,
    `Estimated cost: ${usd(e.cost.low)} (${n(e.outputTokens.low)} output tokens) to ` +
    `${usd(e.cost.high)} (${n(e.outputTokens.high)}, the limit)`,
    "Assumptions:",
    ...e.assumptions.map((a) => `  - ${a}`),
  ];
}
