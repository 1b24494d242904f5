import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
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
    assertEquals(names.length, 3);
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
