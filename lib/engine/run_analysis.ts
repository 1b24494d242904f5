/**
 * The RLM loop: the root model writes code, the REPL runs it, sub-models read the files, and
 * the run ends when the model calls `set_answer` (or a limit ends it and the engine salvages a
 * partial report). The loop never prints; it reports through callbacks and returns a value.
 *
 * @module
 */
import type { CodebaseSnapshot } from "../loader/mod.ts";
import { DEFAULTS } from "../defaults.ts";
import type { CompletionRequest, CompletionResponse, Message, Part } from "../providers/mod.ts";
import type { ExecResult, Repl } from "../sandbox/mod.ts";
import { CoverageLedger } from "./coverage.ts";
import { extractCode } from "./extract_code.ts";
import {
  budgetNotice,
  EXECUTE_CODE_TOOL,
  firstUserMessage,
  NUDGE_TEXT,
  ROOT_MAX_TOKENS,
  ROOT_SYSTEM_PROMPT,
  turnStatusText,
} from "./prompts.ts";
import { salvageReport } from "./salvage.ts";
import { SpendLedger } from "./spend.ts";
import { createSubDispatcher } from "./sub_queries.ts";
import { truncateOutput } from "./truncate.ts";
import type {
  AnalysisDeps,
  AnalysisInput,
  AnalysisResult,
  CostFn,
  EngineProgress,
  ExecutionRecord,
  StopReason,
  TurnRecord,
} from "./types.ts";

export type {
  AnalysisDeps,
  AnalysisInput,
  AnalysisResult,
  EngineProgress,
  ExecutionRecord,
  TurnRecord,
} from "./types.ts";

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
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const maxTurns = Math.max(1, input.maxTurns ?? DEFAULTS.maxTurns);
  const promptCache = input.promptCache ?? true;
  const { snapshot } = input;
  const runAbort = new AbortController();
  const onOuterAbort = () => runAbort.abort(deps.signal?.reason);
  if (deps.signal?.aborted) runAbort.abort(deps.signal.reason);
  deps.signal?.addEventListener("abort", onOuterAbort);
  const signal = runAbort.signal;

  const spend = new SpendLedger({
    rootCost: deps.rootCost,
    subCost: deps.subCost,
    budgetUsd: input.budgetUsd,
  });
  const coverage = new CoverageLedger(snapshot.codebase, snapshot.files);
  let turn = 0;
  let lastSubMilestone = 0;
  let phase: EngineProgress["phase"] = "root";
  let pendingChars = 0;
  const progress = (milestone: boolean) =>
    deps.onProgress?.({
      phase,
      turn,
      maxTurns,
      subDone: dispatcher.stats.done,
      subRequested: dispatcher.stats.requested,
      cacheHits: dispatcher.stats.cacheHits,
      filesCovered: coverage.covered.size,
      filesEligible: coverage.eligible.length,
      spentUsd: spend.spentUsd,
      budgetUsd: input.budgetUsd,
    }, milestone);
  const dispatcher = createSubDispatcher({
    client: deps.subClient,
    spend,
    coverage,
    concurrency: input.concurrency,
    batch: deps.batch,
    signal,
    turn: () => turn,
    rootReserve: () => spend.projectRoot(pendingChars + 4000, promptCache),
    // A plain-line milestone also every SUB_MILESTONE answers, so a log shows a long batch move.
    onChange: (stats, batchDone) => {
      const step = stats.done > 0 && stats.done % SUB_MILESTONE === 0 &&
        stats.done !== lastSubMilestone;
      if (step) lastSubMilestone = stats.done;
      progress(batchDone || step);
    },
  });

  const turns: TurnRecord[] = [];
  const messages: Message[] = [];
  let answer = { content: "", ready: false };
  let stopReason: StopReason = "max_turns";
  let error: string | undefined;
  let failure: unknown;
  let budgetStopped = false;
  let budgetFinalTaken = false;
  let lastModelText = "";
  let emptyNoticed = false;
  let repl: Repl | undefined;
  /** Records the turn in progress; set once its root reply is in, until it is recorded. */
  let recordTurn: ((interrupted: boolean) => void) | undefined;
  let pending: Part[] = [{
    type: "text",
    text: firstUserMessage(snapshot.metadata, snapshot.fileTree, Object.keys(snapshot.codebase)),
  }];

  const execute = async (code: string): Promise<ExecResult> => {
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new DOMException("interrupted", "AbortError"));
      signal.addEventListener(
        "abort",
        () => reject(new DOMException("interrupted", "AbortError")),
        { once: true },
      );
    });
    aborted.catch(() => {});
    return await Promise.race([repl!.execute(code), aborted]);
  };

  try {
    try {
      repl = await deps.createRepl({
        codebase: snapshot.codebase,
        fileTree: snapshot.fileTree,
        metadata: snapshot.metadata,
        onSubQuery: dispatcher.handle,
        execTimeoutSeconds: input.execTimeoutSeconds,
      });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new ReplStartError(e);
    }

    for (turn = 1; turn <= maxTurns; turn++) {
      if (signal.aborted) throw new DOMException("interrupted", "AbortError");
      const turnStart = now();
      phase = "root";
      pendingChars = partsChars(pending);
      let finalize: TurnRecord["finalize"] = false;
      if (input.budgetUsd !== undefined) {
        if (spend.exhausted || budgetFinalTaken) {
          stopReason = "budget";
          budgetStopped = true;
          break;
        }
        const firstChars = turn === 1 ? FIXED_PROMPT_CHARS : 0;
        const projected = spend.projectRoot(pendingChars + firstChars, promptCache);
        // Finalize while the final turn still fits: when this turn and one more like it would
        // not both fit, this one is the last (so the budget holds when projections are right).
        const reserve = turn < maxTurns ? projected : 0;
        if (spend.spentUsd + projected + reserve > input.budgetUsd) {
          finalize = "budget";
          budgetFinalTaken = true;
          budgetStopped = true;
        }
      }
      if (!finalize && turn >= maxTurns - 1) finalize = "turns";
      const status = turnStatusText({
        turn,
        maxTurns,
        filesNotLooked: coverage.remaining,
        filesTotal: coverage.eligible.length,
        spentUsd: spend.spentUsd,
        budgetUsd: input.budgetUsd,
        finalize,
      });
      messages.push({ role: "user", content: [...pending, { type: "text", text: status }] });
      progress(false);

      const request: CompletionRequest = {
        system: ROOT_SYSTEM_PROMPT,
        messages: [...messages],
        tools: [EXECUTE_CODE_TOOL],
        maxTokens: ROOT_MAX_TOKENS,
        onText: deps.onText,
        signal,
        promptCache,
        ...(finalize ? { toolChoice: "required" as const } : {}),
      };
      const rootStart = now();
      const response: CompletionResponse = await deps.rootClient.complete(request);
      const rootMs = now() - rootStart;
      const cost = spend.addRoot(response.usage);
      if (response.text.trim()) lastModelText = response.text;

      const assistant: Part[] = [];
      if (response.text) assistant.push({ type: "text", text: response.text });
      for (const call of response.toolCalls) {
        assistant.push({ type: "tool_call", id: call.id, name: call.name, input: call.input });
      }
      if (assistant.length === 0) assistant.push({ type: "text", text: "(no reply)" });
      messages.push({ role: "assistant", content: assistant });

      phase = "exec";
      progress(false);
      const executions: ExecutionRecord[] = [];
      let nudged = false;
      recordTurn = (interrupted) => {
        recordTurn = undefined;
        const elapsedMs = now() - turnStart;
        const subMs = executions.reduce((n, e) => n + e.subQueryMs, 0);
        turns.push({
          turn,
          status,
          finalize,
          rootText: response.text,
          toolCalls: response.toolCalls.map((c) => ({ id: c.id, name: c.name })),
          stopReason: response.stopReason,
          usage: response.usage,
          costUsd: cost,
          rootMs,
          executions,
          nudged,
          elapsedMs,
          hostOverheadMs: Math.max(0, elapsedMs - rootMs - subMs),
          ...(interrupted ? { interrupted } : {}),
        });
      };
      const runCode = async (code: string, source: "tool" | "fenced", id?: string) => {
        const execStart = now();
        let res: ExecResult;
        try {
          res = await execute(code);
        } catch (e) {
          // The run stopped while this code ran: keep the code in the trajectory.
          executions.push({
            source,
            toolCallId: id,
            code,
            output: "[the run stopped before this execution finished]",
            outputChars: 0,
            answerReady: false,
            elapsedMs: now() - execStart,
            subQueryMs: 0,
          });
          throw e;
        }
        // An empty report does not end the run (a paid run must not end with nothing).
        const emptySubmit = res.answer.ready && !res.answer.content.trim();
        if (!emptySubmit && res.answer.content) answer = { ...res.answer };
        let shown = renderOutput(res);
        if (emptySubmit && !emptyNoticed) shown += `\n${EMPTY_ANSWER_TEXT}`;
        emptyNoticed = emptySubmit;
        const skipped = dispatcher.takeNotices();
        if (skipped > 0) shown += `\n${budgetNotice(skipped, spend.remainingUsd)}`;
        executions.push({
          source,
          toolCallId: id,
          code,
          output: shown,
          outputChars: res.outputChars,
          error: res.error,
          fatal: res.fatal,
          answerReady: res.answer.ready && !emptySubmit,
          elapsedMs: res.elapsedMs,
          subQueryMs: res.subQueryMs,
        });
        return shown;
      };

      // A reply cut at the output limit: its last tool call (or fenced block) is unfinished.
      const cut = OUTPUT_LIMIT_STOPS.has(response.stopReason ?? "");
      if (response.toolCalls.length > 0) {
        const results: Part[] = [];
        for (const [i, call] of response.toolCalls.entries()) {
          let content: string;
          if (cut && i === response.toolCalls.length - 1) {
            content = CUT_CALL_TEXT;
          } else if (call.name !== EXECUTE_CODE_TOOL.name) {
            content = `Error: unknown tool "${call.name}". The only tool is execute_code.`;
          } else {
            const code = codeOf(call.input);
            content = code === undefined
              ? 'Error: execute_code needs a string "code" argument.'
              : await runCode(code, "tool", call.id);
          }
          results.push({ type: "tool_result", id: call.id, content });
        }
        pending = results;
      } else {
        const blocks = extractCode(response.text);
        if (cut) blocks.pop();
        if (blocks.length > 0) {
          const outputs: string[] = [];
          for (const [i, code] of blocks.entries()) {
            const out = await runCode(code, "fenced");
            outputs.push(blocks.length > 1 ? `--- block ${i + 1} ---\n${out}` : out);
          }
          pending = [{
            type: "text",
            text: "The code in your reply was run (next time, call the execute_code tool).\n" +
              `Output:\n${outputs.join("\n")}`,
          }];
        } else {
          nudged = true;
          pending = [{ type: "text", text: NUDGE_TEXT }];
        }
        if (cut) pending.unshift({ type: "text", text: CUT_CALL_TEXT });
      }

      recordTurn(false);
      phase = "turn_done";
      progress(true);
      if (answer.ready) {
        stopReason = "answer";
        break;
      }
      if (finalize === "budget") {
        stopReason = "budget";
        budgetStopped = true;
        break;
      }
    }
    if (turn > maxTurns) turn = maxTurns;
  } catch (e) {
    // A turn whose reply arrived but whose code did not finish is kept, marked interrupted.
    recordTurn?.(true);
    if (signal.aborted) {
      stopReason = "interrupted";
    } else if (e instanceof ReplStartError) {
      stopReason = "repl_error";
      failure = e.cause;
      error = e.message;
    } else {
      stopReason = "root_error";
      failure = e;
      error = e instanceof Error ? e.message : String(e);
    }
  } finally {
    deps.signal?.removeEventListener("abort", onOuterAbort);
    runAbort.abort();
    await repl?.close().catch(() => {});
  }

  phase = "done";
  progress(false);
  const complete = stopReason === "answer";
  const report = complete ? answer.content : salvageReport({
    reason: stopReason,
    error,
    answerContent: answer.content,
    records: dispatcher.records,
    lastModelText,
    covered: coverage.covered.size,
    eligible: coverage.eligible.length,
  });
  return {
    complete,
    stopReason,
    error,
    failure,
    report,
    turns,
    subRecords: dispatcher.records,
    subStats: dispatcher.stats,
    spend,
    coverage,
    budgetStopped,
    elapsedMs: now() - started,
  };
}

/** Sub-model answers between two plain progress lines during a long batch. */
const SUB_MILESTONE = 25;

/** Stop reasons (Anthropic, OpenAI) meaning the reply was cut at the output-token limit. */
const OUTPUT_LIMIT_STOPS = new Set(["max_tokens", "length"]);

/** Appended to the output of an execution that submitted an empty report. */
const EMPTY_ANSWER_TEXT = "[set_answer received an empty report, so the run continues. " +
  "Check the variable you passed and call set_answer(report) with the report text.]";

/** Shown instead of running code that was cut off at the output limit. */
const CUT_CALL_TEXT = `Not run: your reply reached the output limit (${ROOT_MAX_TOKENS} tokens) ` +
  "and this code was cut off. Send shorter code; build a long report across several calls " +
  "(answer.content += part) and submit it with set_answer(answer.content).";

/**
 * Characters every root request carries besides the conversation: the system prompt, the tool
 * definition and the status line (with room for the finalize instruction).
 */
const FIXED_PROMPT_CHARS = ROOT_SYSTEM_PROMPT.length + JSON.stringify(EXECUTE_CODE_TOOL).length +
  400;

/**
 * The least `--max-cost` that buys a useful run: two root turns as projected before any reply
 * (system prompt, tool, metadata and file tree; output as {@linkcode SpendLedger.projectRoot}
 * assumes). Below it the engine would have to ask the model to finalize on its first turn,
 * before it has looked at anything, because it finalizes while one more turn still fits.
 *
 * @param snapshot The loaded codebase.
 * @param rootCost Cost function of the root model.
 * @param promptCache Whether the request asks for prompt caching. @default true
 * @returns Dollars.
 */
export function minimumBudgetUsd(
  snapshot: CodebaseSnapshot,
  rootCost: CostFn,
  promptCache = true,
): number {
  const ledger = new SpendLedger({ rootCost, subCost: () => 0 });
  const chars = FIXED_PROMPT_CHARS +
    firstUserMessage(snapshot.metadata, snapshot.fileTree, Object.keys(snapshot.codebase)).length;
  return 2 * ledger.projectRoot(chars, promptCache);
}

/** Marks a failure to start the REPL, so it is not reported as a root-model failure. */
class ReplStartError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The text the model sees for one execution. */
function renderOutput(res: ExecResult): string {
  const parts: string[] = [];
  const output = res.output.trimEnd();
  if (output) parts.push(truncateOutput(output, res.outputChars));
  else if (res.value !== undefined && !res.error) {
    // Nothing printed: show the last expression's value, as a console REPL would.
    parts.push(`=> ${truncateOutput(res.value, res.value.length)}`);
  }
  if (res.error) {
    const where = res.error.line ? ` (line ${res.error.line})` : "";
    parts.push(`${res.error.name}: ${res.error.message}${where}`);
  }
  if (res.fatal) {
    // The sandbox's message may already say the variables are gone; say it once.
    const gone = /variables/i.test(res.fatal.message)
      ? ""
      : ". Variables from earlier executions are gone";
    parts.push(
      `[REPL RESTARTED — ${res.fatal.kind}: ${res.fatal.message}${gone}; ` +
        "codebase and the other globals are available again.]",
    );
  }
  if (res.answer.ready && res.answer.content.trim()) {
    parts.push(`[answer submitted: ${res.answer.content.length} characters]`);
  }
  return parts.join("\n") || "[no output]";
}

/** The `code` argument of an execute_code call (tolerating a JSON string or a bare string). */
function codeOf(input: unknown): string | undefined {
  if (typeof input === "string") {
    try {
      return codeOf(JSON.parse(input));
    } catch {
      return input;
    }
  }
  if (
    input && typeof input === "object" && typeof (input as { code?: unknown }).code === "string"
  ) {
    return (input as { code: string }).code;
  }
  return undefined;
}

function partsChars(parts: Part[]): number {
  let n = 0;
  for (const p of parts) {
    if (p.type === "text") n += p.text.length;
    else if (p.type === "tool_result") n += p.content.length;
    else if (p.type === "tool_call") n += JSON.stringify(p.input ?? "").length;
    else n += JSON.stringify(p.data ?? "").length;
  }
  return n;
}
