/**
 * What a dry run will send, for people: the files eligible for the sub-models grouped by their
 * top folder (file count and characters), and the largest files.
 *
 * @module
 */
import type { CodebaseSnapshot } from "../loader/mod.ts";
import { formatInt } from "../format.ts";

/** Folders listed before the rest are summed up. */
const TOP_FOLDERS = 8;
/** Largest files listed. */
const LARGEST = 5;

/**
 * Lines naming what will be sent: totals, the biggest top-level folders, the largest files.
 *
 * @example
 * ```ts ignore
 * for (const line of sentLines(snapshot)) console.log(line);
 * // Will be sent: 6 files, 2,140 chars
 * //   by top folder:
 * //     src/         4 files  1,560 chars
 * //     (top level)  2 files    580 chars
 * //   largest files:
 * //     700 chars  src/server.ts
 * ```
 */
export function sentLines(snapshot: CodebaseSnapshot): string[] {
  const sent = snapshot.files.filter((f) => f.status === "included");
  if (sent.length === 0) return ["Will be sent: no files"];
  const total = sent.reduce((sum, f) => sum + f.chars, 0);
  const folders = new Map<string, { files: number; chars: number }>();
  for (const f of sent) {
    const slash = f.path.indexOf("/");
    const folder = slash === -1 ? "(top level)" : `${f.path.slice(0, slash)}/`;
    const entry = folders.get(folder) ?? { files: 0, chars: 0 };
    entry.files++;
    entry.chars += f.chars;
    folders.set(folder, entry);
  }
  const ranked = [...folders].sort((a, b) => b[1].chars - a[1].chars || a[0].localeCompare(b[0]));
  const rows = ranked.slice(0, TOP_FOLDERS).map(([name, e]) => [
    name,
    plural(e.files, "file"),
    `${formatInt(e.chars)} chars`,
  ]);
  const rest = ranked.slice(TOP_FOLDERS);
  if (rest.length > 0) {
    const files = rest.reduce((sum, [, e]) => sum + e.files, 0);
    const chars = rest.reduce((sum, [, e]) => sum + e.chars, 0);
    rows.push([`${rest.length} more folders`, plural(files, "file"), `${formatInt(chars)} chars`]);
  }
  const largest = [...sent].sort((a, b) => b.chars - a.chars || a.path.localeCompare(b.path))
    .slice(0, LARGEST);
  const width = (i: number) => Math.max(...rows.map((r) => r[i].length));
  const charsWidth = Math.max(...largest.map((f) => formatInt(f.chars).length));
  return [
    `Will be sent: ${plural(sent.length, "file")}, ${formatInt(total)} chars`,
    "  by top folder:",
    ...rows.map((r) =>
      `    ${r[0].padEnd(width(0))}  ${r[1].padStart(width(1))}  ${r[2].padStart(width(2))}`
    ),
    "  largest files:",
    ...largest.map((f) => `    ${formatInt(f.chars).padStart(charsWidth)} chars  ${f.path}`),
  ];
}

function plural(n: number, word: string): string {
  return `${formatInt(n)} ${word}${n === 1 ? "" : "s"}`;
}
