/**
 * The engine's public types: what a run takes (input, injected dependencies), what it reports
 * while running (progress), and what it returns (turns, sub calls, the result). Renderers in
 * `lib/report/` and the CLI import these, never the loop module.
 *
 * @module
 */
import type { CodebaseSnapshot } from "../loader/mod.ts";
import type { Effort, ModelClient, ModelRules, Usage } from "../providers/mod.ts";
import type { Repl, ReplOptions } from "../sandbox/mod.ts";
import type { CoverageLedger } from "./coverage.ts";
import type { SpendLedger } from "./spend.ts";

/** Dollar cost of one response's usage (the providers' `costOf` bound to a model's pricing). */
export type CostFn = (usage: Usage) => number;

/** Why the run stopped. */
export type StopReason =
  | "answer"
  | "max_turns"
  | "budget"
  | "root_error"
  | "repl_error"
  | "interrupted";

/**
 * Runs prompts through a cache: `send` receives only the misses and must answer them in order,
 * reporting each answer through `onResult` as it arrives so the cache stores it at once (an
 * interrupted batch keeps what it received). The CLI binds this to `cacheBatcher` from
 * `lib/cache/mod.ts`.
 */
export type BatchThroughCache = (
  prompts: string[],
  send: (misses: string[], onResult?: (index: number, result: string) => void) => Promise<string[]>,
) => Promise<{ results: string[]; hits: number; misses: number }>;

/** One sub-model call as the trajectory records it. */
export interface SubCallRecord {
  /** Root turn during which the call was made. */
  turn: number;
  promptChars: number;
  /** The first 300 characters of the prompt. */
  promptHead: string;
  /** Files whose content the prompt carried (see coverage.ts). */
  files: string[];
  /** The answer, or the `[ERROR: ...]` text. */
  result: string;
  cached: boolean;
  error: boolean;
}

/** Counters the metrics and progress line use. */
export interface SubStats {
  /** Prompts handed to the dispatcher (including cache hits and budget skips). */
  requested: number;
  /** Prompts answered or failed so far. */
  done: number;
  /** Calls actually sent to the model. */
  calls: number;
  /** Calls that failed after retries (budget skips are counted in `budgetSkipped` only). */
  errors: number;
  cacheHits: number;
  cacheMisses: number;
  /** Prompts not sent because of the budget. */
  budgetSkipped: number;
  /** Calls cut short because the run ended or was interrupted (not counted in `errors`). */
  cancelled: number;
  /** Answers cut by the output limit even after the retry (returned marked `[TRUNCATED: ...]`). */
  truncated: number;
}

/** What to analyze and the run's limits. */
export interface AnalysisInput {
  snapshot: CodebaseSnapshot;
  /** @default 20 */
  maxTurns?: number;
  /** Sub-model calls in flight. @default 5 */
  concurrency?: number;
  /** `--max-cost` in USD. */
  budgetUsd?: number;
  /** Ask the root provider to cache the conversation prefix. @default true */
  promptCache?: boolean;
  /** One execution's limit. @default 300 */
  execTimeoutSeconds?: number;
  /** `--effort`: sent to the root model when its rules list the level. */
  effort?: Effort;
  /** `--sub-effort`: sent to the sub-model when its rules list the level. */
  subEffort?: Effort;
  /**
   * `--since`: the brief (what changed, the earlier report's outline) appended to the first
   * message, and the earlier report, which the REPL holds as `metadata.previous_report` (see
   * `lib/freshness/update_brief.ts`).
   */
  update?: { brief: string; previousReport: string };
}

/** The live state shown by the progress line. */
export interface EngineProgress {
  /**
   * `root`: waiting on the root model; `thinking`: it is streaming thinking; `exec`: its code
   * runs; `turn_done`: the turn's executions finished; `done`: the run is over.
   */
  phase: "root" | "thinking" | "exec" | "turn_done" | "done";
  turn: number;
  maxTurns: number;
  subDone: number;
  subRequested: number;
  /** Sub-model prompts answered from the cache so far. */
  cacheHits: number;
  filesCovered: number;
  filesEligible: number;
  spentUsd: number;
  budgetUsd?: number;
}

/** Everything the loop talks to, injected (the CLI passes the real pieces; tests pass fakes). */
export interface AnalysisDeps {
  rootClient: ModelClient;
  subClient: ModelClient;
  /**
   * What the root / sub model's API accepts (`ResolvedModel.rules`). Omitted fields get the
   * conservative defaults: no forced tool call, no effort, no thinking room, no stated limit.
   */
  rootRules?: ModelRules;
  subRules?: ModelRules;
  /** Cost of a root / sub response (the providers' `costOf` bound to each model's pricing). */
  rootCost: CostFn;
  subCost: CostFn;
  createRepl(options: ReplOptions): Promise<Repl>;
  /** Sub-model cache wrapper; omitted with `--no-cache`. */
  batch?: BatchThroughCache;
  /** Aborts the run (Ctrl-C). */
  signal?: AbortSignal;
  /** Streamed root-model text. */
  onText?(chunk: string): void;
  /**
   * Progress; `milestone` marks events worth a plain line (turn ends, batch ends, every 25th
   * sub-model answer).
   */
  onProgress?(progress: EngineProgress, milestone: boolean): void;
  /** Millisecond clock. @default performance.now */
  now?(): number;
}

/** One execution within a turn. */
export interface ExecutionRecord {
  source: "tool" | "fenced";
  toolCallId?: string;
  code: string;
  /** What the model was shown. */
  output: string;
  /** Length of the full captured output. */
  outputChars: number;
  error?: { name: string; message: string; line?: number };
  fatal?: { kind: string; message: string };
  answerReady: boolean;
  elapsedMs: number;
  subQueryMs: number;
}

/** Why a turn asked the model to finalize: the last two turns, or the budget. */
export type FinalizeReason = false | "turns" | "budget";

/** One root turn as recorded in the trajectory. */
export interface TurnRecord {
  turn: number;
  /** The status line sent with this turn's request. */
  status: string;
  finalize: FinalizeReason;
  rootText: string;
  toolCalls: { id: string; name: string }[];
  stopReason?: string;
  usage: Usage;
  costUsd: number;
  rootMs: number;
  executions: ExecutionRecord[];
  /** Set when the reply had no runnable code and the model was nudged. */
  nudged: boolean;
  /** The reply's thinking text (opaque parts that carry some), when there was any. */
  thinking?: string;
  /**
   * Set when a final turn's text-only reply was taken as the report (a model that cannot be
   * forced to call the tool).
   */
  textAsReport?: boolean;
  elapsedMs: number;
  /** Time in this turn not spent waiting on model HTTP calls. */
  hostOverheadMs: number;
  /** Set when the run stopped (Ctrl-C, a failure) while this turn's code was running. */
  interrupted?: boolean;
}

/** The outcome of a run; failures are values, never thrown. */
export interface AnalysisResult {
  complete: boolean;
  stopReason: StopReason;
  /** Error message when `stopReason` is `root_error` or `repl_error`. */
  error?: string;
  /** The thrown value behind `error` (keeps its exit code, e.g. a RunError). */
  failure?: unknown;
  /** The report: the model's answer, or a salvaged partial report. */
  report: string;
  /** Characters cut from the end of the answer for size (the REPL returns 8,000,000). */
  answerTruncatedChars: number;
  turns: TurnRecord[];
  subRecords: SubCallRecord[];
  subStats: SubStats;
  spend: SpendLedger;
  coverage: CoverageLedger;
  budgetStopped: boolean;
  elapsedMs: number;
}
