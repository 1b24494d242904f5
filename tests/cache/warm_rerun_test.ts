/**
 * End to end through `deeprepo analyze` and the fake model server: a warm re-run makes no
 * sub-model HTTP request, errors are retried rather than cached, and `--no-cache` neither reads
 * nor writes.
 */
import { startFakeModelServer, toolResults } from "../fakes/model_server.ts";
import { MAIN, runCliProcess } from "../_helpers/run_cli.ts";
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

const ROOT_CODE = `
const paths = Object.keys(codebase).sort();
const reviews = await llm_batch(paths.map((p) => "Review " + p + ":\\n" + codebase[p]));
set_answer("# Report\\n\\n" + paths.map((p, i) => "## " + p + "\\n" + reviews[i]).join("\\n\\n"));
`;

interface Run {
  report: string;
  metrics: Record<string, unknown>;
  subRequests: number;
}

Deno.test("a warm re-run of analyze sends no sub-model request; --no-cache bypasses the cache", async () => {
  const work = await Deno.makeTempDir({ prefix: "deeprepo_warm_" });
  const server = await startFakeModelServer();
  let failReadme = true;
  try {
    server.handler((req) =>
      toolResults(req).length === 0
        ? {
          toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }],
          usage: { input: 1000, output: 100 },
        }
        : { text: "Done.", usage: { input: 1200, output: 10 } }, "anthropic");
    server.handler((req) => {
      const path = JSON.stringify(req.body).match(/Review ([\w./]+)/)?.[1];
      // The first run's README review fails for good (400 is not retried): an [ERROR item.
      if (path === "README.md" && failReadme) return { fault: { status: 400, message: "bad" } };
      return { text: `sub-review of ${path}`, usage: { input: 50, output: 5 } };
    }, "openai");

    const analyze = async (...extra: string[]): Promise<Run> => {
      const before = server.requestsFor("openai").length;
      const out = await runCliProcess(
        ["analyze", FIXTURE, "-q", "-o", `${work}/out`, ...extra],
        { cwd: work, env: { ...server.env(), DEEPREPO_CACHE_DIR: `${work}/cache` } },
      );
      assertEquals(out.code, 0, out.stderr);
      const reportPath = out.stdout.trim().split("\n").at(-1)!;
      const metrics = JSON.parse(
        await Deno.readTextFile(reportPath.replace(/\.md$/, "_metrics.json")),
      );
      // Reports of runs within one second share a file name; move each aside.
      const report = await Deno.readTextFile(reportPath);
      await Deno.remove(`${work}/out`, { recursive: true });
      return { report, metrics, subRequests: server.requestsFor("openai").length - before };
    };
    const cacheStats = async () => {
      const out = await runCliProcess(["cache", "stats", "--json"], {
        cwd: work,
        env: { DEEPREPO_CACHE_DIR: `${work}/cache` },
      });
      assertEquals(out.code, 0, out.stderr);
      return JSON.parse(out.stdout) as { entries: number; newest: string };
    };
    const cacheEntries = async () => (await cacheStats()).entries;

    const cold = await analyze();
    const files = cold.metrics.files_total as number;
    assert(files >= 4, `fixture should have several files, has ${files}`);
    assertEquals(cold.subRequests, files);
    assertEquals([cold.metrics.cache_hits, cold.metrics.cache_misses], [0, files]);
    assertStringIncludes(cold.report, "[ERROR");
    assertEquals(await cacheEntries(), files - 1); // the failed review was not stored

    failReadme = false;
    const second = await analyze();
    assertEquals(second.subRequests, 1); // only the review that failed before
    assertEquals([second.metrics.cache_hits, second.metrics.cache_misses], [files - 1, 1]);
    assertStringIncludes(second.report, "sub-review of README.md");

    const warm = await analyze();
    assertEquals(warm.subRequests, 0);
    assertEquals([warm.metrics.cache_hits, warm.metrics.cache_misses], [files, 0]);
    assertEquals(warm.metrics.sub_calls, 0);
    // Same answer; the report's footer (run statistics) differs by design.
    const answer = (report: string) => report.split("\n---\n")[0];
    assertEquals(answer(warm.report), answer(second.report));

    const before = await cacheStats();
    const bypass = await analyze("--no-cache");
    assertEquals(bypass.subRequests, files); // nothing read
    assertEquals([bypass.metrics.cache_hits, bypass.metrics.cache_misses], [0, 0]);
    // Nothing written: storing any answer again would have made `newest` this run's time.
    const after = await cacheStats();
    assertEquals([after.entries, after.newest], [before.entries, before.newest]);
    server.assertNoFailures();
  } finally {
    await server.close();
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("two analyze processes sharing one cache at once both finish correctly", async () => {
  const work = await Deno.makeTempDir({ prefix: "deeprepo_shared_" });
  const server = await startFakeModelServer();
  try {
    server.handler(
      (req) =>
        toolResults(req).length === 0
          ? { toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }] }
          : { text: "Done." },
      "anthropic",
    );
    server.handler((req) => ({
      text: `sub-review of ${JSON.stringify(req.body).match(/Review ([\w./]+)/)?.[1]}`,
      latencyMs: 50, // keeps both runs' sub-model phases overlapping
    }), "openai");
    const env = { ...server.env(), DEEPREPO_CACHE_DIR: `${work}/cache` };
    const runs = await Promise.all(
      ["a", "b"].map((name) =>
        runCliProcess(["analyze", FIXTURE, "-q", "-o", `${work}/out_${name}`], { cwd: work, env })
      ),
    );
    let files = 0;
    for (const run of runs) {
      assertEquals(run.code, 0, run.stderr);
      assertEquals(run.stderr, "");
      const reportPath = run.stdout.trim().split("\n").at(-1)!;
      const report = await Deno.readTextFile(reportPath);
      const metrics = JSON.parse(
        await Deno.readTextFile(reportPath.replace(/\.md$/, "_metrics.json")),
      );
      files = metrics.files_total;
      assertStringIncludes(report, "sub-review of src/auth.ts");
      assert(!report.includes("[ERROR"), report);
    }
    server.assertNoFailures();
    const stats = await runCliProcess(["cache", "stats", "--json"], { cwd: work, env });
    assertEquals(JSON.parse(stats.stdout).entries, files);
  } finally {
    await server.close();
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("analyze with a corrupt cache file warns once and finishes uncached", async () => {
  const work = await Deno.makeTempDir({ prefix: "deeprepo_corrupt_" });
  const server = await startFakeModelServer();
  try {
    server.handler(
      (req) =>
        toolResults(req).length === 0
          ? { toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }] }
          : { text: "Done." },
      "anthropic",
    );
    server.handler(() => ({ text: "a review" }), "openai");
    await Deno.mkdir(`${work}/cache`);
    await Deno.writeTextFile(`${work}/cache/subcalls.kv`, "this is not sqlite ".repeat(64));
    const env = { ...server.env(), DEEPREPO_CACHE_DIR: `${work}/cache` };
    // -q silences progress, not this warning: the user expects a cache and gets none.
    const run = await runCliProcess(["analyze", FIXTURE, "-q", "-o", `${work}/out`], {
      cwd: work,
      env,
    });
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.stderr.match(/cache disabled/g)?.length, 1, run.stderr);
    assertEquals(run.stderr.trim().split("\n").length, 1, run.stderr);
    const metrics = JSON.parse(
      await Deno.readTextFile(
        run.stdout.trim().split("\n").at(-1)!.replace(/\.md$/, "_metrics.json"),
      ),
    );
    assertEquals(server.requestsFor("openai").length, metrics.files_total);
    server.assertNoFailures();
  } finally {
    await server.close();
    await Deno.remove(work, { recursive: true });
  }
});

// The engine hands each answer to the cache as it arrives (sub_queries.ts `onResult`) and
// analyze awaits the cache's close, so answers received before Ctrl-C are kept.
Deno.test({
  name: "Ctrl-C during a batch keeps the answers already received: the re-run sends only the rest",
}, async () => {
  const work = await Deno.makeTempDir({ prefix: "deeprepo_interrupt_" });
  const server = await startFakeModelServer();
  try {
    const paths = [...Deno.readDirSync(`${FIXTURE}/src`)].map((e) => `src/${e.name}`).sort();
    const last = paths.at(-1)!;
    let stallLast = true;
    server.handler(
      (req) =>
        toolResults(req).length === 0
          ? { toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }] }
          : { text: "Done." },
      "anthropic",
    );
    server.handler((req) => {
      const path = JSON.stringify(req.body).match(/Review ([\w./]+)/)?.[1];
      return path === last && stallLast
        ? { fault: { stall: true } }
        : { text: `review of ${path}` };
    }, "openai");
    const env = { ...server.env(), DEEPREPO_CACHE_DIR: `${work}/cache` };
    // One call at a time, the stalled prompt last: when its request arrives, every other answer
    // has been received, so what the cache holds after Ctrl-C does not depend on timing.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "analyze",
        FIXTURE,
        "-q",
        "-o",
        `${work}/out`,
        "--concurrency",
        "1",
      ],
      cwd: work,
      env: { ...env, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const isLast = (r: { body: unknown }) => JSON.stringify(r.body).includes(`Review ${last}`);
    const deadline = Date.now() + 60_000;
    while (!server.requestsFor("openai").some(isLast) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGINT");
    const out = await child.output();
    assertEquals(out.code, 130, new TextDecoder().decode(out.stderr));
    const files = server.requestsFor("openai").filter((r) => !isLast(r)).length;
    assert(files >= 3, `expected several answered prompts, got ${files}`);

    stallLast = false;
    const before = server.requestsFor("openai").length;
    const rerun = await runCliProcess(["analyze", FIXTURE, "-q", "-o", `${work}/out2`], {
      cwd: work,
      env,
    });
    assertEquals(rerun.code, 0, rerun.stderr);
    const sent = server.requestsFor("openai").slice(before);
    const name = (r: { body: unknown }) => JSON.stringify(r.body).match(/Review ([\w./]+)/)?.[1];
    assertEquals(sent.map(name), [last], "only the prompt interrupted before its answer");
  } finally {
    await server.close();
    await Deno.remove(work, { recursive: true });
  }
});
