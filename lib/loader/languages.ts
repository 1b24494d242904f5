/**
 * The language of a file, from GitHub Linguist's data (see `scripts/gen_languages.ts`, which
 * writes `languages_table.json` from the `linguist-languages` npm package).
 *
 * @module
 */
import table from "./languages_table.json" with { type: "json" };

const EXTENSIONS: Readonly<Record<string, string>> = table.extensions;
const FILENAMES: Readonly<Record<string, string>> = table.filenames;

/** The language of files Linguist does not know. */
export const OTHER_LANGUAGE = "Other";

/**
 * Linguist's language for a file name: an exact name (`Makefile`, `BUILD`, `Gemfile`), else the
 * longest known extension (`.h.in` before `.in`), else {@linkcode OTHER_LANGUAGE}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(languageOf("main.rs"), "Rust");
 * assert.equal(languageOf("build.gradle.kts"), "Gradle Kotlin DSL");
 * ```
 */
export function languageOf(name: string): string {
  const exact = FILENAMES[name];
  if (exact !== undefined) return exact;
  if (name.startsWith("Dockerfile.")) return FILENAMES["Dockerfile"] ?? OTHER_LANGUAGE;
  const lower = name.toLowerCase();
  for (let dot = lower.indexOf(".", 1); dot !== -1; dot = lower.indexOf(".", dot + 1)) {
    const language = EXTENSIONS[lower.slice(dot)];
    if (language !== undefined) return language;
  }
  return OTHER_LANGUAGE;
}
