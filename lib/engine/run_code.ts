/**
 * The "run code" phase of a turn: every `execute_code` call of the reply in order (one tool
 * result each), or the fenced code of a reply without tool calls, or a nudge when there is no
 * code at all. Returns what the next user message carries.
 *
 * @module
 */
import type { Part } from "../providers/mod.ts";
import type { ExecResult } from "../sandbox/mod.ts";
import { extractCode } from "./extract_code.ts";
import { isCutByLimit } from "../providers/mod.ts";
import { budgetNotice, EXECUTE_CODE_TOOL, NUDGE_TEXT } from "./prompts.ts";
import type { RunState } from "./run_state.ts";
import { truncateOutput } from "./truncate.ts";
import type { ExecutionRecord } from "./types.ts";

/** Appended to the output of an execution that submitted an empty report. */
const EMPTY_ANSWER_TEXT = "[set_answer received an empty report, so the run continues. " +
  "Check the variable you passed and call set_answer(report) with the report text.]";

/** Shown instead of running code that was cut off at the output limit of `maxTokens`. */
function cutCallText(maxTokens: number): string {
  return `Not run: your reply reached the output limit (${maxTokens} tokens) ` +
    "and this code was cut off. Send shorter code; build a long report across several calls " +
    "(answer.content += part) and submit it with set_answer(answer.content).";
}

/** What the run-code phase needs from its turn. */
export interface ReplyToRun {
  /** The reply's text (its thinking text when it sent no text; see `replyText`). */
  text: string;
  toolCalls: { id: string; name: string; input: unknown }[];
  stopReason?: string;
  /** Receives each execution as it is recorded (also one cut short by the run stopping). */
  executions: ExecutionRecord[];
  /** A text-only reply becomes the report once its fenced code has run (a final turn). */
  textIsReport: boolean;
  /**
   * The reply's own text parts (never thinking): what may become the report. Thinking is the
   * model's reasoning, not a report, so a thinking-only final reply is salvaged instead.
   */
  answerText: string;
  /** The request's output limit (named when a cut call is not run). */
  maxTokens: number;
}

/** What the phase produced. */
export interface CodeOutcome {
  /** The next user message's parts (before its status line). */
  pending: Part[];
  /** The reply had no runnable code and the model was nudged. */
  nudged: boolean;
  /** The text-only reply was taken as the report. */
  textAsReport: boolean;
}

/**
 * Runs the code of one reply.
 *
 * @param run The run (REPL, answer, notices).
 * @param reply The root model's reply; its executions are appended to `reply.executions`.
 * @returns The next user message's parts and whether the model was nudged.
 */
export async function runReplyCode(run: RunState, reply: ReplyToRun): Promise<CodeOutcome> {
  // A reply cut at the output limit: its last tool call (or fenced block) is unfinished.
  const cut = isCutByLimit(reply.stopReason);
  if (reply.toolCalls.length > 0) {
    return { pending: await runToolCalls(run, reply, cut), nudged: false, textAsReport: false };
  }
  const outcome = await runFencedCode(run, reply, cut);
  // A final turn of a model that cannot be forced to call the tool: its text is the report,
  // unless its code submitted one (a reply cut at the limit is not a whole report).
  const report = reply.answerText.trim();
  const textAsReport = reply.textIsReport && !cut && !run.answer.ready && report !== "";
  if (textAsReport) run.answer = { content: report, ready: true };
  return { ...outcome, nudged: outcome.nudged && !textAsReport, textAsReport };
}

/** Every tool call in order, one tool result each; the cut last call is not run. */
async function runToolCalls(run: RunState, reply: ReplyToRun, cut: boolean): Promise<Part[]> {
  const results: Part[] = [];
  for (const [i, call] of reply.toolCalls.entries()) {
    let content: string;
    if (cut && i === reply.toolCalls.length - 1) {
      content = cutCallText(reply.maxTokens);
    } else if (call.name !== EXECUTE_CODE_TOOL.name) {
      content = `Error: unknown tool "${call.name}". The only tool is execute_code.`;
    } else {
      const code = codeOf(call.input);
      content = code === undefined
        ? 'Error: execute_code needs a string "code" argument.'
        : await runOne(run, reply, code, "tool", call.id);
    }
    results.push({ type: "tool_result", id: call.id, content });
  }
  return results;
}

/** The fenced blocks of a reply without tool calls, or a nudge when it has none. */
async function runFencedCode(
  run: RunState,
  reply: ReplyToRun,
  cut: boolean,
): Promise<Omit<CodeOutcome, "textAsReport">> {
  const blocks = extractCode(reply.text);
  if (cut) blocks.pop();
  let pending: Part[];
  let nudged = false;
  if (blocks.length > 0) {
    const outputs: string[] = [];
    for (const [i, code] of blocks.entries()) {
      const out = await runOne(run, reply, code, "fenced");
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
  if (cut) pending.unshift({ type: "text", text: cutCallText(reply.maxTokens) });
  return { pending, nudged };
}

/** Runs one piece of code, records it, and returns what the model is shown. */
async function runOne(
  run: RunState,
  reply: ReplyToRun,
  code: string,
  source: "tool" | "fenced",
  id?: string,
): Promise<string> {
  const execStart = run.now();
  let res: ExecResult;
  try {
    res = await run.execute(code);
  } catch (e) {
    // The run stopped while this code ran: keep the code in the trajectory.
    reply.executions.push({
      source,
      toolCallId: id,
      code,
      output: "[the run stopped before this execution finished]",
      outputChars: 0,
      answerReady: false,
      elapsedMs: run.now() - execStart,
      subQueryMs: 0,
    });
    throw e;
  }
  // An empty report does not end the run (a paid run must not end with nothing).
  const emptySubmit = res.answer.ready && !res.answer.content.trim();
  if (!emptySubmit && res.answer.content) run.answer = { ...res.answer };
  let shown = renderOutput(res);
  if (emptySubmit && !run.emptyNoticed) shown += `\n${EMPTY_ANSWER_TEXT}`;
  run.emptyNoticed = emptySubmit;
  const skipped = run.dispatcher.takeNotices();
  if (skipped > 0) shown += `\n${budgetNotice(skipped, run.spend.remainingUsd)}`;
  reply.executions.push({
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
