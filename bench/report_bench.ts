/**
 * Report benchmarks (issue #14 targets). Run: deno run -A bench/report_bench.ts
 *
 * 1. Citation check: a report with 1,000 citations (lines, ranges, inline quotes, wrong lines,
 *    missing files) over a synthetic 9,000-file snapshot (svelte-sized); target < 100 ms.
 * 2. HTML build: a 200-turn trajectory with that report and a 9,000-file coverage map; target
 *    < 1 s; the page's size is printed (only cited snippets and the tree go in).
 * 3. A 5 MB report renders; its build time is printed.
 * Each figure is the median of several runs within this one process.
 *
 * @module
 */
import { checkCitations } from "../lib/report/citations.ts";
import { renderHtmlReport } from "../lib/report/html/mod.ts";
import type { MapFile, TimelineTurn } from "../lib/report/html/mod.ts";

const FILES = 9_000;
const CITATIONS = 1_000;
const files = new Map<string, string>();
for (let i = 0; i < FILES; i++) {
  const lines = Array.from(
    { length: 40 + (i % 200) },
    (_, n) => `  const v${n} = compute(${i}, ${n});`,
  );
  files.set(`packages/pkg${i % 40}/src/module_${i}.ts`, lines.join("\n") + "\n");
}
const paths = [...files.keys()];
const report = Array.from({ length: CITATIONS }, (_, i) => {
  const path = paths[(i * 37) % FILES];
  const line = 5 + (i % 30);
  switch (i % 5) {
    case 0:
      return `- ${path}:${line} — \`const v${line - 1} = compute(${(i * 37) % FILES}, ${
        line - 1
      });\``;
    case 1:
      return `- ${path}:${line}-${line + 3}`;
    case 2:
      return `- \`${path}:${line + 2}\` — \`const v${line} = compute(${
        (i * 37) % FILES
      }, ${line});\``;
    case 3:
      return `- ${path.replace("packages/", "")}:${line}`;
    default:
      return `- src/missing_${i}.ts:${line}`;
  }
}).join("\n");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const source = { files, skipped: new Map<string, string>() };
checkCitations(report, source); // warm-up
const checkMs = median(Array.from({ length: 7 }, () => {
  const t = performance.now();
  checkCitations(report, source);
  return performance.now() - t;
}));
const check = checkCitations(report, source);
console.log(
  `citation check: ${CITATIONS} citations over ${FILES} files: ${checkMs.toFixed(1)} ms ` +
    `(target < 100 ms; ${(checkMs / 100).toFixed(2)}x of target) — ` +
    `${check.counts.citations_verified} verified, ${check.counts.citations_corrected} corrected, ` +
    `${check.counts.citations_unverified} unverified`,
);

const mapFiles: MapFile[] = paths.map((path, i) => ({
  path,
  chars: files.get(path)!.length,
  status: "included",
  covered: i % 3 !== 0,
}));
const turns: TimelineTurn[] = Array.from({ length: 200 }, (_, i) => ({
  turn: i + 1,
  elapsedMs: 4000,
  costUsd: 0.01,
  modelText: "Looking at the next folder. ".repeat(20),
  executions: [{
    code: `const r = await llm_batch(paths.slice(${i * 45}, ${
      (i + 1) * 45
    }).map((p) => numbered(p)));\n`
      .repeat(10),
    output: "batch done\n".repeat(200),
  }],
  subCalls: 45,
  subCached: 3,
}));
const input = {
  title: "bench",
  markdown: check.text,
  citations: check.citations,
  contents: files,
  files: mapFiles,
  summary: [["Total cost (USD)", "1.23"]] as [string, string][],
  turns,
};
await renderHtmlReport(input);
const htmlTimes: number[] = [];
let size = 0;
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  size = (await renderHtmlReport(input)).length;
  htmlTimes.push(performance.now() - t);
}
const htmlMs = median(htmlTimes);
console.log(
  `HTML build: 200 turns, ${CITATIONS} citations, ${FILES}-file map: ${htmlMs.toFixed(0)} ms ` +
    `(target < 1000 ms; ${(htmlMs / 1000).toFixed(2)}x of target), page ${
      (size / 1e6).toFixed(2)
    } MB ` +
    `(codebase ${([...files.values()].reduce((a, b) => a + b.length, 0) / 1e6).toFixed(1)} MB)`,
);

const big = "## Section\n\nSome prose about the code, with `inline` parts and a list:\n- item\n"
  .repeat(
    70_000,
  );
const t5 = performance.now();
const bigHtml = await renderHtmlReport({ ...input, markdown: big, citations: [], turns: [] });
console.log(
  `5 MB report (${(big.length / 1e6).toFixed(1)} MB Markdown): ${
    (performance.now() - t5).toFixed(0)
  } ms, page ${(bigHtml.length / 1e6).toFixed(1)} MB`,
);
