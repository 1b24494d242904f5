/**
 * The one model call of `deeprepo context`: the analysis report condensed into what a coding
 * agent needs at session start (architecture, conventions, pitfalls, risky areas), each point
 * cited as `path:line`. The call never sees file contents, only the report and computed facts.
 *
 * @module
 */
import type { CompletionRequest } from "../providers/mod.ts";

/** The judgement sections the model writes, in order. */
export const CONDENSED_SECTIONS = ["Architecture", "Conventions", "Pitfalls", "Risky areas"];

/** Largest share of the report sent (characters); longer reports are cut at a section break. */
export const MAX_REPORT_CHARS = 120_000;

const SYSTEM = [
  "You write the project-context file a coding agent (Claude Code, Codex, Cursor, Copilot) reads",
  "at the start of every session in this repository. Be concrete and terse: facts an engineer",
  "new to the code needs before changing it, not praise or generic advice.",
  `Write exactly these Markdown sections, each a short bullet list: ${
    CONDENSED_SECTIONS.map((s) => `"## ${s}"`).join(", ")
  }.`,
  "Cite the code behind each point as `path:line` or `path:start-end`, taking paths and lines",
  "only from the analysis report you are given; never invent a path or a line.",
  "Do not repeat the build/test commands or the folder list: they are added separately.",
].join(" ");

/**
 * Builds the request.
 *
 * @param report The earlier analysis report (Markdown).
 * @param facts The computed part of the context file (commands, folder map), for reference.
 * @param budgetTokens Tokens the model's sections may take.
 */
export function condenseRequest(
  report: string,
  facts: string,
  budgetTokens: number,
): CompletionRequest {
  const words = Math.max(60, Math.floor(budgetTokens * 0.7));
  const body = report.length > MAX_REPORT_CHARS ? cutAtSection(report) : report;
  return {
    system: SYSTEM,
    maxTokens: Math.max(512, Math.min(8_192, budgetTokens * 2)),
    messages: [{
      role: "user",
      content: `Facts computed from the repository (for reference):\n\n${facts}\n\n` +
        `The analysis report:\n\n<report>\n${body}\n</report>\n\n` +
        `Write the four sections in at most ${words} words in all.`,
    }],
  };
}

function cutAtSection(report: string): string {
  const head = report.slice(0, MAX_REPORT_CHARS);
  const lastHeading = head.lastIndexOf("\n## ");
  return (lastHeading > MAX_REPORT_CHARS / 2 ? head.slice(0, lastHeading) : head) +
    "\n\n[report cut for length]";
}
