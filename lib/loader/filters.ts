/**
 * The user's own selection: `--include GLOB` / `--exclude GLOB` (repeatable). Globs are matched
 * against paths relative to the repository root with picomatch (`*`, `**`, `?`, `[...]`,
 * `{a,b}`); a glob without `/` matches a file or folder name at any depth (`*.test.ts`,
 * `fixtures`). Dot files match like any other.
 *
 * @module
 */
import picomatch from "npm:picomatch@4.0.7";

/** One glob and whether it matched anything yet. */
interface Glob {
  text: string;
  test(path: string): boolean;
  matched: boolean;
}

function compile(text: string): Glob {
  const cleaned = text.replace(/^\.\//, "").replace(/\/+$/, "");
  const test = picomatch(cleaned, { dot: true, basename: !cleaned.includes("/") });
  return { text, test, matched: false };
}

/**
 * Include and exclude globs, with a record of which matched nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const filters = new PathFilters(["src/**"], ["*.test.ts"]);
 * assert.equal(filters.excludes("src/a.test.ts"), true);
 * assert.equal(filters.includes("docs/x.md"), false);
 * ```
 */
export class PathFilters {
  readonly #include: Glob[];
  readonly #exclude: Glob[];

  constructor(include: readonly string[] = [], exclude: readonly string[] = []) {
    this.#include = include.map(compile);
    this.#exclude = exclude.map(compile);
  }

  /** True when `path` (a file or folder) matches an `--exclude` glob. */
  excludes(path: string): boolean {
    let hit = false;
    for (const glob of this.#exclude) {
      if (glob.test(path)) {
        glob.matched = true;
        hit = true;
      }
    }
    return hit;
  }

  /** True when no `--include` was given, or the file matches one. */
  includes(path: string): boolean {
    if (this.#include.length === 0) return true;
    let hit = false;
    for (const glob of this.#include) {
      if (glob.test(path)) {
        glob.matched = true;
        hit = true;
      }
    }
    return hit;
  }

  /** One warning per glob that matched no path, naming it. */
  warnings(): string[] {
    return [
      ...this.#include.filter((g) => !g.matched).map((g) => `--include ${g.text} matched no file`),
      ...this.#exclude.filter((g) => !g.matched).map((g) => `--exclude ${g.text} matched no file`),
    ];
  }
}
