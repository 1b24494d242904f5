/**
 * One root turn as an object whose phases are named methods, played in order by the driver in
 * `run_analysis.ts`: build the request (status line, finalize instruction, tool choice, cache
 * breakpoints), call the root model, run the reply's code, and record the turn.
 *
 * @module
 */
import type { CompletionRequest, CompletionResponse, Part } from "../providers/mod.ts";
import {
  EXECUTE_CODE_TOOL,
  ROOT_MAX_TOKENS,
  ROOT_SYSTEM_PROMPT,
  turnStatusText,
} from "./prompts.ts";
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

  constructor(run: RunState) {
    this.run = run;
    this.number = run.turn;
    this.started = run.now();
    run.phase = "root";
    run.pendingChars = partsChars(run.pending);
  }

  /**
   * Build request: the pending parts plus the status line become the next user message; on a
   * finalizing turn the request forces a tool call.
   */
  buildRequest(finalize: FinalizeReason): CompletionRequest {
    const run = this.run;
    this.finalize = finalize;
    this.status = turnStatusText({
      turn: this.number,
      maxTurns: run.maxTurns,
      filesNotLooked: run.coverage.remaining,
      filesTotal: run.coverage.eligible.length,
      spentUsd: run.spend.spentUsd,
      budgetUsd: run.input.budgetUsd,
      finalize,
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
      maxTokens: ROOT_MAX_TOKENS,
      onText: run.deps.onText,
      signal: run.signal,
      promptCache: run.promptCache,
      ...(finalize ? { toolChoice: "required" as const } : {}),
    };
  }

  /** Call the root model: the reply is priced and joins the conversation. */
  async callRoot(request: CompletionRequest): Promise<void> {
    const run = this.run;
    const rootStart = run.now();
    const response = await run.deps.rootClient.complete(request);
    this.rootMs = run.now() - rootStart;
    this.response = response;
    this.costUsd = run.spend.addRoot(response.usage);
    if (response.text.trim()) run.lastModelText = response.text;
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
      text: response.text,
      toolCalls: response.toolCalls,
      stopReason: response.stopReason,
      executions: this.executions,
    });
    this.nudged = outcome.nudged;
    this.run.pending = outcome.pending;
  }

  /** Record: the turn joins the trajectory (`interrupted` when its code did not finish). */
  record(interrupted = false): void {
    const run = this.run;
    const response = this.response!;
    run.recordInterrupted = undefined;
    const elapsedMs = run.now() - this.started;
    const subMs = this.executions.reduce((n, e) => n + e.subQueryMs, 0);
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
      ...(interrupted ? { interrupted } : {}),
    });
    if (!interrupted) {
      run.phase = "turn_done";
      run.progress(true);
    }
  }
}

/** The assistant message of a reply: its text and tool calls (never empty). */
function assistantParts(response: CompletionResponse): Part[] {
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
