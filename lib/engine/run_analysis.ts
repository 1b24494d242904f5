/**
 * The RLM loop: the root model writes code, the REPL runs it, sub-models read the files, and
 * the run ends when the model calls `set_answer` (or a limit ends it and the engine salvages a
 * partial report). The loop never prints; it reports through callbacks and returns a value.
 *
 * This file is the driver only: each turn is a {@linkcode Turn} whose phases are played in
 * order (build request → call root → run code → record), with the decisions before and after
 * a turn in `decide.ts` and the run's state in `run_state.ts`.
 *
 * @module
 */
import { afterTurn, beforeTurn, failRun, stopRun } from "./decide.ts";
import { RunState } from "./run_state.ts";
import { salvageReport } from "./salvage.ts";
import { Turn } from "./turn.ts";
import type { AnalysisDeps, AnalysisInput, AnalysisResult } from "./types.ts";

export type {
  AnalysisDeps,
  AnalysisInput,
  AnalysisResult,
  EngineProgress,
  ExecutionRecord,
  TurnRecord,
} from "./types.ts";
export { minimumBudgetUsd } from "./decide.ts";

/**
 * Runs one RLM analysis over a loaded snapshot.
 *
 * @param input The snapshot and limits.
 * @param deps Models, REPL factory, cache, callbacks.
 * @returns The result; a root failure or interrupt still returns (with `complete: false`).
 */
export async function runAnalysis(
  input: AnalysisInput,
  deps: AnalysisDeps,
): Promise<AnalysisResult> {
  const run = new RunState(input, deps);
  try {
    await run.startRepl();
    await playTurns(run);
  } catch (e) {
    // A turn whose reply arrived but whose code did not finish is kept, marked interrupted.
    run.recordInterrupted?.();
    failRun(run, e);
  } finally {
    await run.close();
  }
  run.phase = "done";
  run.progress(false);
  return resultOf(run);
}

/** Plays turns until a decision ends the run or the turn limit is reached. */
async function playTurns(run: RunState): Promise<void> {
  for (run.turn = 1; run.turn <= run.maxTurns; run.turn++) {
    run.throwIfAborted();
    const turn = new Turn(run);
    const finalize = beforeTurn(run);
    if (finalize === "stop") return stopRun(run, "budget");
    const request = turn.buildRequest(finalize);
    await turn.callRoot(request);
    await turn.runCode();
    turn.record();
    const stop = afterTurn(run, finalize);
    if (stop) return stopRun(run, stop);
  }
  run.turn = run.maxTurns;
}

/** The run's outcome: the answer, or a salvaged partial report. */
function resultOf(run: RunState): AnalysisResult {
  const { stopReason, error, dispatcher, coverage } = run;
  const complete = stopReason === "answer";
  const cut = run.answer.truncatedChars ?? 0;
  const answer = cut > 0 ? run.answer.content + truncationNote(cut) : run.answer.content;
  const report = complete ? answer : salvageReport({
    reason: stopReason,
    error,
    answerContent: answer,
    records: dispatcher.records,
    lastModelText: run.lastModelText,
    covered: coverage.covered.size,
    eligible: coverage.eligible.length,
  });
  return {
    complete,
    stopReason,
    error,
    failure: run.failure,
    report,
    answerTruncatedChars: cut,
    turns: run.turns,
    subRecords: dispatcher.records,
    subStats: dispatcher.stats,
    spend: run.spend,
    coverage,
    budgetStopped: run.budgetStopped,
    elapsedMs: run.now() - run.started,
  };
}

/** The line a report cut for size ends with. */
function truncationNote(cut: number): string {
  return `\n\n> **deeprepo:** this answer was cut for size: the REPL returns at most 8,000,000 ` +
    `characters of \`answer.content\`, and ${cut} more characters were dropped.\n`;
}
