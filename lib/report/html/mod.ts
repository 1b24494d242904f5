/**
 * The self-contained HTML report (`deeprepo_<name>_<ts>.html`): the checked report with every
 * citation a link to its code, a coverage map, the cost summary and the timeline of turns. One
 * file, inline CSS and script, a Content-Security-Policy that allows only that script, no
 * network request; only the cited snippets and the file tree go in, never the whole codebase.
 *
 * @module
 */
import { renderCoverageMap } from "./coverage_map.ts";
import { renderMarkdown } from "./markdown.ts";
import { PAGE_CSS, PAGE_SCRIPT } from "./page_assets.ts";
import { buildSnippets, escapeHtml } from "./snippets.ts";
import { renderTimeline } from "./timeline.ts";
import type { HtmlReportInput } from "./types.ts";

export type { HtmlReportInput, MapFile, TimelineTurn } from "./types.ts";
export { htmlInputFromRun, type RunForHtml } from "./from_run.ts";

/**
 * Builds the page.
 *
 * @param input The report, citations, files, coverage, summary and turns.
 * @returns The whole HTML document.
 */
export async function renderHtmlReport(input: HtmlReportInput): Promise<string> {
  const { snippets, idOf } = buildSnippets(input.citations, input.contents);
  const links = input.citations.flatMap((c, i) => {
    const id = idOf[i];
    if (!id) return [];
    const suffix = c.start === undefined
      ? ""
      : c.end !== undefined && c.end !== c.start
      ? `:${c.start}-${c.end}`
      : `:${c.start}`;
    const texts = new Set([c.original, `${c.path}${suffix}`]);
    return [...texts].map((text) => ({ text, snippetId: id }));
  });
  const map = renderCoverageMap(input.files);
  const dispatched = input.filesDispatched ?? map.counts.covered;
  const hash = await sha256Base64(PAGE_SCRIPT);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; ` +
    `img-src data:; base-uri 'none'; form-action 'none'`;
  const templates = snippets.map((s) => {
    const lines = s.start === undefined
      ? ""
      : s.end !== undefined && s.end !== s.start
      ? `:${s.start}-${s.end}`
      : `:${s.start}`;
    return `<template id="${s.id}" data-title="${escapeHtml(s.path + lines)}">${s.html}</template>`;
  });
  const summary = input.summary.map(([k, v]) =>
    `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(input.title)}</title><style>${PAGE_CSS}</style></head>
<body><header><h1>${escapeHtml(input.title)}</h1><nav><a href="#report">Report</a>` +
    `<a href="#coverage">Coverage</a><a href="#costs">Costs</a><a href="#timeline">Timeline</a>` +
    `</nav></header>
<main><div id="content">
<section id="report">${renderMarkdown(input.markdown, links)}</section>
<section id="coverage"><h2>Coverage map</h2>
<p class="legend"><span id="files-dispatched" data-count="${dispatched}">` +
    `<b>${dispatched}</b> of <b id="files-eligible">${map.counts.eligible}</b> files looked at by ` +
    `a sub-model</span><span>${map.counts.total} files seen</span></p>${map.html}</section>
<section id="costs"><h2>Costs and tokens</h2><table class="sum">${summary}</table></section>
<section id="timeline"><h2>Timeline</h2>${renderTimeline(input.turns)}</section>
</div><aside id="panel" hidden><button id="panel-close" type="button">close</button>` +
    `<h3 id="panel-title"></h3><div id="panel-body"></div></aside></main>
${templates.join("\n")}
<script>${PAGE_SCRIPT}</script></body></html>
`;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}
