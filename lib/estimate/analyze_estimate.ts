/**
 * Cost range of an `analyze` run, computed before any model is called.
 *
 * Root side: the root model never sees file contents, so each turn re-sends the same prefix
 * (system prompt, tool definition, metadata and file tree) plus the conversation so far. Sub
 * side: the code the root dispatches, wrapped in instructions, plus the answers.
 *
 * @module
 */
import { costOf } from "../providers/mod.ts";
import type { Usage } from "../providers/mod.ts";
import { ANALYZE_ASSUMPTIONS as A } from "./assumptions.ts";
import { type EstimateModel, estimateThinks, type Range, roundUsd } from "./range.ts";
import type { TokenCounter } from "./tokens.ts";
import { formatInt } from "../format.ts";

const fmt = formatInt;

/** Input of {@linkcode estimateAnalyze}. */
export interface AnalyzeEstimateInput {
  root: EstimateModel;
  sub: EstimateModel;
  rootCounter: TokenCounter;
  subCounter: TokenCounter;
  /** Everything the root model receives before its first turn (system, tool, first message). */
  rootPrefix: string;
  /** Contents of the loaded files (status `included`). */
  contents: string[];
  /** `--max-turns`: caps both turn counts. */
  maxTurns: number;
  /** False with `--no-prompt-cache`. */
  promptCache: boolean;
}

/** Root-model token and cost figures for a run of a given length. */
export interface RootTurnsEstimate {
  turns: number;
  inputTokens: number;
  outputTokens: number;
  /** With prompt caching: the prefix is written once and read back on every later turn. */
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costCached: number;
  costUncached: number;
}

/** The estimate of an analyze run. */
export interface AnalyzeEstimate {
  rootModel: string;
  subModel: string;
  tokenizers: { root: string; sub: string };
  pricingKnown: { root: boolean; sub: boolean };
  root: {
    /** Tokens of the prefix re-sent every turn. */
    prefixTokens: number;
    low: RootTurnsEstimate;
    high: RootTurnsEstimate;
  };
  sub: {
    /** Tokens of all loaded file contents. */
    contentTokens: number;
    inputTokens: Range;
    outputTokens: Range;
    cost: Range;
  };
  /** Low: short run with caching (when on), half the code dispatched. High: long run without
   * caching, all code dispatched. */
  cost: Range;
  assumptions: string[];
}

/**
 * Estimates the cost range of an analyze run.
 *
 * @param input Models, counters, root prefix, file contents and run limits.
 * @returns Token counts and dollar figures, each as a low and a high case.
 *
 * @example
 * ```ts ignore
 * const estimate = estimateAnalyze({ root, sub, rootCounter, subCounter, rootPrefix,
 *   contents: Object.values(snapshot.codebase), maxTurns: 20, promptCache: true });
 * console.log(estimate.cost.low, estimate.cost.high);
 * ```
 */
export function estimateAnalyze(input: AnalyzeEstimateInput): AnalyzeEstimate {
  const prefixTokens = input.rootCounter.count(input.rootPrefix);
  const turnsLow = Math.max(1, Math.min(A.turnsLow, input.maxTurns));
  const turnsHigh = Math.max(1, Math.min(A.turnsHigh, input.maxTurns));
  const low = rootTurns(prefixTokens, turnsLow, input.root);
  const high = rootTurns(prefixTokens, turnsHigh, input.root);

  const contentTokens = input.contents.reduce((n, c) => n + input.subCounter.count(c), 0);
  const subThinking = estimateThinks(input.sub) ? A.subThinkingPerCall : 0;
  const subCase = (coverage: number) => {
    const calls = Math.ceil(input.contents.length * coverage);
    const usage: Usage = {
      inputTokens: Math.round(contentTokens * coverage * A.subPromptOverhead),
      outputTokens: Math.round(contentTokens * coverage * A.subOutputRatio) + calls * subThinking,
    };
    return { usage, cost: costOf(usage, input.sub.pricing) };
  };
  const subLow = subCase(A.subCoverageLow);
  const subHigh = subCase(A.subCoverageHigh);

  const rootLowCost = input.promptCache ? low.costCached : low.costUncached;
  return {
    rootModel: input.root.label,
    subModel: input.sub.label,
    tokenizers: { root: input.rootCounter.name, sub: input.subCounter.name },
    pricingKnown: { root: input.root.pricingKnown, sub: input.sub.pricingKnown },
    root: { prefixTokens, low, high },
    sub: {
      contentTokens,
      inputTokens: { low: subLow.usage.inputTokens, high: subHigh.usage.inputTokens },
      outputTokens: { low: subLow.usage.outputTokens, high: subHigh.usage.outputTokens },
      cost: { low: roundUsd(subLow.cost), high: roundUsd(subHigh.cost) },
    },
    cost: {
      low: roundUsd(rootLowCost + subLow.cost),
      high: roundUsd(high.costUncached + subHigh.cost),
    },
    assumptions: analyzeAssumptionLines(input, turnsLow, turnsHigh),
  };
}

/**
 * Root tokens and cost of a run of `turns` turns whose every call re-sends `prefix` tokens plus
 * the conversation so far (each turn adds its output and one tool result).
 *
 * @param prefix Tokens of the fixed prefix.
 * @param turns Number of root calls.
 * @param model Pricing source.
 */
export function rootTurns(prefix: number, turns: number, model: EstimateModel): RootTurnsEstimate {
  const growth = A.rootOutputPerTurn + A.toolResultPerTurn;
  // Call t (1-based) sends prefix + (t - 1) turns of history.
  const inputTokens = turns * prefix + growth * (turns * (turns - 1)) / 2;
  const thinking = estimateThinks(model) ? turns * A.rootThinkingPerTurn : 0;
  const outputTokens = turns * A.rootOutputPerTurn + A.finalReportTokens + thinking;
  // With caching, every token of history is written once and read on each later call.
  const cacheWriteTokens = prefix + growth * (turns - 1);
  const cacheReadTokens = inputTokens - cacheWriteTokens;
  const costUncached = costOf({ inputTokens, outputTokens }, model.pricing);
  const costCached = costOf(
    { inputTokens: 0, outputTokens, cacheReadTokens, cacheWriteTokens },
    model.pricing,
  );
  return {
    turns,
    inputTokens,
    outputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    costCached: roundUsd(costCached),
    costUncached: roundUsd(costUncached),
  };
}

function analyzeAssumptionLines(
  input: AnalyzeEstimateInput,
  turnsLow: number,
  turnsHigh: number,
): string[] {
  const lines = [
    `root: ${turnsLow} turns (low) to ${turnsHigh} turns (high), capped by --max-turns ${input.maxTurns}`,
    `root: each turn re-sends the prefix (system prompt, tool, metadata, file tree) plus history; ` +
    `a turn adds ~${fmt(A.rootOutputPerTurn)} output and ~${
      fmt(A.toolResultPerTurn)
    } tool-result ` +
    `tokens; the final report adds ~${fmt(A.finalReportTokens)} output tokens`,
    input.promptCache
      ? "root low: prompt caching on (history written to the cache once, read on later turns); " +
        "root high: no cache benefit (as with --no-prompt-cache)"
      : "root: prompt caching off (--no-prompt-cache)",
    `sub: ${A.subCoverageLow * 100}% (low) to ${A.subCoverageHigh * 100}% (high) of the loaded ` +
    `code dispatched once, input = content × ${A.subPromptOverhead}, output = content × ` +
    `${A.subOutputRatio}; sub-model cache hits would lower it`,
    `tokens: root by ${input.rootCounter.name}, sub by ${input.subCounter.name}`,
  ];
  const thinkers = [
    estimateThinks(input.root) ? `root ~${fmt(A.rootThinkingPerTurn)} per turn` : "",
    estimateThinks(input.sub) ? `sub ~${fmt(A.subThinkingPerCall)} per call (one per file)` : "",
  ].filter(Boolean);
  if (thinkers.length > 0) {
    lines.push(
      `thinking: ${thinkers.join(", ")} thinking tokens assumed, billed as output ` +
        "(the models think; real use varies with the task and --effort)",
    );
  }
  for (const [side, model] of [["root", input.root], ["sub", input.sub]] as const) {
    if (!model.pricingKnown) {
      lines.push(`${side}: no listed price for ${model.label}; $1.00/$1.00 per 1M tokens assumed`);
    }
  }
  return lines;
}
