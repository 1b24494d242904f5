/**
 * Builds the best report available when a run ends without `set_answer`: the model's partial
 * `answer.content` if it set one, otherwise the sub-model findings gathered so far.
 *
 * @module
 */
import type { StopReason, SubCallRecord } from "./types.ts";

export type { StopReason } from "./types.ts";

/** Human wording of a stop reason. */
export function describeStop(reason: StopReason, error?: string): string {
  switch (reason) {
    case "answer":
      return "the model submitted its report";
    case "max_turns":
      return "the turn limit (--max-turns) was reached before the model submitted a report";
    case "budget":
      return "the cost budget (--max-cost) was spent before the model submitted a report";
    case "root_error":
      return `the root model failed${error ? `: ${error}` : ""}`;
    case "repl_error":
      return `the REPL failed${error ? `: ${error}` : ""}`;
    case "interrupted":
      return "the run was interrupted";
  }
}

/** What a reader can do about each kind of stop (appended to the report's first line). */
const RERUN_HINT: Record<StopReason, string> = {
  answer: "",
  max_turns: " Re-run with a higher --max-turns for a complete report.",
  budget: " Re-run with a higher --max-cost for a complete report.",
  root_error: " Re-run when the model API is available again.",
  repl_error: "",
  interrupted: " Re-run to complete it.",
};

/** What the salvage works from. */
export interface SalvageInput {
  reason: StopReason;
  error?: string;
  /** `answer.content` as last seen in the REPL (may be empty). */
  answerContent: string;
  records: SubCallRecord[];
  /** The root model's latest prose, if any. */
  lastModelText?: string;
  /** Files looked at / eligible. */
  covered: number;
  eligible: number;
  /** Most characters of sub-model findings to include. @default 200_000 */
  maxChars?: number;
}

/**
 * Renders a partial report, clearly marked incomplete.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const report = salvageReport({
 *   reason: "max_turns",
 *   answerContent: "",
 *   records: [],
 *   covered: 0,
 *   eligible: 3,
 * });
 * assert.ok(report.startsWith("> **Incomplete analysis**"));
 * ```
 */
export function salvageReport(input: SalvageInput): string {
  const head = `> **Incomplete analysis** — ${describeStop(input.reason, input.error)}. ` +
    `Sub-models looked at ${input.covered} of ${input.eligible} files.${RERUN_HINT[input.reason]}`;
  const answered = input.records.filter((r) => !r.error);
  if (input.answerContent.trim()) {
    // The draft comes first; the raw findings follow, so nothing gathered is lost even when
    // the draft was written before the last batches came back.
    const lines = [
      `${head} The text below is the draft the model had set; the sub-model findings ` +
      "gathered so far follow it.",
      "",
      input.answerContent.trimEnd(),
    ];
    if (answered.length > 0) {
      lines.push("", "---", "", "## Sub-model findings (raw)", "");
      lines.push(...findingBlocks(answered, input.maxChars ?? 200_000));
    }
    return lines.join("\n");
  }
  const lines = [head, "", "# Partial findings", ""];
  if (input.lastModelText?.trim()) {
    lines.push("## Latest notes from the root model", "", input.lastModelText.trim(), "");
  }
  if (answered.length === 0) {
    lines.push("No sub-model findings were gathered before the run stopped.");
    return lines.join("\n");
  }
  lines.push("## Sub-model findings", "");
  lines.push(...findingBlocks(answered, input.maxChars ?? 200_000));
  return lines.join("\n");
}

/** One Markdown block per answered sub call, in order, within `budget` characters. */
function findingBlocks(answered: SubCallRecord[], budget: number): string[] {
  const blocks: string[] = [];
  for (const r of answered) {
    const title = r.files.length ? r.files.slice(0, 3).join(", ") : firstLine(r.promptHead);
    const block = `### ${title}${r.files.length > 3 ? ` (+${r.files.length - 3} more)` : ""}\n\n` +
      `${r.result.trim()}\n`;
    if (block.length > budget) break;
    blocks.push(block);
    budget -= block.length;
  }
  if (blocks.length < answered.length) {
    blocks.push(`_${answered.length - blocks.length} more findings are in the trajectory file._`);
  }
  return blocks;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? "sub-model answer";
  return line.trim().slice(0, 80);
}
