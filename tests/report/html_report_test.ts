import { assert, assertEquals, assertMatch, assertNotMatch } from "../_helpers/assert.ts";
import { renderHtmlReport } from "../../lib/report/html/mod.ts";
import { balancedLines } from "../../lib/report/html/snippets.ts";
import { sampleHtmlInput } from "./_html_fixture.ts";

Deno.test("renderHtmlReport() links verified citations to snippets with the cited line marked", async () => {
  const { input } = await sampleHtmlInput();
  const html = await renderHtmlReport(input);
  assertMatch(html, /<a class="cite" href="#snip-1">src\/auth\.ts:2<\/a>/);
  const template = /<template id="snip-1" data-title="src\/auth\.ts:2">(.*?)<\/template>/s.exec(
    html,
  );
  assert(template, "snippet template for src/auth.ts:2");
  assertMatch(template[1], /<tr class="hit" data-line="2">/);
  assertMatch(template[1], /ADMIN_TOKEN/);
  assertMatch(html, /⚠ unverified: <code>src\/nothere\.ts:4<\/code>/);
});

Deno.test("renderHtmlReport() shows the model's raw HTML as text and drops script links", async () => {
  const { input } = await sampleHtmlInput();
  const html = await renderHtmlReport(input);
  const body = html.slice(html.indexOf('<section id="report">'), html.indexOf("</section>"));
  assertNotMatch(body, /<img|<script|\sonerror="|href="javascript:|href="data:/i);
  assertMatch(body, /&lt;script&gt;/);
});

Deno.test("renderHtmlReport() allows only its own script, by hash, and loads nothing", async () => {
  const { input } = await sampleHtmlInput();
  const html = await renderHtmlReport(input);
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
  assertMatch(csp, /default-src 'none'/);
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  assertMatch(csp, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, "\\$&")}'`));
  assertNotMatch(html, /\b(src|href)="(https?:)?\/\//);
  assertEquals((html.match(/<script/g) ?? []).length, 1);
});

Deno.test("renderHtmlReport() coverage map counts match the run", async () => {
  const { input, metrics } = await sampleHtmlInput();
  const html = await renderHtmlReport(input);
  assertMatch(html, new RegExp(`data-count="${metrics.files_dispatched}"`));
  assertEquals((html.match(/class="file cov"/g) ?? []).length, 2);
  const eligible = input.files.filter((f) => f.status === "included" && f.chars > 0).length;
  assertMatch(html, new RegExp(`<b id="files-eligible">${eligible}</b>`));
});

Deno.test("renderHtmlReport() with no citations still renders an empty-citation page", async () => {
  const { input } = await sampleHtmlInput("# Nothing cited\n");
  const html = await renderHtmlReport(input);
  assertNotMatch(html, /<template/);
  assertMatch(html, /<h1>Nothing cited<\/h1>/);
});

Deno.test("renderHtmlReport() never embeds files that were not cited", async () => {
  const { input } = await sampleHtmlInput("See `src/auth.ts:2`.");
  const html = await renderHtmlReport(input);
  const db = input.contents.get("src/db.ts")!;
  const line = db.split("\n").find((l) => l.trim().length > 12)!;
  assert(!html.includes(line.trim()), "uncited file content must not be in the page");
});

Deno.test("balancedLines() closes and reopens spans across line breaks", () => {
  const lines = balancedLines('<span class="c">/* a\nb */</span> x');
  assertEquals(lines, ['<span class="c">/* a</span>', '<span class="c">b */</span> x']);
});
