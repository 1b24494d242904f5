/**
 * Gathers a run's pieces into an {@linkcode HtmlReportInput}: the snapshot's files, the coverage
 * ledger's looked-at paths, the metrics and the trajectory as written to disk.
 *
 * @module
 */
import type { CodebaseSnapshot } from "../../loader/mod.ts";
import { type CitationCheck, citationSourceOf } from "../citations.ts";
import type { HtmlReportInput, MapFile, TimelineTurn } from "./types.ts";

/** The parts of a run the page shows. */
export interface RunForHtml {
  title: string;
  check: CitationCheck;
  snapshot: CodebaseSnapshot;
  /** Paths whose content reached a sub-model prompt. */
  covered: ReadonlySet<string>;
  /** The metrics object as written. */
  metrics: Record<string, unknown>;
  /** The trajectory object as written (analyze only). */
  trajectory?: unknown;
}

/** Builds the page input from a finished run. */
export function htmlInputFromRun(run: RunForHtml): HtmlReportInput {
  const source = citationSourceOf(run.snapshot);
  const files: MapFile[] = [
    ...run.snapshot.files.map((f) => ({
      path: f.path,
      chars: f.status === "included" ? f.chars : 0,
      status: f.status,
      covered: run.covered.has(f.path),
    })),
    ...run.snapshot.skipped
      .filter((s) => s.reason !== "skipped_folder")
      .map((s) => ({ path: s.path, chars: 0, status: s.reason, covered: false })),
  ];
  const dispatched = run.metrics.files_dispatched;
  return {
    title: run.title,
    markdown: run.check.text,
    citations: run.check.citations,
    contents: source.files,
    files,
    filesDispatched: typeof dispatched === "number" ? dispatched : undefined,
    summary: summaryRows(run.metrics),
    turns: timelineOf(run.trajectory),
  };
}

const SUMMARY_KEYS: [string, string][] = [
  ["root_model", "Root model"],
  ["sub_model", "Sub-model"],
  ["complete", "Complete"],
  ["turns", "Turns"],
  ["root_calls", "Root calls"],
  ["sub_calls", "Sub-model calls"],
  ["root_input_tokens", "Root input tokens"],
  ["root_output_tokens", "Root output tokens"],
  ["root_cache_read_tokens", "Root cache-read tokens"],
  ["sub_input_tokens", "Sub input tokens"],
  ["sub_output_tokens", "Sub output tokens"],
  ["root_cost", "Root cost (USD)"],
  ["sub_cost", "Sub cost (USD)"],
  ["total_cost", "Total cost (USD)"],
  ["cache_hits", "Cache hits"],
  ["citations_total", "Citations"],
  ["citations_verified", "Citations verified"],
  ["citations_corrected", "Citations corrected"],
  ["citations_unverified", "Citations unverified"],
  ["elapsed_seconds", "Elapsed (s)"],
];

function summaryRows(metrics: Record<string, unknown>): [string, string][] {
  return SUMMARY_KEYS.filter(([k]) => metrics[k] !== undefined && metrics[k] !== null)
    .map(([k, label]) => [label, String(metrics[k])]);
}

interface TrajectoryLike {
  turns?: {
    turn: number;
    elapsed_ms?: number;
    cost?: number;
    model_text?: string;
    executions?: { code?: string; output?: string; error?: string | null }[];
  }[];
  sub_calls?: { turn: number; cached?: boolean }[];
}

function timelineOf(trajectory: unknown): TimelineTurn[] {
  const t = (trajectory ?? {}) as TrajectoryLike;
  const calls = t.sub_calls ?? [];
  return (t.turns ?? []).map((turn) => {
    const mine = calls.filter((c) => c.turn === turn.turn);
    return {
      turn: turn.turn,
      elapsedMs: turn.elapsed_ms ?? 0,
      costUsd: turn.cost ?? 0,
      modelText: turn.model_text ?? "",
      executions: (turn.executions ?? []).map((e) => ({
        code: e.code ?? "",
        output: e.output ?? "",
        error: e.error,
      })),
      subCalls: mine.length,
      subCached: mine.filter((c) => c.cached).length,
    };
  });
}
