/**
 * The two `.gitattributes` attributes the loader honours: `linguist-generated` and
 * `linguist-vendored` (GitHub Linguist's way to mark generated and third-party files). Files
 * marked so are left out, as Linguist leaves them out of a repository's language statistics.
 *
 * Patterns follow gitattributes: one per line, then attributes (`attr`, `attr=true`, `-attr`,
 * `attr=false`, `!attr`); later lines and deeper files win. Matching uses gitignore semantics
 * (the same pattern syntax), with the same cost bound as ignore files.
 *
 * @module
 */
import ignore from "npm:ignore@7.0.16";
import { boundedPatterns } from "./ignore_rules.ts";

type Matcher = ReturnType<typeof ignore>;

/** One pattern line: what it sets (undefined = says nothing about that attribute). */
interface AttributeLine {
  matcher: Matcher;
  generated?: boolean;
  vendored?: boolean;
}

/** The lines of one `.gitattributes`, which apply below `base`. */
interface Level {
  base: string;
  lines: AttributeLine[];
}

/** What the attributes say about a file. */
export interface LinguistMarks {
  generated: boolean;
  vendored: boolean;
}

/** `true`, `false`, or undefined (unset / not mentioned) for one attribute token list. */
function valueOf(tokens: readonly string[], name: string): boolean | undefined {
  let value: boolean | undefined;
  for (const token of tokens) {
    if (token === name || token === `${name}=true`) value = true;
    else if (token === `-${name}` || token === `${name}=false`) value = false;
    else if (token === `!${name}`) value = undefined;
  }
  return value;
}

/**
 * An immutable stack of `.gitattributes` levels, pushed as the walk enters folders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const attributes = AttributeStack.empty().push("", "gen/** linguist-generated\n");
 * assert.deepEqual(attributes.marks("gen/api.ts"), { generated: true, vendored: false });
 * ```
 */
export class AttributeStack {
  private constructor(private readonly levels: readonly Level[]) {}

  /** No attributes. */
  static empty(): AttributeStack {
    return new AttributeStack([]);
  }

  /**
   * A new stack with one `.gitattributes` file's lines on top; lines that set neither attribute
   * are dropped (a file without any adds no level).
   *
   * @param base Folder of the file, relative to the root (`""` = root).
   * @param text The file's content.
   * @param onRefused Told each pattern left out for its matching cost.
   */
  push(base: string, text: string, onRefused?: (pattern: string) => void): AttributeStack {
    const lines: AttributeLine[] = [];
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || !line.includes("linguist-")) continue;
      const [pattern, ...tokens] = line.split(/\s+/);
      const generated = valueOf(tokens, "linguist-generated");
      const vendored = valueOf(tokens, "linguist-vendored");
      if (generated === undefined && vendored === undefined) continue;
      const bounded = boundedPatterns(pattern);
      if (bounded.refused.length > 0) {
        onRefused?.(pattern);
        continue;
      }
      lines.push({ matcher: ignore({ ignorecase: false }).add(pattern), generated, vendored });
    }
    return lines.length === 0 ? this : new AttributeStack([...this.levels, { base, lines }]);
  }

  /** True when no file added a line. */
  get isEmpty(): boolean {
    return this.levels.length === 0;
  }

  /** The linguist marks of a file (path relative to the root). */
  marks(path: string): LinguistMarks {
    let generated: boolean | undefined;
    let vendored: boolean | undefined;
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const { base, lines } = this.levels[i];
      if (base !== "" && !path.startsWith(base + "/")) continue;
      const relative = base === "" ? path : path.slice(base.length + 1);
      for (let j = lines.length - 1; j >= 0; j--) {
        const line = lines[j];
        if (generated !== undefined && vendored !== undefined) break;
        if (
          (line.generated === undefined || generated !== undefined) &&
          (line.vendored === undefined || vendored !== undefined)
        ) continue;
        if (!line.matcher.ignores(relative)) continue;
        if (generated === undefined) generated = line.generated;
        if (vendored === undefined) vendored = line.vendored;
      }
    }
    return { generated: generated ?? false, vendored: vendored ?? false };
  }
}
