/**
 * Tab completion at the REPL prompt: the REPL's globals, the dot-commands, and paths of the
 * codebase inside `codebase["...` (or `'...`, `` `... ``).
 *
 * @module
 */

/** The globals the sandbox defines for code typed at the prompt. */
export const REPL_GLOBALS = [
  "codebase",
  "file_tree",
  "metadata",
  "llm_query",
  "llm_batch",
  "set_answer",
  "numbered",
  "answer",
  "print",
];

/** The prompt's own commands, as in node's REPL. */
export const DOT_COMMANDS = [".help", ".exit", ".clear", ".break"];

/**
 * Completions for `line` (the text before the cursor), in readline's `[hits, replaced]` form.
 *
 * @param line The typed text up to the cursor.
 * @param paths The codebase's paths.
 * @returns The candidates and the part of `line` they replace.
 *
 * @example
 * ```ts
 * import { complete } from "./completion.ts";
 * complete('print(codebase["src/a', ["src/auth.ts", "src/app.ts", "README.md"]);
 * // [["src/app.ts", "src/auth.ts"], "src/a"]
 * ```
 */
export function complete(line: string, paths: readonly string[]): [string[], string] {
  const path = line.match(/codebase\s*\[\s*(["'`])([^"'`]*)$/);
  if (path) {
    const typed = path[2];
    return [paths.filter((p) => p.startsWith(typed)).sort(), typed];
  }
  if (/^\s*\.\w*$/.test(line)) {
    const typed = line.trim();
    return [DOT_COMMANDS.filter((c) => c.startsWith(typed)), typed];
  }
  const word = line.match(/[A-Za-z_$][\w$]*$/)?.[0] ?? "";
  // After a `.` it is a property, which only the sandbox knows.
  if (line.slice(0, line.length - word.length).endsWith(".")) return [[], word];
  return [REPL_GLOBALS.filter((g) => g.startsWith(word)), word];
}
