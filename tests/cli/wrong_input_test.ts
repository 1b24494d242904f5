/**
 * Never spend on the wrong input (#16 items 3 and 4): an empty source (an unset `"$REPO"`) and a
 * `--plugin` that cannot load are usage errors (exit 2) before anything is loaded or called.
 */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runCli } from "../../lib/cli/main.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { startFakeModelServer } from "../fakes/model_server.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

async function withServer(fn: (env: Record<string, string>, dir: string) => Promise<void>) {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_wrong_input_" });
  try {
    await fn({ ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` }, dir);
    assertEquals(server.requests.length, 0, "no model was called");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const COMMANDS = [
  ["analyze"],
  ["analyze", "--dry-run"],
  ["baseline"],
  ["baseline", "--dry-run"],
  ["compare"],
  ["repl", "--eval", "1"],
];

Deno.test("an empty source is a usage error on every command, and nothing is written", async () => {
  await withServer(async (env, dir) => {
    for (const [command, ...flags] of COMMANDS) {
      for (const source of ["", "  "]) {
        const ctx = capturedContext(dir, env);
        const output = command === "repl" ? [] : ["-o", `${dir}/out`];
        const code = await runCli([command, source, ...output, ...flags], ctx);
        assertEquals(code, 2, `${command} '${source}': ${ctx.errText()}`);
        assertStringIncludes(ctx.errText(), "the source is empty");
        assertEquals(ctx.out, []);
      }
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), []);
  });
});

Deno.test("a --plugin that cannot load is exit 2 before any call, on every command", async () => {
  await withServer(async (env, dir) => {
    for (const [command, ...flags] of COMMANDS) {
      const ctx = capturedContext(dir, env);
      const output = command === "repl" ? [] : ["-o", `${dir}/out`];
      const argv = [command, FIXTURE, ...output, "--plugin", "./nope.ts", ...flags];
      const code = await runCli(argv, ctx);
      assertEquals(code, 2, `${command} ${flags.join(" ")}: ${ctx.errText()}`);
      const lines = ctx.errText().trimEnd().split("\n");
      assertStringIncludes(lines.at(-1)!, `--plugin: plugin ${dir}/nope.ts: cannot load`);
      assertEquals(ctx.out, []);
    }
    const bad = `${dir}/bad_plugin.ts`;
    await Deno.writeTextFile(bad, "export default { name: 42 };\n");
    const ctx = capturedContext(dir, env);
    assertEquals(await runCli(["analyze", FIXTURE, "--plugin", bad, "-o", `${dir}/out`], ctx), 2);
    assertStringIncludes(ctx.errText(), "--plugin: plugin");
    await Deno.remove(bad);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n !== "cache"), []);
  });
});
