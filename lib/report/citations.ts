/**
 * Citation check: finds every pointer into the code in a finished report (`path`, `path:line`,
 * `path:start-end`, `path#L10-L20`, Markdown links to them, backticked forms), checks each against
 * the loaded snapshot, corrects what can be corrected without guessing, and marks the rest.
 *
 * Rules, in order, for one citation:
 * 1. The path must name a loaded file. A path that names none but whose basename belongs to
 *    exactly one loaded file is corrected to that file. A file the loader skipped (too large,
 *    unreadable, binary, secret, ...) is marked with the reason, not as wrong.
 * 2. Cited lines must exist in the file.
 * 3. When the report quotes code next to the citation (inline code after it on the same line,
 *    or a fenced block starting on the next non-blank line), the quote must be found at the cited
 *    lines, whitespace ignored. A quote found elsewhere exactly once in the file corrects the line
 *    numbers; found several times elsewhere, or nowhere, leaves the citation unverified.
 * Unverified citations get a visible `⚠ unverified (<why>)` mark; nothing is dropped.
 *
 * @module
 */

import type { CodebaseSnapshot } from "../loader/mod.ts";
import { CHECK_BUDGET, type CitationSource, SnapshotIndex } from "./citation_index.ts";

export { CHECK_BUDGET, type CitationSource } from "./citation_index.ts";

/**
 * What the citation checker knows of a snapshot: loaded files with their real content, and the
 * files left out (or kept only as a placeholder) with the reason.
 */
export function citationSourceOf(snapshot: CodebaseSnapshot): CitationSource {
  const files = new Map<string, string>();
  const skipped = new Map<string, string>();
  for (const f of snapshot.files) {
    if (f.status === "included") files.set(f.path, snapshot.codebase[f.path] ?? "");
    else skipped.set(f.path, f.status);
  }
  for (const s of snapshot.skipped) skipped.set(s.path, s.reason);
  return { files, skipped };
}

/** Outcome of one citation. */
export type CitationStatus = "verified" | "corrected" | "unverified" | "not_loaded";

/** One citation found in the report. */
export interface Citation {
  /** The text as the report wrote it (`src/a.ts:10-12`). */
  original: string;
  /** The path after correction (as cited when not corrected). */
  path: string;
  /** First cited line (1-based), when lines were cited or a quote located them. */
  start?: number;
  /** Last cited line. */
  end?: number;
  status: CitationStatus;
  /** Why a citation is unverified / not loaded, or what was corrected. */
  note?: string;
  /** The quote next to the citation, if any. */
  quote?: string;
}

/** Counts for metrics. */
export interface CitationCounts {
  citations_total: number;
  citations_verified: number;
  citations_corrected: number;
  citations_unverified: number;
}

/** The checked report. */
export interface CitationCheck {
  /** The report with corrections applied and unverified citations marked. */
  text: string;
  citations: Citation[];
  counts: CitationCounts;
}

/** Why a citation past the check's budget is unverified. */
export const NOT_CHECKED = `not checked: the report has more citations than the check covers ` +
  `(${CHECK_BUDGET.citations.toLocaleString("en-US")}, or ${
    (CHECK_BUDGET.searchedChars / 1e6).toLocaleString("en-US")
  } M characters searched)`;

/** The run summary's line about citations. */
export function citationSummary(c: CitationCounts): string {
  if (c.citations_total === 0) return "Citations: none in the report";
  return `Citations: ${c.citations_total} checked — ${c.citations_verified} verified, ` +
    `${c.citations_corrected} corrected, ${c.citations_unverified} unverified (marked ⚠ in the report)`;
}

/** Characters that may appear in a cited path. */
const PATH_CHARS = String.raw`[\w@+~.\-/\[\]]`;
/**
 * A path candidate with optional lines: `a/b.ts`, `a/b.ts:12`, `a/b.ts:12-20`, `a/b.ts#L12-L20`,
 * `Makefile:3`. Group 1 path, 2 start, 3 end. A candidate starts only where a run of path
 * characters starts: starting inside one (after `+`, `~`, `[` or `]`) made each failed attempt
 * rescan the rest of the run, so a long line of `~]/` took time quadratic in its length (an 8 M
 * character answer would have held the host for days before the report was written).
 */
const CANDIDATE = new RegExp(
  String
    .raw`(?<![\w/.:@+~\[\]-])(${PATH_CHARS}*[\w\]])(?:(?::|#L)(\d{1,7})(?:[-–]L?(\d{1,7}))?)?(?![\w/])`,
  "g",
);
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const EXTENSION = /\.[A-Za-z0-9]{1,12}$/;

/**
 * Checks every citation in `report` against `source`.
 *
 * @param report The Markdown report.
 * @param source The loaded snapshot's files and skipped files.
 * @returns The corrected and marked text, each citation, and counts.
 *
 * @example
 * ```ts
 * const files = new Map([["src/a.ts", "const a = 1;\nexport const b = eval(x);\n"]]);
 * const out = checkCitations("See `src/a.ts:2` — `eval(x)`", { files, skipped: new Map() });
 * import assert from "node:assert/strict";
 * assert.equal(out.counts.citations_verified, 1);
 * ```
 */
export function checkCitations(report: string, source: CitationSource): CitationCheck {
  const index = new SnapshotIndex(source);
  const citations: Citation[] = [];
  const lines = report.split("\n");
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    lines[i] = checkLine(line, i, lines, index, citations);
  }
  return { text: lines.join("\n"), citations, counts: countOf(citations) };
}

function countOf(citations: Citation[]): CitationCounts {
  const by = (s: CitationStatus) => citations.filter((c) => c.status === s).length;
  return {
    citations_total: citations.length,
    citations_verified: by("verified"),
    citations_corrected: by("corrected"),
    citations_unverified: by("unverified") + by("not_loaded"),
  };
}

/** Checks and rewrites the citations of one report line (outside fenced blocks). */
function checkLine(
  line: string,
  at: number,
  lines: string[],
  index: SnapshotIndex,
  out: Citation[],
): string {
  const edits: { from: number; to: number; text: string }[] = [];
  const marks: Citation[] = [];
  for (const m of line.matchAll(CANDIDATE)) {
    const [whole, rawPath, startText, endText] = m;
    const from = m.index!;
    if (isUrlPart(line, from) || URL_SCHEME.test(rawPath)) continue;
    const path = rawPath.replace(/^\.\//, "");
    const hasLines = startText !== undefined;
    if (!looksCited(path, hasLines, line, from, whole.length, index)) continue;
    const citation: Citation = index.spent
      ? { original: "", path, status: "unverified", note: NOT_CHECKED }
      : verify(
        path,
        hasLines ? Number(startText) : undefined,
        endText !== undefined ? Number(endText) : undefined,
        quoteAfter(line, from, from + whole.length, lines, at),
        index,
      );
    index.checked++;
    citation.original = whole;
    out.push(citation);
    if (citation.status === "unverified" || citation.status === "not_loaded") marks.push(citation);
    if (citation.status === "corrected") {
      edits.push({
        from,
        to: from + whole.length,
        text: `${citation.path}${lineSuffix(citation)}`,
      });
    }
  }
  let text = line;
  for (const e of edits.reverse()) text = text.slice(0, e.from) + e.text + text.slice(e.to);
  if (!marks.length) return text;
  return `${text} ${marks.map((c) => `⚠ unverified: \`${c.original}\` (${c.note})`).join("; ")}`;
}

function lineSuffix(c: Citation): string {
  if (c.start === undefined) return "";
  return c.end !== undefined && c.end !== c.start ? `:${c.start}-${c.end}` : `:${c.start}`;
}

/** True inside `http://...` (the candidate continues a URL). */
function isUrlPart(line: string, from: number): boolean {
  const before = line.slice(Math.max(0, from - 200), from);
  return /[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(before);
}

/**
 * Whether a candidate is meant as a file reference: it has line numbers, or a folder part and
 * an extension, or it names a loaded or skipped file, or it is backticked / a link target and
 * looks like a file name. Plain words with a dot ("Node.js", "e.g.") are not citations unless a
 * file of that name exists.
 */
function looksCited(
  path: string,
  hasLines: boolean,
  line: string,
  from: number,
  length: number,
  index: SnapshotIndex,
): boolean {
  if (index.knows(path)) return true;
  if (!/[A-Za-z]/.test(path) || path.includes("..") || path.endsWith(".")) return false;
  const fileLike = EXTENSION.test(path) && !/^\d/.test(path.split("/").pop()!);
  if (hasLines) return fileLike || path.includes("/");
  if (!fileLike || !path.includes("/")) {
    const quoted = line[from - 1] === "`" && line[from + length] === "`";
    const linked = line[from - 1] === "(" && line.slice(0, from).endsWith("](");
    return fileLike && (quoted || linked) && index.basenameKnown(path);
  }
  return true;
}

/**
 * The code quoted right after a citation: inline code following it on the same line (after a
 * closing backtick, a dash or colon), or a fenced block starting on the next non-blank line.
 */
function quoteAfter(
  line: string,
  from: number,
  end: number,
  lines: string[],
  at: number,
): string | undefined {
  const closes = line[from - 1] === "`" && line[end] === "`" ? 1 : 0;
  const rest = line.slice(end + closes);
  // One `\s*` before the optional word (two in a row backtracked quadratically on blanks), and
  // a test that stops at the first other character (a replace over the rest of the line made a
  // line of many citations quadratic).
  const inline = /^\)?\s*(?:(?:[—–:-]|\bshows?\b|\breads?\b)\s*)?`([^`]{3,})`/.exec(rest);
  if (inline) return inline[1];
  if (/[^`)*:.\s]/.test(rest)) return undefined;
  let j = at + 1;
  while (j < lines.length && lines[j].trim() === "") j++;
  if (j >= lines.length || !/^\s*(```|~~~)/.test(lines[j])) return undefined;
  const body: string[] = [];
  for (let k = j + 1; k < lines.length && !/^\s*(```|~~~)/.test(lines[k]); k++) {
    body.push(lines[k]);
  }
  const text = body.join("\n");
  return text.trim() ? text : undefined;
}

/** Checks one citation against the snapshot. */
function verify(
  citedPath: string,
  start: number | undefined,
  end: number | undefined,
  quote: string | undefined,
  index: SnapshotIndex,
): Citation {
  const base = { original: "", quote, start, end: end ?? start };
  let path = citedPath;
  let corrected: string | undefined;
  if (!index.files.has(path)) {
    const skipped = index.skipped.get(path);
    if (skipped) {
      return { ...base, path, status: "not_loaded", note: `file not loaded: ${skipped}` };
    }
    const unique = index.uniqueByBasename(path);
    if (!unique) return { ...base, path, status: "unverified", note: "no such file" };
    corrected = `path corrected from ${path}`;
    path = unique;
  }
  const content = index.files.get(path)!;
  const lineCount = index.lineCount(path);
  const last = base.end ?? start;
  if (start !== undefined && (start < 1 || last! > lineCount || last! < start)) {
    const moved = quote ? index.locate(path, quote) : undefined;
    if (moved?.length === 1) {
      return corrected_(base, path, moved[0], `line corrected from ${start}`);
    }
    return {
      ...base,
      path,
      status: "unverified",
      note: `${path} has ${lineCount} line${lineCount === 1 ? "" : "s"}`,
    };
  }
  if (quote && content) {
    const found = index.locate(path, quote);
    const within = found.filter((f) =>
      start === undefined || (f.start >= start && f.end <= (last ?? start)) ||
      (f.start <= start && f.end >= start)
    );
    if (start !== undefined && within.length === 0) {
      if (found.length === 1) {
        return corrected_(base, path, found[0], `line corrected from ${start}`);
      }
      const why = found.length ? "quoted code is elsewhere in the file" : "quoted code not found";
      return { ...base, path, status: "unverified", note: why };
    }
    if (start === undefined && found.length === 0) {
      return { ...base, path, status: "unverified", note: "quoted code not found" };
    }
  }
  if (corrected) return { ...base, path, status: "corrected", note: corrected };
  return { ...base, path, status: "verified" };
}

function corrected_(
  base: Omit<Citation, "path" | "status">,
  path: string,
  at: { start: number; end: number },
  note: string,
): Citation {
  return { ...base, path, start: at.start, end: at.end, status: "corrected", note };
}
