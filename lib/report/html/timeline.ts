/**
 * The timeline of turns: per turn its time, cost and sub-model calls, the model's text, and each
 * execution's code and output (long text cut, with a note; the trajectory file has all of it).
 *
 * @module
 */
import type { TimelineTurn } from "./types.ts";
import { escapeHtml, highlight } from "./snippets.ts";
import { formatUsd } from "../../format.ts";

/** Characters of code, output or model text shown per block. */
export const TIMELINE_BLOCK_CHARS = 6_000;

/**
 * Renders the timeline.
 *
 * @param turns The turns, from the trajectory.
 */
export function renderTimeline(turns: TimelineTurn[]): string {
  if (!turns.length) return `<p class="empty">No turns recorded.</p>`;
  return turns.map((t) => {
    const secs = (t.elapsedMs / 1000).toFixed(1);
    const calls = t.subCalls
      ? ` · ${t.subCalls} sub-call${t.subCalls === 1 ? "" : "s"}` +
        (t.subCached ? ` (${t.subCached} cached)` : "")
      : "";
    const body = [
      t.modelText.trim() ? `<pre class="said">${escapeHtml(cut(t.modelText))}</pre>` : "",
      ...t.executions.map((e, i) =>
        `<h4>Execution ${i + 1}</h4><pre class="code">${highlight(cut(e.code), "x.js")}</pre>` +
        `<pre class="out${e.error ? " err" : ""}">${escapeHtml(cut(e.output || "(no output)"))}` +
        `</pre>`
      ),
    ].join("");
    return `<details class="turn"><summary>Turn ${t.turn} · ${secs} s · ` +
      `${formatUsd(t.costUsd)}${calls}</summary>${body}</details>`;
  }).join("");
}

function cut(text: string): string {
  if (text.length <= TIMELINE_BLOCK_CHARS) return text;
  const left = text.length - TIMELINE_BLOCK_CHARS;
  return `${text.slice(0, TIMELINE_BLOCK_CHARS)}\n… ${left} more characters in the trajectory file`;
}
