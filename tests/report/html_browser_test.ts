/**
 * The HTML report in a real browser (headless Chromium): no console error, no network request,
 * a citation click opens the right file and line, the coverage counts equal the metrics, and a
 * screenshot is written to the test's output folder. Skipped, with the reason printed, where no
 * Chromium is installed.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findChromium, launchChromium } from "../_helpers/browser.ts";
import { renderHtmlReport } from "../../lib/report/html/mod.ts";
import { sampleHtmlInput } from "./_html_fixture.ts";

const chromium = findChromium();
if (!chromium) {
  console.error(
    "html_browser_test: skipped — no Chromium (install Debian's chromium-headless-shell, " +
      "or set DEEPREPO_CHROMIUM)",
  );
}

Deno.test({
  name: "HTML report in Chromium: inert model HTML, no requests, citation opens the cited line",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "deeprepo_html_browser_" });
    const browser = await launchChromium(chromium!);
    try {
      const { input, metrics } = await sampleHtmlInput();
      const file = `${dir}/report.html`;
      await Deno.writeTextFile(file, await renderHtmlReport(input));
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => {
        if (r.url() !== `file://${file}`) requests.push(r.url());
      });
      await page.setViewport({ width: 1280, height: 800 });
      await page.goto(`file://${file}`, { waitUntil: "load" });

      await page.click('a.cite[href="#snip-1"]');
      const shown = await page.evaluate(() => ({
        hidden: document.getElementById("panel")!.hidden,
        title: document.getElementById("panel-title")!.textContent,
        hit: [...document.querySelectorAll("#panel-body tr.hit")].map((r) =>
          r.getAttribute("data-line")
        ),
        pageTitle: document.title,
      }));
      assertEquals(shown.hidden, false);
      assertEquals(shown.title, "src/auth.ts:2");
      assertEquals(shown.hit, ["2"]);
      assertEquals(shown.pageTitle, "deeprepo analyze of sample_project", "model HTML ran");

      const count = await page.$eval("#files-dispatched", (e) => e.getAttribute("data-count"));
      assertEquals(Number(count), metrics.files_dispatched);
      const covered = await page.$$eval("li.file.cov", (l) => l.length);
      assertEquals(covered, metrics.files_dispatched);

      // The `javascript:` link was not rendered as a link; clicking its text does nothing.
      const scriptLinks = await page.$$eval('a[href^="javascript:"]', (l) => l.length);
      assertEquals(scriptLinks, 0);

      await page.setViewport({ width: 390, height: 844 });
      await page.click('a.cite[href="#snip-1"]');
      await page.screenshot({ path: `${dir}/report_phone.png` });
      await page.setViewport({ width: 1280, height: 800 });
      await page.screenshot({ path: `${dir}/report.png` });
      assert((await Deno.stat(`${dir}/report.png`)).size > 1000);
      assertEquals(errors, []);
      assertEquals(requests, []);
      console.error(`html_browser_test: screenshots in ${dir}`);
    } finally {
      await browser.close();
    }
  },
});
