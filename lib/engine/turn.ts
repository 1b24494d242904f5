/**
 * One root turn as an object whose phases are named methods, played in order by the driver in
 * `run_analysis.ts`: build the request (status line, finalize instruction, tool choice, cache
 * breakpoints), call the root model, run the reply's code, and record the turn.
 *
 * @module
 */
import type { CompletionRequest, CompletionResponse, Part } from "../providers/mod.ts";
import { replyText, thinkingText } from "./model_rules.ts";
import { EXECUTE_CODE_TOOL, ROOT_SYSTEM_PROMPT, turnStatusText } from "./prompts.ts";
import { runReplyCode } from "./run_code.ts";
import type { RunState } from "./run_state.ts";
import type { ExecutionRecord, FinalizeReason } from "./types.ts";

/** One turn of the run; create it when the turn starts. */
export class Turn {
  readonly run: RunState;
  /** 1-based turn number. */
  readonly number: number;
  readonly started: number;
  finalize: FinalizeReason = false;
  /** The status line sent with this turn's request. */
  status = "";
  response?: CompletionResponse;
  costUsd = 0;
  rootMs = 0;
  readonly executions: ExecutionRecord[] = [];
  nudged = false;
  /** This turn takes a text-only reply as the report (a final turn, tool call not forceable). */
  textIsReport = false;
  /** The text-only reply was taken as the report. */
  textAsReport = false;

  constructor(run: RunState) {
    this.run = run;
    this.number = run.turn;
    this.started = run.now();
    run.phase = "root";
    run.pendingChars = partsChars(run.pending);
  }

  /**
   * Build request: the pending parts plus the status line become the next user message. On a
   * finalizing turn the request forces a tool call where the model's rules allow it; where they
   * do not, the run's final turn says that a text-only reply will be taken as the report.
   */
  buildRequest(finalize: FinalizeReason): CompletionRequest {
    const run = this.run;
    const forced = finalize !== false && run.rootRules.forcedToolChoice;
    const final = finalize === "budget" || (finalize === "turns" && this.number === run.maxTurns);
    this.finalize = finalize;
    this.textIsReport = final && !forced;
    this.status = turnStatusText({
      turn: this.number,
      maxTurns: run.maxTurns,
      filesNotLooked: run.coverage.remaining,
      filesTotal: run.coverage.eligible.length,
      spentUsd: run.spend.spentUsd,
      budgetUsd: run.input.budgetUsd,
      finalize,
      textIsReport: this.textIsReport,
    });
    run.messages.push({
      role: "user",
      content: [...run.pending, { type: "text", text: this.status }],
    });
    run.progress(false);
    return {
      system: ROOT_SYSTEM_PROMPT,
      messages: [...run.messages],
      tools: [EXECUTE_CODE_TOOL],
      maxTokens: run.rootMaxTokens,
      onText: run.onRootText,
      onThinking: run.onRootThinking,
      signal: run.signal,
      promptCache: run.promptCache,
      ...(forced ? { toolChoice: "required" as const } : {}),
      ...(run.rootEffort ? { effort: run.rootEffort } : {}),
    };
  }

  /**
   * Call the root model: the reply is priced and joins the conversation exactly as received
   * (its `parts`, thinking and unknown blocks included), so every later request sends it back
   * unchanged.
   */
  async callRoot(request: CompletionRequest): Promise<void> {
    const run = this.run;
    const rootStart = run.now();
    const response = await run.deps.rootClient.complete(request);
    this.rootMs = run.now() - rootStart;
    this.response = response;
    this.costUsd = run.spend.addRoot(response.usage);
    const text = replyText(response);
    if (text.trim()) run.lastModelText = text;
    run.messages.push({ role: "assistant", content: assistantParts(response) });
    run.phase = "exec";
    run.progress(false);
    // From here on a stop (Ctrl-C, a failure) keeps this turn, marked interrupted.
    run.recordInterrupted = () => this.record(true);
  }

  /** Run code: tool calls, fenced code, or a nudge; sets what the next request carries. */
  async runCode(): Promise<void> {
    const response = this.response!;
    const outcome = await runReplyCode(this.run, {
      text: replyText(response),
      toolCalls: response.toolCalls,
      stopReason: response.stopReason,
      executions: this.executions,
      textIsReport: this.textIsReport,
      answerText: response.text,
      maxTokens: this.run.rootMaxTokens,
    });
    this.nudged = outcome.nudged;
    this.textAsReport = outcome.textAsReport;
    this.run.pending = outcome.pending;
  }

  /** Record: the turn joins the trajectory (`interrupted` when its code did not finish). */
  record(interrupted = false): void {
    const run = this.run;
    const response = this.response!;
    run.recordInterrupted = undefined;
    const elapsedMs = run.now() - this.started;
    const subMs = this.executions.reduce((n, e) => n + e.subQueryMs, 0);
    const thinking = thinkingText(response);
    run.turns.push({
      turn: this.number,
      status: this.status,
      finalize: this.finalize,
      rootText: response.text,
      toolCalls: response.toolCalls.map((c) => ({ id: c.id, name: c.name })),
      stopReason: response.stopReason,
      usage: response.usage,
      costUsd: this.costUsd,
      rootMs: this.rootMs,
      executions: this.executions,
      nudged: this.nudged,
      elapsedMs,
      hostOverheadMs: Math.max(0, elapsedMs - this.rootMs - subMs),
      ...(thinking ? { thinking } : {}),
      ...(this.textAsReport ? { textAsReport: true } : {}),
      ...(interrupted ? { interrupted } : {}),
    });
    if (!interrupted) {
      run.phase = "turn_done";
      run.progress(true);
    }
  }
}

/**
 * The assistant message of a reply: its `parts` verbatim when the plugin gives them; else (a
 * plugin without parts) its text and tool calls, never empty.
 */
function assistantParts(response: CompletionResponse): Part[] {
  if (response.parts && response.parts.length > 0) return response.parts;
  const parts: Part[] = [];
  if (response.text) parts.push({ type: "text", text: response.text });
  for (const call of response.toolCalls) {
    parts.push({ type: "tool_call", id: call.id, name: call.name, input: call.input });
  }
  if (parts.length === 0) parts.push({ type: "text", text: "(no reply)" });
  return parts;
}

/** Characters of the parts a request adds (for the budget's projection). */
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
