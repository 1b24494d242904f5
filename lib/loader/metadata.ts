/**
 * The `metadata` object the root model sees: counts, file types, largest files, entry points.
 *
 * @module
 */
import type { FileRecord, RepoMetadata } from "./types.ts";
import { fileTypeOf } from "./rules.ts";
import { languageOf } from "./languages.ts";

/** How many files `largest_files` lists. */
export const LARGEST_FILES = 15;

/**
 * Builds the repository metadata. `total_chars` and `total_lines` count the values in
 * `codebase` exactly as the REPL holds them (placeholders included); `file_types` counts every
 * file in `codebase`, so its counts add up to `total_files`; `largest_files` and `languages`
 * (Linguist's language → files and characters, largest first) count only files whose real
 * content was loaded.
 *
 * @param repoName Repository name shown to the model.
 * @param files Ledger of the files in `codebase`.
 * @param codebase Path → content.
 * @param entryPoints Paths from `findEntryPoints`.
 */
export function buildMetadata(
  repoName: string,
  files: readonly FileRecord[],
  codebase: Readonly<Record<string, string>>,
  entryPoints: string[],
): RepoMetadata {
  let totalChars = 0;
  let totalLines = 0;
  const types = new Map<string, number>();
  const languages = new Map<string, { files: number; chars: number }>();
  for (const file of files) {
    totalChars += file.chars;
    totalLines += countLines(codebase[file.path] ?? "");
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    const type = fileTypeOf(name);
    types.set(type, (types.get(type) ?? 0) + 1);
    if (file.status !== "included") continue;
    const language = languageOf(name);
    const counts = languages.get(language) ?? { files: 0, chars: 0 };
    counts.files++;
    counts.chars += file.chars;
    languages.set(language, counts);
  }
  const fileTypes = Object.fromEntries(
    [...types].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  );
  const largest = topLargest(files, LARGEST_FILES).map((f): [string, number] => [f.path, f.chars]);
  return {
    repo_name: repoName,
    total_files: files.length,
    total_chars: totalChars,
    total_lines: totalLines,
    file_types: fileTypes,
    largest_files: largest,
    entry_points: entryPoints,
    languages: Object.fromEntries(
      [...languages].sort((a, b) =>
        b[1].chars - a[1].chars || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
      ),
    ),
  };
}

/** The `count` included files with the most characters, largest first (ties by path). */
function topLargest(files: readonly FileRecord[], count: number): FileRecord[] {
  // One pass keeping a small sorted list: cheaper than sorting every file of a big repository.
  const top: FileRecord[] = [];
  const before = (a: FileRecord, b: FileRecord) =>
    a.chars > b.chars || (a.chars === b.chars && a.path < b.path);
  for (const file of files) {
    if (file.status !== "included") continue;
    if (top.length === count && !before(file, top[count - 1])) continue;
    let i = Math.min(top.length, count - 1);
    while (i > 0 && before(file, top[i - 1])) i--;
    top.splice(i, 0, file);
    if (top.length > count) top.pop();
  }
  return top;
}

/** Lines in a text: newline characters, plus one for a last line without a newline. */
export function countLines(text: string): number {
  if (text === "") return 0;
  let lines = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
  return text.endsWith("\n") ? lines : lines + 1;
}
