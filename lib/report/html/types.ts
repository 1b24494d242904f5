/**
 * What the HTML report is built from: plain data taken from the written metrics and trajectory,
 * the snapshot's file list, the coverage ledger and the citation check — never the engine's
 * live objects, so the page can be rebuilt from files on disk.
 *
 * @module
 */
import type { Citation } from "../citations.ts";

/** One file of the repository as the coverage map shows it. */
export interface MapFile {
  path: string;
  chars: number;
  /** `included`, `too_large`, `read_error`, or a skip reason (`binary`, `secret`, ...). */
  status: string;
  /** True when a sub-model prompt held this file's content. */
  covered: boolean;
}

/** One turn of the timeline (from the trajectory file). */
export interface TimelineTurn {
  turn: number;
  elapsedMs: number;
  costUsd: number;
  modelText: string;
  executions: { code: string; output: string; error?: string | null }[];
  /** Sub-model calls made during this turn. */
  subCalls: number;
  subCached: number;
}

/** Everything one HTML report holds. */
export interface HtmlReportInput {
  /** Page title, e.g. `deeprepo analyze of express`. */
  title: string;
  /** The checked Markdown report. */
  markdown: string;
  citations: Citation[];
  /** Loaded file contents by path, used only for the cited snippets. */
  contents: ReadonlyMap<string, string>;
  files: MapFile[];
  /** `files_dispatched` as the metrics say. */
  filesDispatched?: number;
  /** Rows of the cost and token summary: label → value. */
  summary: [string, string][];
  turns: TimelineTurn[];
}
