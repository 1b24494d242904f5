/**
 * The baseline prompt: one user message holding the repository metadata, the file tree and as
 * many whole files as fit in a character budget, plus the list of files left out so the model
 * knows what it did not see.
 *
 * @module
 */
import type { CodebaseSnapshot } from "../loader/mod.ts";
import { formatMetadata } from "../engine/prompts.ts";
import { DEFAULTS } from "../defaults.ts";

/**
 * System prompt of the baseline call. It asks for the same four sections as `analyze`, so the
 * two reports can be read side by side.
 */
export const BASELINE_SYSTEM_PROMPT =
  `You are a senior software engineer reviewing an entire codebase in one sitting.
The user message contains the repository metadata, its file tree and the contents of as many files
as fit; files that did not fit are listed by name at the end. Base every claim on the code you were
shown, cite file paths (and line numbers or function names where you can), and say plainly when a
conclusion depends on files you did not see.

Write a Markdown report with exactly these four sections:

## 1. Architecture
Entry points, main modules and how they depend on each other, data flow, notable design patterns.

## 2. Bug and security audit
Concrete bugs, security issues, unsafe error handling and unhandled edge cases, each with its
location and why it matters.

## 3. Code quality
Consistency of patterns, tests and coverage, documentation, naming, duplication.

## 4. Prioritized plan
Numbered items grouped as P0 (critical: fix first), P1 (important) and P2 (nice to have); each says
what to change, why, and a rough size (small / medium / large).`;

/** Options of {@linkcode buildBaselinePrompt}. */
export interface BaselinePromptOptions {
  /**
   * Budget for the user message in characters (JavaScript string length).
   * @default 180000
   */
  maxChars?: number;
}

/** The user message and the ledger of which files it holds. */
export interface BaselinePrompt {
  /** The user message sent to the model. */
  text: string;
  /** Paths whose full content is in the message, in the order they appear. */
  included: string[];
  /** Loaded files that did not fit the budget, listed by name in the message. */
  excluded: string[];
  /** Files the loader could not load (too large, unreadable), named in the message too. */
  unavailable: { path: string; status: "too_large" | "read_error" }[];
  /** `text.length`, the whole message: at most `maxChars` unless the metadata alone is more. */
  chars: number;
  /** Characters of metadata, tree and file blocks (the message without the excluded list). */
  budgetedChars: number;
}

/** Default character budget of the baseline prompt (about 45k tokens of code). */
export const DEFAULT_MAX_CHARS: number = DEFAULTS.maxChars;

/**
 * Builds the baseline user message. Files are considered entry points first (in the order of
 * `metadata.entry_points`), then the rest smallest first (ties by path); each file that still
 * fits is added as `### path` and a fenced block, each that does not is listed as excluded.
 * The whole message (metadata, tree, file blocks and the list of excluded paths) stays within
 * `maxChars`, as long as the metadata alone fits: when files are left out, room for their list
 * is set aside first (what the list needs, at most a tenth of the budget, at least 300
 * characters) and the files are fitted into the rest; paths that do not fit the list are
 * summarised as a count. The tree is cut at a quarter of the budget, so code still fits.
 *
 * @param snapshot The loaded codebase.
 * @param options Budget.
 * @returns The message and which files it holds.
 * @throws {RangeError} When `maxChars` is not a positive integer.
 *
 * @example
 * ```ts ignore
 * const prompt = buildBaselinePrompt(snapshot, { maxChars: 50_000 });
 * console.log(prompt.included.length, prompt.excluded);
 * ```
 */
export function buildBaselinePrompt(
  snapshot: CodebaseSnapshot,
  options: BaselinePromptOptions = {},
): BaselinePrompt {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  if (!Number.isInteger(maxChars) || maxChars <= 0) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  const unavailable = snapshot.files
    .filter((f) => f.status !== "included")
    .map((f) => ({ path: f.path, status: f.status as "too_large" | "read_error" }));
  const order = baselineOrder(snapshot);
  const blocks = new Map(order.map((p) => [p, _fileBlock(p, snapshot.codebase[p])]));
  const head = _header(snapshot, unavailable, Math.floor(maxChars / 4));

  const fill = (budget: number) => {
    let total = head.length;
    const included: string[] = [];
    const excluded: string[] = [];
    for (const path of order) {
      const size = blocks.get(path)!.length;
      // No early exit: a large entry point that does not fit must not stop smaller files.
      if (total + size <= budget) {
        included.push(path);
        total += size;
      } else {
        excluded.push(path);
      }
    }
    return { total, included, excluded };
  };
  let pass = fill(maxChars);
  let list = "";
  if (pass.excluded.length > 0) {
    // Set room aside for the list of what was left out, then fit the files into the rest.
    const wanted = _excludedSection(pass.excluded, Infinity).length + _MORE_LINE_CHARS;
    const cap = Math.max(_MIN_LIST_CHARS, Math.floor(maxChars / 10));
    pass = fill(maxChars - Math.min(Math.max(wanted, _MIN_LIST_CHARS), cap));
    list = _excludedSection(pass.excluded, maxChars - pass.total);
  }
  const text = head + pass.included.map((p) => blocks.get(p)!).join("") + list;
  return {
    text,
    included: pass.included,
    excluded: pass.excluded,
    unavailable,
    chars: text.length,
    budgetedChars: pass.total,
  };
}

/** Least room kept for the list of excluded files: its heading and a count always fit. */
const _MIN_LIST_CHARS = 300;
/** Longest "... and N more" line. */
const _MORE_LINE_CHARS = 48;

/**
 * The order in which the baseline offers files to the budget: loaded entry points first (in
 * metadata order), then every other loaded file smallest first, ties by path.
 *
 * @param snapshot The loaded codebase.
 * @returns Paths of files with status `included`.
 */
export function baselineOrder(snapshot: CodebaseSnapshot): string[] {
  const loaded = new Map(
    snapshot.files.filter((f) => f.status === "included").map((f) => [f.path, f]),
  );
  const entries = [...new Set(snapshot.metadata.entry_points)].filter((p) => loaded.has(p));
  const entrySet = new Set(entries);
  const rest = [...loaded.values()]
    .filter((f) => !entrySet.has(f.path))
    .sort((a, b) => a.chars - b.chars || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => f.path);
  return [...entries, ...rest];
}

function _header(
  snapshot: CodebaseSnapshot,
  unavailable: BaselinePrompt["unavailable"],
  limit: number,
): string {
  let text = `## Repository metadata\n${formatMetadata(snapshot.metadata)}\n\n` +
    `## File tree\n${
      _capLines(snapshot.fileTree.replace(/\n+$/, "").split("\n"), limit, "tree")
    }\n\n`;
  if (unavailable.length > 0) {
    const lines = unavailable.map((u) =>
      `- ${u.path} (${u.status === "too_large" ? "too large" : "read error"})`
    );
    text += `## Files that could not be loaded\n${_capLines(lines, limit / 4, "list")}\n\n`;
  }
  return text + "## File contents\n";
}

/**
 * Joins lines, stopping before `limit` characters; the cut is stated so the model knows.
 * Keeps a huge repository's tree or lists from eating the budget meant for code.
 */
function _capLines(lines: string[], limit: number, what: string): string {
  let text = "";
  let kept = 0;
  for (const line of lines) {
    if (text.length + line.length + 1 > limit) break;
    text += (kept > 0 ? "\n" : "") + line;
    kept++;
  }
  if (kept < lines.length) {
    text += `${kept > 0 ? "\n" : ""}... (${what} cut: ${lines.length - kept} more lines)`;
  }
  return text;
}

function _fileBlock(path: string, content: string): string {
  // A fence longer than any backtick run inside the file keeps the block closed correctly.
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `\n### ${path}\n${fence}\n${content}${content.endsWith("\n") ? "" : "\n"}${fence}\n`;
}

function _excludedSection(paths: string[], limit: number): string {
  if (paths.length === 0) return "";
  const heading = `\n## Files not shown\n` +
    `These ${paths.length} files exist but did not fit the size budget; you have not seen them:\n`;
  let list = "";
  let listed = 0;
  for (const path of paths) {
    const line = `- ${path}\n`;
    const rest = listed + 1 < paths.length ? _MORE_LINE_CHARS : 0;
    if (heading.length + list.length + line.length + rest > limit) break;
    list += line;
    listed++;
  }
  if (listed < paths.length) {
    list += `- ... and ${paths.length - listed} more (see the file tree)\n`;
  }
  return heading + list;
}
