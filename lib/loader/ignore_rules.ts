/**
 * The repository's own ignore rules: `.git/info/exclude`, the root `.gitignore` and every
 * nested `.gitignore`, with git's precedence (a deeper file overrides a shallower one, and
 * `.gitignore` files override `info/exclude`). When the folder loaded is inside a repository,
 * the ignore files of the folders above it count too, as they do for git.
 *
 * @module
 */
import ignore from "npm:ignore@7.0.16";

type Matcher = ReturnType<typeof ignore>;

/**
 * Most `**` segments a pattern may have past its first segment. `ignore` turns each into a
 * backtracking group, and matching costs about depth^k for k of them: 10 ms for two on a
 * 45-folder-deep path, 1.8 s for five, minutes for ten. Real ignore files use one or two.
 */
export const MAX_INNER_GLOBSTARS = 2;

/**
 * Splits ignore-file text into the lines kept and the patterns refused for their matching cost
 * (more than {@linkcode MAX_INNER_GLOBSTARS} `**` segments after the first segment).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const deep = ["a", "**", "b", "**", "c", "**", "d"].join("/");
 * assert.deepEqual(boundedPatterns(`*.log\n${deep}`).refused, [deep]);
 * ```
 */
export function boundedPatterns(text: string): { text: string; refused: string[] } {
  const refused: string[] = [];
  const kept = text.split(/\r?\n/).map((line) => {
    const pattern = line.trim();
    if (pattern === "" || pattern.startsWith("#")) return line;
    const inner = pattern.replace(/^!/, "").split("/").slice(1).filter((s) => s === "**");
    if (inner.length <= MAX_INNER_GLOBSTARS) return line;
    refused.push(pattern);
    return "";
  });
  return { text: kept.join("\n"), refused };
}

/** The rules of one ignore file, which apply to paths below `base`. */
interface Level {
  /** Folder the rules belong to, relative to the walk's root (`""` for the root). */
  base: string;
  /**
   * For a file in a folder above the walk's root: the root's path relative to that folder
   * (`packages/api`), put in front of every path tested.
   */
  above?: string;
  matcher: Matcher;
}

/** What `ignore` says about one path. */
type TestResult = ReturnType<Matcher["test"]>;

/**
 * `matcher.test(path)` without the checks of each parent folder, which `ignore` makes (and
 * caches) for every path: a third of the walk's time on a large repository, and redundant here,
 * since the walk never enters an ignored folder. Uses the rule list of `ignore@7.0.16` (pinned);
 * should a later version lack it, the full test runs.
 */
function testPathOnly(matcher: Matcher, path: string): TestResult {
  const rules = (matcher as unknown as {
    _rules?: { test?(path: string, mode: string): TestResult };
  })._rules;
  return typeof rules?.test === "function" ? rules.test(path, "regex") : matcher.test(path);
}

/**
 * An immutable stack of ignore levels. Walking into a folder with a `.gitignore` pushes a level
 * (returning a new stack), so sibling folders never see each other's rules.
 *
 * @example
 * ```ts
 * const rules = IgnoreStack.empty().push("", "*.log\n!keep.log").push("sub", "/local.ts");
 * import assert from "node:assert/strict";
 * assert.equal(rules.isIgnored("a.log", false), true);
 * assert.equal(rules.isIgnored("keep.log", false), false);
 * assert.equal(rules.isIgnored("sub/local.ts", false), true);
 * ```
 */
export class IgnoreStack {
  private constructor(private readonly levels: readonly Level[]) {}

  /** A stack with no rules: nothing is ignored. */
  static empty(): IgnoreStack {
    return new IgnoreStack([]);
  }

  /** True when no rules were added. */
  get isEmpty(): boolean {
    return this.levels.length === 0;
  }

  /**
   * A new stack with the rules of one ignore file added on top.
   *
   * @param base Folder the file is in, relative to the root, without a trailing `/` (`""` = root).
   * @param text The file's content, in gitignore syntax.
   * @param onRefused Told each pattern left out for its matching cost (see
   *   {@linkcode boundedPatterns}).
   */
  push(base: string, text: string, onRefused?: (pattern: string) => void): IgnoreStack {
    const bounded = boundedPatterns(text);
    bounded.refused.forEach((p) => onRefused?.(p));
    // Git matches case-sensitively unless core.ignorecase is set (it is not, on Linux).
    const matcher = ignore({ ignorecase: false }).add(bounded.text);
    return new IgnoreStack([...this.levels, { base, matcher }]);
  }

  /**
   * A new stack with the rules of an ignore file in a folder above the walk's root, such as the
   * repository's top `.gitignore` when only `packages/api` is loaded. Push these before any
   * file inside the root: deeper files win.
   *
   * @param rootFromFolder The walk's root relative to the ignore file's folder, without leading
   *   or trailing `/` (`"packages/api"`).
   * @param text The file's content, in gitignore syntax.
   * @param onRefused Told each pattern left out for its matching cost.
   */
  pushAbove(
    rootFromFolder: string,
    text: string,
    onRefused?: (pattern: string) => void,
  ): IgnoreStack {
    const bounded = boundedPatterns(text);
    bounded.refused.forEach((p) => onRefused?.(p));
    const matcher = ignore({ ignorecase: false }).add(bounded.text);
    return new IgnoreStack([...this.levels, { base: "", above: rootFromFolder, matcher }]);
  }

  /**
   * Whether `path` (relative to the root, `/`-separated) is ignored. The deepest level whose
   * rules say anything about the path decides: an ignore or a negation (`!pattern`).
   *
   * @param path File or folder path relative to the root (`""`: the root itself, which only
   *   the rules of folders above it can ignore).
   * @param isFolder Folders are tested with a trailing `/`, so `build/` patterns match them.
   */
  isIgnored(path: string, isFolder: boolean): boolean {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const { base, above, matcher } = this.levels[i];
      let relative = path;
      if (above !== undefined) {
        relative = path === "" ? above : `${above}/${path}`;
      } else if (path === "") {
        continue;
      } else if (base !== "") {
        if (!path.startsWith(base + "/")) continue;
        relative = path.slice(base.length + 1);
      }
      const tested = isFolder ? relative + "/" : relative;
      // Rules above the root must see the root's parents (a rule may ignore one of them); inside
      // the root the walk never enters an ignored folder, so the path alone is tested.
      const result = above === undefined ? testPathOnly(matcher, tested) : matcher.test(tested);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}
