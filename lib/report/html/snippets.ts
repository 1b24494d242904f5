/**
 * The code panels behind citations: the cited lines with a few lines of context, highlighted
 * with highlight.js at build time (the page runs no highlighter), one `<template>` per range.
 *
 * @module
 */
import hljs from "npm:highlight.js@11.12.0";
import type { Citation } from "../citations.ts";

/** Lines of context shown around the cited lines. */
export const CONTEXT_LINES = 3;
/** Lines shown for a citation of a whole file. */
export const WHOLE_FILE_LINES = 20;

/** One rendered snippet. */
export interface Snippet {
  id: string;
  path: string;
  /** Cited lines (1-based); undefined for a whole-file citation. */
  start?: number;
  end?: number;
  html: string;
}

/**
 * Builds one snippet per distinct cited range of a loaded file.
 *
 * @param citations The checked citations.
 * @param contents Loaded file contents by path.
 * @returns The snippets, and for each citation index the snippet id (or undefined).
 */
export function buildSnippets(
  citations: Citation[],
  contents: ReadonlyMap<string, string>,
): { snippets: Snippet[]; idOf: (string | undefined)[] } {
  const snippets: Snippet[] = [];
  const byKey = new Map<string, string>();
  const idOf = citations.map((c) => {
    const content = contents.get(c.path);
    if (content === undefined || c.status === "unverified" || c.status === "not_loaded") {
      return undefined;
    }
    const key = `${c.path}:${c.start ?? ""}-${c.end ?? ""}`;
    let id = byKey.get(key);
    if (!id) {
      id = `snip-${snippets.length + 1}`;
      byKey.set(key, id);
      snippets.push({ id, path: c.path, start: c.start, end: c.end, html: render(c, content) });
    }
    return id;
  });
  return { snippets, idOf };
}

function render(c: Citation, content: string): string {
  const lines = content.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const from = c.start === undefined ? 1 : Math.max(1, c.start - CONTEXT_LINES);
  const to = c.start === undefined
    ? Math.min(lines.length, WHOLE_FILE_LINES)
    : Math.min(lines.length, (c.end ?? c.start) + CONTEXT_LINES);
  const highlighted = balancedLines(highlight(lines.slice(from - 1, to).join("\n"), c.path));
  const rows = highlighted.map((html, i) => {
    const n = from + i;
    const hit = c.start !== undefined && n >= c.start && n <= (c.end ?? c.start);
    return `<tr${hit ? ' class="hit"' : ""} data-line="${n}"><td class="ln">${n}</td>` +
      `<td class="code">${html || " "}</td></tr>`;
  });
  return `<table class="snippet">${rows.join("")}</table>`;
}

/** Highlights `code` by the file's extension; plain escaped text when the language is unknown. */
export function highlight(code: string, path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toLowerCase() : name;
  const language = hljs.getLanguage(ext) ? ext : undefined;
  if (!language) return escapeHtml(code);
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

/**
 * Splits highlighted HTML into lines, closing spans open at a line's end and reopening them on
 * the next line, so every line is well-formed on its own.
 */
export function balancedLines(html: string): string[] {
  const out: string[] = [];
  const open: string[] = [];
  for (const line of html.split("\n")) {
    const prefix = open.join("");
    for (const m of line.matchAll(/<span[^>]*>|<\/span>/g)) {
      if (m[0] === "</span>") open.pop();
      else open.push(m[0]);
    }
    out.push(prefix + line + "</span>".repeat(open.length));
  }
  return out;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
