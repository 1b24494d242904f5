/**
 * The run's decisions, each in one place: before a turn (stop for the budget, or ask the model
 * to finalize), after a turn (answer submitted, budget's last turn played), after a failure
 * (interrupted, REPL, root model), and the least budget worth starting with.
 *
 * @module
 */
import type { CodebaseSnapshot } from "../loader/mod.ts";
import { EXECUTE_CODE_TOOL, firstUserMessage, ROOT_SYSTEM_PROMPT } from "./prompts.ts";
import type { ModelRules } from "../providers/mod.ts";
import { rulesOf, thinks } from "./model_rules.ts";
import { ReplStartError, type RunState } from "./run_state.ts";
import { SpendLedger } from "./spend.ts";
import type { CostFn, FinalizeReason, StopReason } from "./types.ts";

/**
 * Characters every root request carries besides the conversation: the system prompt, the tool
 * definition and the status line (with room for the finalize instruction).
 */
const FIXED_PROMPT_CHARS = ROOT_SYSTEM_PROMPT.length + JSON.stringify(EXECUTE_CODE_TOOL).length +
  400;

/**
 * Before a turn: `"stop"` when the budget is spent (or its last turn was played), else whether
 * this turn asks the model to finalize. The budget makes a turn the last while that turn still
 * fits: when this turn and one more like it would not both fit, this one is the last (so the
 * budget holds when projections are right). The last two turns of `--max-turns` finalize too.
 */
export function beforeTurn(run: RunState): FinalizeReason | "stop" {
  const budgetUsd = run.input.budgetUsd;
  if (budgetUsd !== undefined) {
    if (run.spend.exhausted || run.budgetFinalTaken) return "stop";
    const firstChars = run.turn === 1 ? FIXED_PROMPT_CHARS : 0;
    const projected = run.spend.projectRoot(run.pendingChars + firstChars, run.promptCache);
    const reserve = run.turn < run.maxTurns ? projected : 0;
    if (run.spend.spentUsd + projected + reserve > budgetUsd) {
      run.budgetFinalTaken = true;
      run.budgetStopped = true;
      return "budget";
    }
  }
  return run.turn >= run.maxTurns - 1 ? "turns" : false;
}

/** After a turn: why the run ends now, or undefined to play the next turn. */
export function afterTurn(run: RunState, finalize: FinalizeReason): StopReason | undefined {
  if (run.answer.ready) return "answer";
  if (finalize === "budget") return "budget";
  return undefined;
}

/** Ends the run for `reason`. */
export function stopRun(run: RunState, reason: StopReason): void {
  run.stopReason = reason;
  if (reason === "budget") run.budgetStopped = true;
}

/** After a thrown failure: interrupted (the signal), a REPL that did not start, or the root. */
export function failRun(run: RunState, e: unknown): void {
  if (run.signal.aborted) {
    run.stopReason = "interrupted";
  } else if (e instanceof ReplStartError) {
    run.stopReason = "repl_error";
    run.failure = e.cause;
    run.error = e.message;
  } else {
    run.stopReason = "root_error";
    run.failure = e;
    run.error = e instanceof Error ? e.message : String(e);
  }
}

/**
 * The least `--max-cost` that buys a useful run: two root turns as projected before any reply
 * (system prompt, tool, metadata and file tree; output as {@linkcode SpendLedger.projectRoot}
 * assumes). Below it the engine would have to ask the model to finalize on its first turn,
 * before it has looked at anything, because it finalizes while one more turn still fits.
 *
 * @param snapshot The loaded codebase.
 * @param rootCost Cost function of the root model.
 * @param promptCache Whether the request asks for prompt caching. @default true
 * @param rootRules The root model's rules: a model that thinks is projected with thinking
 *   tokens on top of its output.
 * @param update The `--since` brief, when the run updates an earlier report.
 * @returns Dollars.
 */
export function minimumBudgetUsd(
  snapshot: CodebaseSnapshot,
  rootCost: CostFn,
  promptCache = true,
  rootRules?: ModelRules,
  update?: string,
): number {
  const ledger = new SpendLedger({
    rootCost,
    subCost: () => 0,
    rootThinks: thinks(rulesOf(rootRules)),
  });
  const chars = FIXED_PROMPT_CHARS +
    firstUserMessage(snapshot.metadata, snapshot.fileTree, Object.keys(snapshot.codebase), update)
      .length;
  return 2 * ledger.projectRoot(chars, promptCache);
}
