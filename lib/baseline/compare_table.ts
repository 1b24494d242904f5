/**
 * The `compare` table: the RLM run and the baseline side by side, built from their metrics
 * objects (the same numbers that are written to disk), as text or as JSON.
 *
 * @module
 */
import { formatInt, formatUsd } from "../format.ts";

/** One side of a comparison. */
export interface CompareSide {
  /** The metrics written for this side (also present, with `error`, when the side failed). */
  metrics?: Record<string, unknown>;
  /** Why the side failed, when it did. */
  error?: string;
  /** Report path, when one was written. */
  report?: string;
}

/** One side as a JSON row. */
export interface CompareColumn {
  status: "ok" | "failed";
  error?: string;
  models: string | null;
  total_cost: number | null;
  root_cost: number | null;
  sub_cost: number | null;
  root_input_tokens: number | null;
  root_output_tokens: number | null;
  root_cache_read_tokens: number | null;
  root_cache_write_tokens: number | null;
  sub_calls: number | null;
  turns: number | null;
  /** RLM: files whose content reached a sub-model; baseline: files in the prompt. */
  files_covered: number | null;
  files_total: number | null;
  /** Baseline only: files left out of the prompt. */
  files_excluded: number | null;
  analysis_chars: number | null;
  elapsed_seconds: number | null;
  complete: boolean | null;
  /** RLM only: whether `--max-cost` ended the run early (null without a budget or metrics). */
  budget_stopped: boolean | null;
  /** Citations in the report: checked, and verified or corrected (null without metrics). */
  citations_total: number | null;
  citations_verified: number | null;
  report: string | null;
}

/** How `compare --max-cost` split the budget. */
export interface CompareBudget {
  /** `--max-cost`: both sides together. */
  max_cost: number;
  /** The most the baseline call could cost (its input plus the whole output limit). */
  baseline_worst_case: number;
  /**
   * What analyze was given: `--max-cost` minus what the baseline spent (its metrics record it as
   * `budget`); null when analyze did not run.
   */
  analyze_budget: number | null;
}

/** The whole comparison as JSON. */
export interface CompareJson {
  repo: string;
  timestamp: string;
  /** Both sides' `total_cost` added (a failed side counts what it spent before failing). */
  total_cost: number;
  /** The budget split, when `--max-cost` was given; else null. */
  budget: CompareBudget | null;
  rlm: CompareColumn;
  baseline: CompareColumn;
}

/**
 * Assembles the comparison from its two sides.
 *
 * @param repo What the user asked for (path or git URL).
 * @param timestamp The shared `<ts>` of all five files.
 * @param sides Both sides, and the budget split when there was one.
 */
export function compareJson(
  repo: string,
  timestamp: string,
  sides: { rlm: CompareSide; baseline: CompareSide; budget?: CompareBudget },
): CompareJson {
  const rlm = rlmColumn(sides.rlm);
  const baseline = baselineColumn(sides.baseline);
  const total_cost = Math.round(((rlm.total_cost ?? 0) + (baseline.total_cost ?? 0)) * 1e6) / 1e6;
  return { repo, timestamp, total_cost, budget: sides.budget ?? null, rlm, baseline };
}

const num = (m: Record<string, unknown> | undefined, key: string): number | null =>
  typeof m?.[key] === "number" ? m[key] as number : null;

/**
 * The RLM column from analyze metrics.
 *
 * @param side Metrics and/or error of the analyze run.
 */
export function rlmColumn(side: CompareSide): CompareColumn {
  const m = side.metrics;
  return {
    ...status(side),
    models: m ? `${m.root_model} + ${m.sub_model}` : null,
    total_cost: num(m, "total_cost"),
    root_cost: num(m, "root_cost"),
    sub_cost: num(m, "sub_cost"),
    root_input_tokens: num(m, "root_input_tokens"),
    root_output_tokens: num(m, "root_output_tokens"),
    root_cache_read_tokens: num(m, "root_cache_read_tokens"),
    root_cache_write_tokens: num(m, "root_cache_write_tokens"),
    sub_calls: num(m, "sub_calls"),
    turns: num(m, "turns"),
    files_covered: num(m, "files_dispatched"),
    files_total: num(m, "files_total"),
    files_excluded: null,
    analysis_chars: num(m, "analysis_chars"),
    elapsed_seconds: num(m, "elapsed_seconds"),
    complete: typeof m?.complete === "boolean" ? m.complete : null,
    budget_stopped: typeof m?.budget === "number" && typeof m.budget_stopped === "boolean"
      ? m.budget_stopped
      : null,
    ...citationColumns(m),
    report: side.report ?? null,
  };
}

function citationColumns(m: Record<string, unknown> | undefined) {
  const total = num(m, "citations_total");
  const good = total === null
    ? null
    : (num(m, "citations_verified") ?? 0) + (num(m, "citations_corrected") ?? 0);
  return { citations_total: total, citations_verified: good };
}

/**
 * The baseline column from baseline metrics.
 *
 * @param side Metrics and/or error of the baseline run.
 */
export function baselineColumn(side: CompareSide): CompareColumn {
  const m = side.metrics;
  return {
    ...status(side),
    models: typeof m?.root_model === "string" ? m.root_model : null,
    total_cost: num(m, "total_cost"),
    root_cost: num(m, "root_cost"),
    sub_cost: m ? 0 : null,
    root_input_tokens: num(m, "root_input_tokens"),
    root_output_tokens: num(m, "root_output_tokens"),
    root_cache_read_tokens: num(m, "root_cache_read_tokens"),
    root_cache_write_tokens: num(m, "root_cache_write_tokens"),
    sub_calls: m ? 0 : null,
    turns: m ? num(m, "root_calls") : null,
    files_covered: num(m, "included_files"),
    files_total: num(m, "files_total"),
    files_excluded: num(m, "excluded_files"),
    analysis_chars: num(m, "analysis_chars"),
    elapsed_seconds: num(m, "elapsed_seconds"),
    complete: typeof m?.complete === "boolean" ? m.complete : null,
    budget_stopped: null,
    ...citationColumns(m),
    report: side.report ?? null,
  };
}

function status(side: CompareSide): Pick<CompareColumn, "status" | "error"> {
  return side.error ? { status: "failed", error: side.error } : { status: "ok" };
}

const dash = "-";
const int = (v: number | null) => v === null ? dash : formatInt(v);
const money = (v: number | null) => v === null ? dash : formatUsd(v);

function tokens(c: CompareColumn): string {
  if (c.root_input_tokens === null) return dash;
  let text = `${int(c.root_input_tokens)} / ${int(c.root_output_tokens)}`;
  const read = c.root_cache_read_tokens ?? 0;
  const write = c.root_cache_write_tokens ?? 0;
  if (read || write) text += ` (+ cache read ${int(read)}, write ${int(write)})`;
  return text;
}

function citations(c: CompareColumn): string {
  if (c.citations_total === null) return dash;
  return `${c.citations_verified}/${c.citations_total}`;
}

function covered(c: CompareColumn, how: string): string {
  if (c.files_covered === null) return dash;
  return `${c.files_covered}/${c.files_total ?? "?"} (${how})`;
}

/**
 * Renders the comparison as an aligned text table (one string per line), then the combined
 * cost of both sides.
 *
 * @param table The comparison.
 * @returns Lines without trailing newlines.
 */
export function renderCompareTable(table: CompareJson): string[] {
  const r = table.rlm;
  const b = table.baseline;
  const statusText = (c: CompareColumn) =>
    c.status === "ok" ? (c.complete === false ? "ok (incomplete)" : "ok") : `FAILED: ${c.error}`;
  const rows: [string, string, string][] = [
    ["", "RLM (analyze)", "baseline"],
    ["status", statusText(r), statusText(b)],
    ["models", r.models ?? dash, b.models ?? dash],
    ["total cost", money(r.total_cost), money(b.total_cost)],
    ["root cost", money(r.root_cost), money(b.root_cost)],
    ["sub cost", money(r.sub_cost), money(b.sub_cost)],
    ["root tokens in/out", tokens(r), tokens(b)],
    ["sub calls", int(r.sub_calls), int(b.sub_calls)],
    ["turns", int(r.turns), int(b.turns)],
    ["files covered", covered(r, "dispatched"), covered(b, "included")],
    ["files excluded", dash, int(b.files_excluded)],
    ["citations verified", citations(r), citations(b)],
    [
      "analysis length",
      r.analysis_chars === null ? dash : `${int(r.analysis_chars)} chars`,
      b.analysis_chars === null ? dash : `${int(b.analysis_chars)} chars`,
    ],
    [
      "elapsed",
      r.elapsed_seconds === null ? dash : `${r.elapsed_seconds.toFixed(1)} s`,
      b.elapsed_seconds === null ? dash : `${b.elapsed_seconds.toFixed(1)} s`,
    ],
  ];
  if (table.budget) {
    const stop = r.budget_stopped ? " (it ended the run)" : "";
    rows.push([
      "budget",
      table.budget.analyze_budget === null
        ? dash
        : `${money(table.budget.analyze_budget)} (what the baseline left)${stop}`,
      `at most ${money(table.budget.baseline_worst_case)} (run first)`,
    ]);
  }
  const w0 = Math.max(...rows.map((row) => row[0].length));
  const w1 = Math.max(...rows.map((row) => row[1].length));
  const lines = rows.map(([label, left, right]) =>
    `${label.padEnd(w0)}  ${left.padEnd(w1)}  ${right}`.trimEnd()
  );
  lines.push(
    `combined cost ${money(table.total_cost)}` +
      (table.budget ? ` (--max-cost ${money(table.budget.max_cost)})` : ""),
  );
  return lines;
}
