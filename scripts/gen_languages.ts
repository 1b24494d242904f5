/**
 * Writes `lib/loader/languages_table.json` from GitHub Linguist's language data (the npm package
 * `linguist-languages`, pinned below): file extension → language and file name → language.
 *
 * Why a generated file: the package is 833 modules, ~0.4 s to import, more than the whole load
 * of a large repository; the table is 30 KB. `tests/loader/languages_test.ts` checks that the
 * committed table is exactly what this script makes, so it never drifts from the package.
 *
 * An extension several languages claim goes to, in order: the first of Linguist's popular
 * languages (its `popular.yml`, which the npm package does not carry; listed below, C before
 * C++ and Objective-C before MATLAB as Linguist's heuristics usually decide `.h` and `.m`); a
 * language whose first (primary) extension it is; the language with the most extensions (the
 * broader one, e.g. Markdown over GCC Machine Description for `.md`); the first name in
 * code-unit order.
 *
 * Usage: `deno run -A scripts/gen_languages.ts` (after bumping the version).
 *
 * @module
 */
import * as linguist from "npm:linguist-languages@9.5.0";

/** The table the loader reads. */
export interface LanguageTable {
  /** Lower-case extension with its dot → language. */
  extensions: Record<string, string>;
  /** Exact file name → language. */
  filenames: Record<string, string>;
}

interface Language {
  name: string;
  type?: string;
  extensions?: readonly string[];
  filenames?: readonly string[];
}

/** Linguist's popular languages, in the order they win a shared extension. */
const POPULAR = [
  "C",
  "C++",
  "Objective-C",
  "C#",
  "CSS",
  "Clojure",
  "CoffeeScript",
  "Go",
  "HCL",
  "HTML",
  "Haskell",
  "Java",
  "JavaScript",
  "Lua",
  "MATLAB",
  "PHP",
  "Perl",
  "Python",
  "R",
  "Ruby",
  "Rust",
  "Scala",
  "Shell",
  "Swift",
  "TSX",
  "TypeScript",
  "Markdown",
  "JSON",
  "YAML",
  "SQL",
  "Verilog",
  "Text",
];

/** Builds the table from Linguist's languages. */
export function buildLanguageTable(
  languages: readonly Language[] = Object.values(linguist) as Language[],
): LanguageTable {
  const claims = new Map<string, Language[]>();
  const filenames: Record<string, string> = {};
  const sorted = [...languages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const language of sorted) {
    for (const ext of language.extensions ?? []) {
      const key = ext.toLowerCase();
      claims.set(key, [...(claims.get(key) ?? []), language]);
    }
    for (const name of language.filenames ?? []) filenames[name] ??= language.name;
  }
  const extensions: Record<string, string> = {};
  for (const [ext, candidates] of [...claims].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const popular = POPULAR.find((name) => candidates.some((l) => l.name === name));
    if (popular) {
      extensions[ext] = popular;
      continue;
    }
    const primary = candidates.filter((l) => l.extensions?.[0]?.toLowerCase() === ext);
    const pool = primary.length > 0 ? primary : candidates;
    const best = pool.reduce((a, b) =>
      (b.extensions?.length ?? 0) > (a.extensions?.length ?? 0) ? b : a
    );
    extensions[ext] = best.name;
  }
  return { extensions, filenames: Object.fromEntries(Object.entries(filenames).sort()) };
}

/** Where the table is written. */
export const TABLE_PATH = new URL("../lib/loader/languages_table.json", import.meta.url);

if (import.meta.main) {
  const table = buildLanguageTable();
  await Deno.writeTextFile(TABLE_PATH, JSON.stringify(table, null, 2) + "\n");
  console.log(
    `${Object.keys(table.extensions).length} extensions, ` +
      `${Object.keys(table.filenames).length} file names → ${TABLE_PATH.pathname}`,
  );
}
