/**
 * What the engine says to the models: the root system prompt, the `execute_code` tool, the first
 * user message, the per-turn status line, and the sub-model system prompt.
 *
 * @module
 */
import type { ToolSpec } from "../providers/mod.ts";
import type { RepoMetadata } from "../loader/mod.ts";
import { formatBudgetUsd, formatInt, formatUsd } from "../format.ts";

/** The one tool the root model gets. */
export const EXECUTE_CODE_TOOL: ToolSpec = {
  name: "execute_code",
  description: "Run JavaScript or TypeScript in the persistent REPL that holds the codebase. " +
    "Globals: codebase (path → content), numbered(path, from?, to?), file_tree, metadata, " +
    "llm_query(prompt), llm_batch(prompts), set_answer(text), answer, print(...). Top-level " +
    "await works and " +
    "top-level declarations persist between calls. Returns what the code printed.",
  inputSchema: {
    type: "object",
    properties: {
      code: {
        type: "string",
        description: "JavaScript or TypeScript to run. No Markdown fences.",
      },
      reasoning: {
        type: "string",
        description: "One or two sentences on what this code is for.",
      },
    },
    required: ["code"],
  },
};

/** The root model's system prompt. */
export const ROOT_SYSTEM_PROMPT =
  `You lead a code review of a whole repository from inside a JavaScript REPL.

You never see file contents in this conversation. They live in the REPL, and you work on them by
calling the execute_code tool with JavaScript or TypeScript. Reading and judging code is done by
sub-model workers you call from that code; your job is to plan, dispatch, check and write up.

## What the REPL holds
- codebase: read-only object mapping each relative path to the file's text.
- numbered(path, from?, to?): the file's lines from..to (1-based, whole file by default), each
  prefixed with its number ("  12| "), for prompts whose answers must cite lines.
- file_tree: the folder tree as an indented string.
- metadata: { repo_name, total_files, total_chars, total_lines, file_types,
  largest_files: [path, chars][], entry_points, languages: { [name]: { files, chars } } }.
  Secrets found in the code were replaced by [REDACTED:<kind>] (line numbers kept): report them
  as hard-coded secrets at their file and line.
- await llm_query(prompt): one sub-model call; resolves to its answer (string).
- await llm_batch(prompts): many calls in parallel; answers come back in the same order. An item
  that failed comes back as a string starting with "[ERROR". Prefer this over loops of llm_query.
- set_answer(text): submits the final report (Markdown) and ends the run. answer: { content, ready }.
- print(...values) / console.log: what you print is what you see. Output over 8,192 characters
  is cut, so print summaries, counts and slices, not whole files.
Top-level await works. Top-level const/let/function declarations persist to later calls, so keep
findings in variables and build on them. The code has no file, network or environment access.

## How to work
1. Orient: inspect metadata and the paths (Object.keys(codebase)), group files by area, peek at
   entry points with short slices. Map how modules depend on each other with code (a regex over
   import/require lines costs nothing); do not spend sub-model calls on what code can compute.
2. Dispatch: for every source file that matters, build one focused prompt — one file (or one
   question) per prompt, with the path and the content included — and send them all at once with
   llm_batch. Ask for bugs, security issues, error handling gaps and quality problems, each
   citing path:line. Build prompts from numbered(path) (or numbered(path, from, to) for a part of
   a very large file) so sub-models can see and cite real line numbers. Use codebase[path] or
   numbered() text as it is (no other reformatting): the host recognises which files the
   sub-models have seen by their content, and the status line reports what is still unseen.
3. Check: look at the answers with code (search for keywords, count findings, retry items that
   start with "[ERROR"), follow up with targeted questions across files (data flow, trust
   boundaries, how a value reaches a dangerous call) when something needs confirming. Sub-models
   see one file at a time and can be wrong: confirm a serious claim with code or a follow-up.
4. Write up: build the report with code from your variables (an array of lines joined with
   "\\n" avoids quoting trouble), keep the latest draft in answer.content as it grows
   (answer.content = draft), and finish with set_answer(report). If the run is cut short by the
   turn limit or the budget, the draft in answer.content is what the user gets.

Example of a dispatch call:
const paths = Object.keys(codebase).filter((p) => /\\.(ts|js|py|go|rs)$/.test(p));
const reviews = await llm_batch(paths.map((p) =>
  "Review this file. List bugs and risks, citing path:line.\\n\\nFile: " + p + "\\n\\n" + numbered(p)));
const findings = Object.fromEntries(paths.map((p, i) => [p, reviews[i]]));
print(paths.length, "files reviewed;", reviews.filter((r) => r.startsWith("[ERROR")).length, "errors");

## The report (Markdown, passed to set_answer)
1. Architecture overview: what the project is, entry points, main modules, how data flows
   between them, notable design patterns and dependencies.
2. Bugs and issues: each with file:line, what goes wrong, how it is triggered, and severity
   (critical / high / medium / low); security problems first.
3. Code quality: consistency, error handling, tests and how much they cover, documentation.
4. Prioritised plan: P0 (fix now: security holes, data loss, crashes), P1 (important), P2 (nice
   to have); each item says what, why, where, and rough effort (S / M / L).
Only report what the sub-model answers or your own code showed; say when something is unverified.
Be specific: a finding without a file and line is a lead, not a finding. Cite code as
path:line or path:start-end (e.g. src/auth.ts:42 or src/auth.ts:40-48), with the path exactly as
in codebase; when you quote code, put the quote in backticks right after the citation
(src/auth.ts:42 — \`token == ADMIN_TOKEN\`). After the run every citation is checked against the
files: a quote must be at the cited lines, and citations that cannot be verified are marked.

## Rules
- Always act through execute_code; do not paste code in plain text.
- Do not call set_answer on your first turn (gather evidence first), unless the status line
  says to finalize.
- Aim to finish in a handful of turns: batch work, do not spend a turn on trivia.
- Each user message after a tool result starts with a status line: turns left, files not yet
  looked at by a sub-model, and spend. When it says to finalize, call set_answer in that turn.`;

/** The sub-model's system prompt. */
export const SUB_SYSTEM_PROMPT = `You are a senior engineer reviewing code for a lead reviewer.
Answer the task you are given and nothing else. Be concise and structured:
- Purpose: one or two sentences.
- Issues: bugs, security problems, logic errors, missing error handling, edge cases. For each,
  cite the file and line (file.ts:42), say what goes wrong and how bad it is. When the code is
  shown with line numbers ("  42| code"), cite those numbers; quote code without them.
- Quality: naming, structure, tests, documentation, only where it matters.
- Suggestions: concrete fixes.
Do not invent code you were not shown. Stay under 700 words.`;

/** Maximum output tokens of one sub-model call. */
export const SUB_MAX_TOKENS = 4096;

/** Maximum output tokens of one root-model call (room for a full report inside set_answer). */
export const ROOT_MAX_TOKENS = 16000;

/** Renders repository metadata as Markdown lines. */
export function formatMetadata(metadata: RepoMetadata): string {
  const types = Object.entries(metadata.file_types)
    .sort((a, b) => b[1] - a[1])
    .map(([ext, n]) => `${ext} ${n}`)
    .join(", ");
  const largest = metadata.largest_files.slice(0, 10)
    .map(([path, chars]) => `  - ${path} (${formatInt(chars)} chars)`)
    .join("\n");
  return [
    `- Repository: ${metadata.repo_name}`,
    `- Files: ${metadata.total_files}, characters: ${formatInt(metadata.total_chars)}` +
    `, lines: ${formatInt(metadata.total_lines)}`,
    `- File types: ${types || "none"}`,
    `- Languages (share of characters): ${formatLanguages(metadata.languages) || "none"}`,
    `- Entry points: ${metadata.entry_points.join(", ") || "none found"}`,
    `- Largest files:\n${largest || "  (none)"}`,
  ].join("\n");
}

/** `TypeScript 62% (120 files), Markdown 20% (14 files), ...`: the twelve largest, then the rest. */
function formatLanguages(languages: RepoMetadata["languages"] | undefined): string {
  const entries = Object.entries(languages ?? {});
  const total = entries.reduce((n, [, l]) => n + l.chars, 0);
  if (total === 0) return "";
  const share = (chars: number) => `${Math.round((chars / total) * 100)}%`;
  const shown = entries.slice(0, 12).map(([name, l]) =>
    `${name} ${share(l.chars)} (${l.files} file${l.files === 1 ? "" : "s"})`
  );
  const rest = entries.slice(12);
  if (rest.length > 0) {
    const chars = rest.reduce((n, [, l]) => n + l.chars, 0);
    shown.push(`${rest.length} more ${share(chars)}`);
  }
  return shown.join(", ");
}

/**
 * Most characters of file tree the first message carries (about 17,000 tokens, re-sent every
 * turn). A larger tree is replaced by a folder summary; the full tree stays in `file_tree`.
 */
export const MAX_TREE_CHARS = 60_000;

/**
 * The tree as the root model first sees it: the whole tree when it fits in
 * {@linkcode MAX_TREE_CHARS}, otherwise folders (two levels deep) with their file counts.
 *
 * @param fileTree The indented tree.
 * @param paths Every file path (to count files per folder).
 * @param limit @default MAX_TREE_CHARS
 */
export function treeForPrompt(
  fileTree: string,
  paths: string[],
  limit: number = MAX_TREE_CHARS,
): string {
  if (fileTree.length <= limit) return fileTree;
  const counts = new Map<string, number>();
  for (const path of paths) {
    const parts = path.split("/");
    const folder = parts.length === 1
      ? "."
      : parts.slice(0, Math.min(2, parts.length - 1)).join("/");
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  const lines = [
    `(The tree has ${formatInt(fileTree.split("\n").length)} lines, too many to show. Folders, ` +
    "two levels deep, with the number of files under each; print slices of file_tree or " +
    "filter Object.keys(codebase) in the REPL for the rest.)",
  ];
  let size = lines[0].length;
  const folders = [...counts.keys()].sort();
  for (const [i, folder] of folders.entries()) {
    const n = counts.get(folder)!;
    const line = `${folder}/ (${formatInt(n)} file${n === 1 ? "" : "s"})`;
    if (size + line.length + 1 > limit) {
      lines.push(`... ${formatInt(folders.length - i)} more folders`);
      break;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
}

/**
 * The first user message: metadata, file tree and the task (never file contents).
 *
 * @param metadata Repository metadata.
 * @param fileTree The indented tree.
 * @param paths Every file path; when given, a tree over {@linkcode MAX_TREE_CHARS} is replaced
 *   by a folder summary.
 */
export function firstUserMessage(
  metadata: RepoMetadata,
  fileTree: string,
  paths?: string[],
  update?: string,
): string {
  const brief = update ? `\n\n${update}` : "";
  return `Analyze this repository and write a development report.

## Repository metadata
${formatMetadata(metadata)}

## File tree
${paths ? treeForPrompt(fileTree, paths) : fileTree}

## Task
The full contents are in the REPL's codebase object. Explore with execute_code, send the files
to sub-models with llm_batch, and submit the report with set_answer.${brief}`;
}

/** Facts for the status line sent before each root turn. */
export interface TurnStatus {
  /** The turn about to run, 1-based. */
  turn: number;
  maxTurns: number;
  /** Files with real content no sub-model prompt has included yet. */
  filesNotLooked: number;
  filesTotal: number;
  spentUsd: number;
  budgetUsd?: number;
  /** Ask the model to finalize now (last two turns, or the budget is nearly spent). */
  finalize: false | "turns" | "budget";
  /**
   * The run's final turn takes a text-only reply as the report (the model cannot be forced to
   * call the tool): the instruction says so. @default false
   */
  textIsReport?: boolean;
}

/** Added to a final turn's instruction when a text-only reply will be taken as the report. */
export const TEXT_IS_REPORT_TEXT = " If you cannot call the tool, reply with the complete " +
  "report as plain Markdown instead: a reply without a tool call is taken as the final report.";

/** The status line (and, when needed, the instruction to finalize) for one turn. */
export function turnStatusText(s: TurnStatus): string {
  const left = s.maxTurns - s.turn;
  const parts = [
    `[Turn ${s.turn}/${s.maxTurns}: ${left} more after this one`,
    `${s.filesNotLooked} of ${s.filesTotal} files not yet looked at by a sub-model`,
    s.budgetUsd === undefined
      ? `spent ${formatUsd(s.spentUsd)}`
      : `spent ${formatUsd(s.spentUsd)} of ${formatBudgetUsd(s.budgetUsd)}`,
  ];
  let text = `${parts.join("; ")}]`;
  if (s.finalize === "turns") {
    text += left === 0
      ? "\nThis is the LAST turn. Call execute_code now and end it with set_answer(report), " +
        "using what you have gathered; an unfinished run loses its report." +
        (s.textIsReport ? TEXT_IS_REPORT_TEXT : "")
      : "\nOnly two turns remain. Use execute_code, wrap up your checks, and call " +
        "set_answer(report) no later than the next turn.";
  } else if (s.finalize === "budget") {
    text += "\nThe cost budget is nearly spent. Call execute_code now with set_answer(report) " +
      "built from what you already have; do not dispatch more sub-model calls." +
      (s.textIsReport ? TEXT_IS_REPORT_TEXT : "");
  }
  return text;
}

/** Sent when a reply had neither a tool call nor runnable code. */
export const NUDGE_TEXT = "No code ran: your reply had no execute_code call and no fenced " +
  "JavaScript block. Continue by calling the execute_code tool; finish with set_answer(report).";

/** Appended to execution output when the budget stopped part of a batch. */
export function budgetNotice(skipped: number, remainingUsd: number): string {
  return `[BUDGET] ${skipped} sub-model prompt(s) were not sent because the cost budget is ` +
    `nearly spent (${
      formatUsd(Math.max(0, remainingUsd))
    } left). Their items start with "[ERROR: budget". ` +
    "Finalize with set_answer(report) now.";
}
