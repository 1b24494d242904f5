/**
 * The baseline Markdown report: a short header saying what the model saw, then its answer.
 *
 * @module
 */
import type { BaselinePrompt } from "./prompt.ts";
import { formatInt, formatUsd } from "../format.ts";

/** Input of {@linkcode renderBaselineReport}. */
export interface BaselineReportInput {
  repoName: string;
  rootModel: string;
  filesTotal: number;
  prompt: BaselinePrompt;
  analysis: string;
  complete: boolean;
  /** When the call failed: why (the report then holds whatever streamed). */
  error?: string;
  /** Spend and size of the call, shown under the header when given. */
  run?: { cost: number; inputTokens: number; outputTokens: number; elapsedSeconds: number };
}

/**
 * Renders the report.
 *
 * @param input What was sent and what came back.
 * @returns Markdown ending with a newline.
 */
export function renderBaselineReport(input: BaselineReportInput): string {
  const { prompt } = input;
  const lines = [
    `# Baseline analysis: ${input.repoName}`,
    "",
    `Single call to ${input.rootModel}, no tools. The model saw ${prompt.included.length} of ` +
    `${input.filesTotal} files (${formatInt(prompt.chars)} prompt characters).`,
  ];
  if (input.run) {
    const r = input.run;
    lines.push(
      "",
      `Cost ${formatUsd(r.cost)}: ${formatInt(r.inputTokens)} input and ` +
        `${formatInt(r.outputTokens)} output tokens, ${r.elapsedSeconds.toFixed(1)} s.`,
    );
  }
  if (prompt.excluded.length > 0) {
    lines.push(
      "",
      `<details><summary>${prompt.excluded.length} files left out (over the size budget)</summary>`,
      "",
      ...prompt.excluded.map((p) => `- ${p}`),
      "",
      "</details>",
    );
  }
  if (prompt.unavailable.length > 0) {
    lines.push(
      "",
      `Not loadable: ${
        prompt.unavailable.map((u) => `${u.path} (${u.status.replace("_", " ")})`).join(", ")
      }.`,
    );
  }
  if (input.error) {
    lines.push("", `> **The call failed:** ${input.error}. Below is whatever arrived before it.`);
  } else if (!input.complete) {
    lines.push("", "> **Incomplete:** the answer was cut at the output limit.");
  }
  lines.push("", "---", "", input.analysis.trim() || "_(no answer)_", "");
  return lines.join("\n");
}
