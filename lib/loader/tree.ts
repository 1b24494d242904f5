/**
 * The `file_tree` string: the repository's folders and files, indented two spaces a level, as
 * deeprepo draws it.
 *
 * @module
 */

/** Folder levels drawn in full; files deeper than this are summarised per folder. */
export const TREE_DEPTH = 4;

/**
 * Draws `paths` as an indented tree under `rootName/`. Folders end with `/`. A file inside more
 * than `maxDepth` folders is not drawn; instead its folder at depth `maxDepth` gets one line
 * `... (N files in deeper folders)`.
 *
 * @param rootName The first line, without the trailing `/`.
 * @param paths Relative, `/`-separated paths, sorted.
 * @param maxDepth Folder levels drawn. @default {4}
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(
 *   buildFileTree("demo", ["README.md", "src/main.ts"]),
 *   "demo/\n  README.md\n  src/\n    main.ts",
 * );
 * ```
 */
export function buildFileTree(
  rootName: string,
  paths: readonly string[],
  maxDepth: number = TREE_DEPTH,
): string {
  // Sorted paths keep every folder's contents contiguous, so comparing each path with the
  // previous one tells which folders are new: no set of drawn folders is needed.
  const lines = [`${rootName}/`];
  let previous: string[] = [];
  /** Deep files per folder at `maxDepth`: the index of its summary line and the count. */
  const summaries = new Map<string, { line: number; count: number }>();

  for (const path of paths) {
    const parts = path.split("/");
    const depth = parts.length - 1;
    const folders = Math.min(depth, maxDepth);
    let common = 0;
    while (common < folders && common < previous.length && parts[common] === previous[common]) {
      common++;
    }
    for (let i = common; i < folders; i++) lines.push(`${"  ".repeat(i + 1)}${parts[i]}/`);
    previous = parts;
    if (depth <= maxDepth) {
      lines.push(`${"  ".repeat(depth + 1)}${parts[depth]}`);
      continue;
    }
    const key = parts.slice(0, maxDepth).join("/");
    const summary = summaries.get(key);
    if (summary) summary.count++;
    else summaries.set(key, { line: lines.push("") - 1, count: 1 });
  }

  const indent = "  ".repeat(maxDepth + 1);
  for (const { line, count } of summaries.values()) {
    lines[line] = `${indent}... (${count} ${count === 1 ? "file" : "files"} in deeper folders)`;
  }
  return lines.join("\n");
}
