/**
 * Look-ups the citation check makes over a snapshot: loaded and skipped paths, files by
 * basename, line counts, and where a quote occurs (whitespace ignored), each built lazily once
 * per file.
 *
 * @module
 */
/** What the checker needs to know about the snapshot. */
export interface CitationSource {
  /** Loaded files: path → real content. */
  files: ReadonlyMap<string, string>;
  /** Files seen but not loaded: path → reason (`too_large`, `binary`, `secret`, ...). */
  skipped: ReadonlyMap<string, string>;
}

/** Lookups over the snapshot, built lazily per file. */
/**
 * Work the check may do for one report: characters searched (quotes located, candidates by
 * basename) and citations checked. The report is written by model code and may be huge; past
 * either bound the remaining citations are reported as not checked, so the host never spends
 * unbounded time after a paid run.
 */
export const CHECK_BUDGET = { citations: 5_000, searchedChars: 100_000_000 } as const;

export class SnapshotIndex {
  /** Citations checked and characters searched so far. */
  checked = 0;
  searched = 0;

  /** True once the {@linkcode CHECK_BUDGET} is spent. */
  get spent(): boolean {
    return this.checked >= CHECK_BUDGET.citations ||
      this.searched >= CHECK_BUDGET.searchedChars;
  }

  readonly files: ReadonlyMap<string, string>;
  readonly skipped: ReadonlyMap<string, string>;
  #byBase?: Map<string, string[]>;
  #compact = new Map<string, { text: string; lineAt: Uint32Array }>();
  #lines = new Map<string, number>();

  constructor(source: CitationSource) {
    this.files = source.files;
    this.skipped = source.skipped;
  }

  knows(path: string): boolean {
    return this.files.has(path) || this.skipped.has(path);
  }

  basenameKnown(path: string): boolean {
    return (this.#basenames().get(basename(path))?.length ?? 0) > 0;
  }

  /** The one loaded file whose basename (and trailing folders) match `path`, if unique. */
  uniqueByBasename(path: string): string | undefined {
    const candidates = this.#basenames().get(basename(path)) ?? [];
    this.searched += candidates.length * 64;
    const hits = candidates.filter((p) =>
      p.endsWith(`/${path}`) || !path.includes("/") || basename(p) === basename(path)
    );
    const exactTail = hits.filter((p) => p.endsWith(`/${path}`));
    if (exactTail.length === 1) return exactTail[0];
    return hits.length === 1 ? hits[0] : undefined;
  }

  lineCount(path: string): number {
    let n = this.#lines.get(path);
    if (n === undefined) {
      const text = this.files.get(path) ?? "";
      n = text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      this.#lines.set(path, n);
    }
    return n;
  }

  /** Line ranges where `quote` occurs in `path`, whitespace ignored (at most 3 reported). */
  locate(path: string, quote: string): { start: number; end: number }[] {
    const needle = withoutLineNumbers(quote).replace(/\s+/g, "");
    if (needle.length < 3) return [];
    const { text, lineAt } = this.#compactOf(path);
    this.searched += text.length;
    const hits: { start: number; end: number }[] = [];
    for (let i = text.indexOf(needle); i >= 0 && hits.length < 3; i = text.indexOf(needle, i + 1)) {
      hits.push({ start: lineAt[i], end: lineAt[i + needle.length - 1] });
    }
    return hits;
  }

  #compactOf(path: string): { text: string; lineAt: Uint32Array } {
    let c = this.#compact.get(path);
    if (!c) {
      const content = this.files.get(path) ?? "";
      const kept: string[] = [];
      const lineAt = new Uint32Array(content.length + 1);
      let line = 1;
      let size = 0;
      let runStart = 0;
      for (let i = 0; i <= content.length; i++) {
        const code = i < content.length ? content.charCodeAt(i) : 32;
        if (!isSpace(code)) {
          lineAt[size++] = line;
          continue;
        }
        if (i > runStart) kept.push(content.slice(runStart, i));
        runStart = i + 1;
        if (code === 10) line++;
      }
      c = { text: kept.join(""), lineAt };
      this.#compact.set(path, c);
    }
    return c;
  }

  #basenames(): Map<string, string[]> {
    if (!this.#byBase) {
      this.#byBase = new Map();
      for (const p of this.files.keys()) {
        const b = basename(p);
        const list = this.#byBase.get(b);
        if (list) list.push(p);
        else this.#byBase.set(b, [p]);
      }
    }
    return this.#byBase;
  }
}

/**
 * A quote copied from numbered text (`12| code`, as the REPL's `numbered()` prints it) without
 * its numbers; left as is unless every non-blank line carries one.
 */
function withoutLineNumbers(quote: string): string {
  const lines = quote.split("\n");
  const numbered = /^\s*\d+\s*[|:]\s?/;
  if (!lines.every((l) => l.trim() === "" || numbered.test(l))) return quote;
  return lines.map((l) => l.replace(numbered, "")).join("\n");
}

/** Whitespace as `\\s` sees it, by code unit (a per-character regex is ten times slower). */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0xfeff ||
    code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 ||
    code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
