/**
 * The state one analysis run carries from turn to turn: the conversation, the REPL, the
 * ledgers, the answer seen so far and why the run stopped. The turn phases (`turn.ts`) and the
 * decisions (`decide.ts`) read and update it; `run_analysis.ts` drives them.
 *
 * @module
 */
import { DEFAULTS } from "../defaults.ts";
import type { Effort, Message, Part } from "../providers/mod.ts";
import type { ExecResult, Repl } from "../sandbox/mod.ts";
import { CoverageLedger } from "./coverage.ts";
import {
  effortFor,
  outputLimit,
  type Rules,
  rulesOf,
  THINKING_ROOM,
  thinks,
} from "./model_rules.ts";
import { firstUserMessage, ROOT_MAX_TOKENS } from "./prompts.ts";
import { subRequestSettings } from "./sub_call.ts";
import { SpendLedger } from "./spend.ts";
import { createSubDispatcher, type SubDispatcher } from "./sub_queries.ts";
import type {
  AnalysisDeps,
  AnalysisInput,
  EngineProgress,
  StopReason,
  TurnRecord,
} from "./types.ts";

/** Sub-model answers between two plain progress lines during a long batch. */
const SUB_MILESTONE = 25;

/** Characters kept free in a sub call's budget check for the next root turn's new text. */
const ROOT_RESERVE_EXTRA_CHARS = 4000;

/** Marks a failure to start the REPL, so it is not reported as a root-model failure. */
export class ReplStartError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The error a run stopped by its signal throws. */
export function interrupted(): DOMException {
  return new DOMException("interrupted", "AbortError");
}

/** Mutable state of one run; one instance per {@linkcode runAnalysis} call. */
export class RunState {
  readonly input: AnalysisInput;
  readonly deps: AnalysisDeps;
  readonly now: () => number;
  readonly started: number;
  readonly maxTurns: number;
  readonly promptCache: boolean;
  readonly spend: SpendLedger;
  readonly coverage: CoverageLedger;
  readonly dispatcher: SubDispatcher;
  /** Aborted by the outer signal (Ctrl-C) and when the run ends: cancels sub calls in flight. */
  readonly signal: AbortSignal;
  /** The root model's rules (conservative defaults when the caller gave none). */
  readonly rootRules: Rules;
  /** Output limit of each root request (room for thinking, within the model's maximum). */
  readonly rootMaxTokens: number;
  /** `--effort` when the root model accepts it. */
  readonly rootEffort?: Effort;

  /** The turn being played, 1-based (0 before the first). */
  turn = 0;
  phase: EngineProgress["phase"] = "root";
  /** Characters of the text the next request adds (projected by the budget). */
  pendingChars = 0;
  readonly turns: TurnRecord[] = [];
  /** The conversation as sent to the root model. */
  readonly messages: Message[] = [];
  /** What the next user message carries before its status line. */
  pending: Part[];
  /** The REPL's `answer` as last seen (an empty submit never replaces it). */
  answer: ExecResult["answer"] = { content: "", ready: false };
  stopReason: StopReason = "max_turns";
  error?: string;
  failure?: unknown;
  budgetStopped = false;
  /** The budget already made one turn the last. */
  budgetFinalTaken = false;
  /** The root model's latest non-blank prose (for the salvaged report). */
  lastModelText = "";
  /** The previous execution submitted an empty report (the notice is shown once). */
  emptyNoticed = false;
  repl?: Repl;
  /** Records the turn in progress as interrupted; set while its code runs. */
  recordInterrupted?: () => void;

  #abort = new AbortController();
  #onOuterAbort = () => this.#abort.abort(this.deps.signal?.reason);
  #lastSubMilestone = 0;

  constructor(input: AnalysisInput, deps: AnalysisDeps) {
    this.input = input;
    this.deps = deps;
    this.now = deps.now ?? (() => performance.now());
    this.started = this.now();
    this.maxTurns = Math.max(1, input.maxTurns ?? DEFAULTS.maxTurns);
    this.promptCache = input.promptCache ?? true;
    if (deps.signal?.aborted) this.#abort.abort(deps.signal.reason);
    deps.signal?.addEventListener("abort", this.#onOuterAbort);
    this.signal = this.#abort.signal;
    const { snapshot } = input;
    this.rootRules = rulesOf(deps.rootRules);
    this.rootMaxTokens = outputLimit(ROOT_MAX_TOKENS, this.rootRules, THINKING_ROOM.root);
    this.rootEffort = effortFor(input.effort, this.rootRules);
    const subThinks = thinks(rulesOf(deps.subRules));
    this.spend = new SpendLedger({
      rootCost: deps.rootCost,
      subCost: deps.subCost,
      budgetUsd: input.budgetUsd,
      rootThinks: thinks(this.rootRules),
      subThinks,
    });
    this.coverage = new CoverageLedger(snapshot.codebase, snapshot.files);
    this.dispatcher = createSubDispatcher({
      client: deps.subClient,
      spend: this.spend,
      coverage: this.coverage,
      concurrency: input.concurrency,
      ...subRequestSettings(deps.subRules, input.subEffort),
      batch: deps.batch,
      signal: this.signal,
      turn: () => this.turn,
      rootReserve: () =>
        this.spend.projectRoot(this.pendingChars + ROOT_RESERVE_EXTRA_CHARS, this.promptCache),
      onChange: (stats, batchDone) => this.#subChanged(stats.done, batchDone),
    });
    this.pending = [{
      type: "text",
      text: firstUserMessage(
        snapshot.metadata,
        snapshot.fileTree,
        Object.keys(snapshot.codebase),
        input.update?.brief,
      ),
    }];
  }

  /** Reports the live state; `milestone` marks events worth a plain progress line. */
  progress(milestone: boolean): void {
    const stats = this.dispatcher.stats;
    this.deps.onProgress?.({
      phase: this.phase,
      turn: this.turn,
      maxTurns: this.maxTurns,
      subDone: stats.done,
      subRequested: stats.requested,
      cacheHits: stats.cacheHits,
      filesCovered: this.coverage.covered.size,
      filesEligible: this.coverage.eligible.length,
      spentUsd: this.spend.spentUsd,
      budgetUsd: this.input.budgetUsd,
    }, milestone);
  }

  /** Streamed root text: the progress leaves "thinking" once the answer text starts. */
  readonly onRootText = (chunk: string): void => {
    if (this.phase === "thinking") {
      this.phase = "root";
      this.progress(false);
    }
    this.deps.onText?.(chunk);
  };

  /** Streamed root thinking: the progress shows that the model is thinking. */
  readonly onRootThinking = (_chunk: string): void => {
    if (this.phase !== "root") return;
    this.phase = "thinking";
    this.progress(false);
  };

  /** A plain-line milestone also every SUB_MILESTONE answers, so a log shows a long batch move. */
  #subChanged(done: number, batchDone: boolean): void {
    const step = done > 0 && done % SUB_MILESTONE === 0 && done !== this.#lastSubMilestone;
    if (step) this.#lastSubMilestone = done;
    this.progress(batchDone || step);
  }

  /** Starts the REPL holding the snapshot; a failure becomes a {@linkcode ReplStartError}. */
  async startRepl(): Promise<void> {
    const { snapshot } = this.input;
    try {
      this.repl = await this.deps.createRepl({
        codebase: snapshot.codebase,
        fileTree: snapshot.fileTree,
        metadata: this.input.update
          ? { ...snapshot.metadata, previous_report: this.input.update.previousReport }
          : snapshot.metadata,
        onSubQuery: this.dispatcher.handle,
        execTimeoutSeconds: this.input.execTimeoutSeconds,
      });
    } catch (e) {
      if (this.signal.aborted) throw e;
      throw new ReplStartError(e);
    }
  }

  /** Runs code in the REPL; rejects at once when the run is interrupted. */
  async execute(code: string): Promise<ExecResult> {
    const signal = this.signal;
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(interrupted());
      signal.addEventListener("abort", () => reject(interrupted()), { once: true });
    });
    aborted.catch(() => {});
    return await Promise.race([this.repl!.execute(code), aborted]);
  }

  /** Throws when the run was interrupted. */
  throwIfAborted(): void {
    if (this.signal.aborted) throw interrupted();
  }

  /** Ends the run: cancels sub calls in flight and closes the REPL. */
  async close(): Promise<void> {
    this.deps.signal?.removeEventListener("abort", this.#onOuterAbort);
    this.#abort.abort();
    await this.repl?.close().catch(() => {});
  }
}
