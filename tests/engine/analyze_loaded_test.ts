import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_helpers/assert.ts";
import { RunError, UsageError } from "../../lib/errors.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { startFakeModelServer } from "../fakes/model_server.ts";
import { analyzeLoaded, type AnalyzeRunOptions } from "../../lib/cli/commands/analyze.ts";
import { makeSnapshot } from "./_fakes.ts";

function options(outputDir: string): AnalyzeRunOptions {
  return {
    outputDir,
    quiet: true,
    rootModel: "sonnet",
    subModel: "minimax/minimax-m2.5",
    cache: false,
    plugins: [],
    maxTurns: 5,
    concurrency: 5,
    execTimeoutSeconds: 30,
    promptCache: true,
  };
}

Deno.test("analyzeLoaded() writes inside the output folder whatever the repo is called", async () => {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_loaded_" });
  try {
    server.handler(() => ({
      toolCalls: [{ name: "execute_code", input: { code: "set_answer('safe')" } }],
    }), "anthropic");
    const ctx = capturedContext(dir, { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` });
    const snapshot = makeSnapshot({ "a.ts": "export const a = 1;\n" }, "../../https://x/evil/..");
    const outcome = await analyzeLoaded(snapshot, options(`${dir}/out`), ctx, {
      ts: "20260102_030405",
    });
    assertEquals(outcome.error, undefined);
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assertEquals(names.length, 4); // report, metrics, trajectory, HTML
    for (const n of names) assert(/^deeprepo_[A-Za-z0-9._-]+_20260102_030405/.test(n), n);
    assert(outcome.paths.report.startsWith(`${dir}/out/deeprepo_`));
    assertStringIncludes(await Deno.readTextFile(outcome.paths.report), "safe");
    assertEquals(outcome.metrics.complete, true);
    assertEquals(ctx.out, []); // the caller prints the path
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyzeLoaded() saves the results to a temporary folder when the output folder fails", async () => {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_loaded_" });
  let fallback = "";
  try {
    server.handler(() => ({
      toolCalls: [{ name: "execute_code", input: { code: "set_answer('paid for')" } }],
    }), "anthropic");
    await Deno.writeTextFile(`${dir}/blocker`, "a file where the output folder should go");
    const ctx = capturedContext(dir, { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` });
    const snapshot = makeSnapshot({ "a.ts": "export const a = 1;\n" }, "demo");
    const outcome = await analyzeLoaded(snapshot, options(`${dir}/blocker/out`), ctx, {
      ts: "20260102_030405",
    });
    fallback = outcome.paths.report.slice(0, outcome.paths.report.lastIndexOf("/"));
    assert(!fallback.startsWith(dir), fallback);
    assert(outcome.error instanceof RunError);
    assertStringIncludes(outcome.error.message, `could not write to ${dir}/blocker/out (`);
    assertStringIncludes(outcome.error.message, `results saved to ${outcome.paths.report}`);
    assertStringIncludes(await Deno.readTextFile(outcome.paths.report), "paid for");
    assertEquals(JSON.parse(await Deno.readTextFile(outcome.paths.metrics)).complete, true);
    assert((await Deno.stat(outcome.paths.trajectory)).isFile);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
    if (fallback) await Deno.remove(fallback, { recursive: true });
  }
});

Deno.test("analyzeLoaded() refuses a --max-cost below two root turns' projection", async () => {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_loaded_" });
  try {
    const ctx = capturedContext(dir, { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` });
    const snapshot = makeSnapshot({ "a.ts": "export const a = 1;\n" }, "demo");
    const err = await assertRejects(
      () =>
        analyzeLoaded(snapshot, { ...options(`${dir}/out`), maxCost: 0.0001 }, ctx, {
          ts: "20260102_030405",
        }),
      UsageError,
    );
    assertStringIncludes(err.message, "--max-cost $0.0001 is below the $0.");
    assertStringIncludes(err.message, "projected for the first two root turns");
    assertEquals(server.requests.length, 0);
    // A budget that covers a turn runs.
    server.handler(() => ({
      toolCalls: [{ name: "execute_code", input: { code: "set_answer('ok')" } }],
    }), "anthropic");
    const outcome = await analyzeLoaded(snapshot, { ...options(`${dir}/out`), maxCost: 1 }, ctx, {
      ts: "20260102_030405",
    });
    assertEquals(outcome.metrics.budget, 1);
    assertEquals(outcome.metrics.complete, true);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
