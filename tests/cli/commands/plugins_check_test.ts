import { assert, assertEquals, assertMatch } from "../../_helpers/assert.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { checkPlugin, run } from "../../../lib/cli/commands/plugins_check.ts";

const EXAMPLE = new URL("../../../examples/plugins/acme_chat.ts", import.meta.url).pathname;

Deno.test("plugins check passes the guide's example plugin", async () => {
  const ctx = capturedContext("/", {});
  assertEquals(await run({ specifier: EXAMPLE }, ctx), 0);
  assertMatch(
    ctx.out[0],
    /^ok: plugin .*acme_chat\.ts \(acme\) passes every check \(2 models; key ACME_API_KEY; scripted conversation passed \(tool call, tool result, streamed text, cut-off reply\)\)/,
  );
});

Deno.test("plugins check passes every built-in plugin", async () => {
  for (const name of ["anthropic", "openrouter", "openai", "ollama"]) {
    const path = new URL(`../../../plugins/${name}.ts`, import.meta.url).pathname;
    const check = await checkPlugin(path);
    assertEquals(check.problems, [], name);
  }
});

Deno.test("plugins check reports every problem and exits 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_check_" });
  try {
    const path = `${dir}/broken.ts`;
    await Deno.writeTextFile(
      path,
      `export default { name: "", models: [{ id: "m", pricing: { output: 1 } }], createClient: "no" };`,
    );
    const ctx = capturedContext(dir, {});
    assertEquals(await run({ specifier: path }, ctx), 2);
    assertEquals(ctx.out, [
      `plugin ${path}: 3 problems`,
      "  - field name must be a non-empty string",
      '  - field createClient must be a function, got a string ("no")',
      "  - field models[0].pricing.input must be a number (USD per 1M tokens), got undefined",
    ]);
    assert(ctx.errText().includes("docs/PLUGINS.md"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plugins check catches a createClient that throws and a module that does not load", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_check_" });
  try {
    const path = `${dir}/throws.ts`;
    await Deno.writeTextFile(
      path,
      `export default { name: "t", models: [{ id: "m", pricing: { input: 1, output: 1 } }],
        createClient() { throw new Error("boom"); } };`,
    );
    const thrown = await checkPlugin(path);
    assertEquals(thrown.problems, [
      'createClient({ model: "m" }) threw: boom (declare check.sampleEnv if it needs particular values)',
    ]);
    const missing = await checkPlugin(`${dir}/nope.ts`);
    assertEquals(missing.problems.length, 1);
    assertMatch(missing.problems[0], /^cannot load: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plugins check explains the common export mistakes and an async createClient", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_check_" });
  try {
    const write = async (file: string, text: string) => {
      await Deno.writeTextFile(`${dir}/${file}`, text);
      return `${dir}/${file}`;
    };
    const named = await checkPlugin(await write("named.ts", `export const acme = { name: "a" };`));
    assertEquals(named.problems, [
      'the module has no default export (it exports "acme"; the plugin must be `export default`)',
    ]);
    const factory = await checkPlugin(await write("f.ts", `export default () => ({});`));
    assertEquals(factory.name, undefined);
    assertMatch(factory.problems[0], /got a function \(export the object itself/);
    const asyncClient = await checkPlugin(
      await write(
        "async.ts",
        `export default { name: "a", models: [{ id: "m", pricing: { input: 1, output: 1 } }],
          createClient: async () => ({ complete: async () => ({}) }) };`,
      ),
    );
    assertEquals(asyncClient.problems.length, 1);
    assertMatch(asyncClient.problems[0], /got a Promise \(createClient must not be async/);
    const syntax = await write("syntax.ts", "export default { name: ");
    const ctx = capturedContext(dir, {});
    assertEquals(await run({ specifier: syntax }, ctx), 2);
    assertMatch(ctx.out[1], new RegExp(`^  - cannot load: .* at file://${syntax}:1:\\d+$`));
    // One line on stderr, in the CLI's error format.
    assertEquals(ctx.err.length, 1);
    assertMatch(
      ctx.err[0],
      /^deeprepo: plugin .*syntax\.ts is not a valid deeprepo plugin: 1 problem/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
