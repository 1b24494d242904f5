/**
 * The HTML report of a scripted `analyze` of the sample project (real CLI, fake model server) in
 * a real browser, headless Chromium: no console error and no network request, the model's raw
 * HTML and `javascript:` link stay inert, a citation click opens the right file and line, the
 * coverage map's count equals the metrics, and screenshots (desktop and phone width) are written
 * to the test's output folder. Skipped, with the reason printed, where no Chromium is installed
 * (`.ci/run` installs Debian's chromium-headless-shell when it can).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findChromium, launchChromium } from "../_helpers/browser.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import { startFakeModelServer } from "../fakes/model_server.ts";

const SAMPLE = new URL("../fixtures/sample_project", import.meta.url).pathname;
const chromium = findChromium();
if (!chromium) {
  console.error(
    "html_browser_test: skipped — no Chromium (install Debian's chromium-headless-shell, " +
      "or set DEEPREPO_CHROMIUM)",
  );
}

/** Root code: every file to the sub-model, then a report with citations and hostile HTML. */
const ROOT_CODE = `
const paths = Object.keys(codebase).sort();
await llm_batch(paths.map((p) => "Review " + p + ":\\n" + codebase[p]));
set_answer([
  "# Audit",
  "",
  "1. Hard-coded token in \`src/auth.ts:2\` — \`const ADMIN_TOKEN = \\"sk-live-0000-do-not-ship\\";\`",
  "2. Timing leak at src/auth.ts:9 — \`return token == ADMIN_TOKEN;\`",
  "3. Missing file src/nothere.ts:4.",
  "",
  '<img src="http://127.0.0.1:9/pixel.png" onerror="document.title=1">',
  "<script>document.title='pwned'</script>",
  "[click me](javascript:document.title='pwned')",
].join("\\n"));
`;

Deno.test({
  name: "HTML report of a scripted analyze in Chromium: inert, offline, citations open their lines",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "deeprepo_html_browser_" });
    const server = await startFakeModelServer();
    const browser = await launchChromium(chromium!);
    try {
      server.handler(
        () => ({
          toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }],
          usage: { input: 1000, output: 100 },
        }),
        "anthropic",
      );
      server.handler(() => ({ text: "looks fine", usage: { input: 50, output: 5 } }), "openai");
      const run = await runCliProcess(["analyze", SAMPLE, "-o", `${dir}/out`, "-q"], {
        cwd: dir,
        env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
      });
      assertEquals(run.code, 0, run.stderr);
      const report = run.stdout.trim().split("\n").at(-1)!;
      const html = report.replace(/\.md$/, ".html");
      const metrics = JSON.parse(await Deno.readTextFile(report.replace(/\.md$/, "_metrics.json")));

      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => {
        if (r.url() !== `file://${html}`) requests.push(r.url());
      });
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(`file://${html}`, { waitUntil: "load" });
      const title = await page.title();

      await page.click('a.cite[href="#snip-1"]');
      const shown = {
        hidden: await page.$eval("#panel", (e) => e.hasAttribute("hidden")),
        title: await page.$eval("#panel-title", (e) => e.textContent),
        hit: await page.$$eval(
          "#panel-body tr.hit",
          (rows) => rows.map((r) => r.getAttribute("data-line")),
        ),
        text: await page.$eval("#panel-body tr.hit td.code", (e) => e.textContent),
      };
      assertEquals(shown.hidden, false);
      assertEquals(shown.title, "src/auth.ts:2");
      assertEquals(shown.hit, ["2"]);
      assertEquals(shown.text, 'const ADMIN_TOKEN = "sk-live-0000-do-not-ship";');

      // The corrected citation (line 9 → 7) opens line 7.
      await page.click('a.cite[href="#snip-2"]');
      const second = await page.$eval("#panel-title", (e) => e.textContent);
      assertEquals(second, "src/auth.ts:7");

      const count = await page.$eval("#files-dispatched", (e) => e.getAttribute("data-count"));
      assertEquals(Number(count), metrics.files_dispatched);
      assertEquals(await page.$$eval("li.file.cov", (l) => l.length), metrics.files_dispatched);
      assertEquals(await page.$$eval('a[href^="javascript:"]', (l) => l.length), 0);
      assertEquals(await page.$$eval("#report img, #report script", (l) => l.length), 0);
      assertEquals(await page.title(), title, "the model's HTML must not run");

      await page.screenshot({ path: `${dir}/report.png`, fullPage: false });
      await page.setViewport({ width: 390, height: 844 });
      await page.click('a.cite[href="#snip-1"]');
      await page.screenshot({ path: `${dir}/report_phone.png` });
      assert((await Deno.stat(`${dir}/report.png`)).size > 1000);
      assertEquals(errors, []);
      assertEquals(requests, []);
      console.error(`html_browser_test: screenshots in ${dir}`);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
