/** Shadowing said out loud: registry warnings and the `list-models` marks. */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { loadRegistry } from "../../lib/providers/mod.ts";
import { type ModelListing, run } from "../../lib/cli/commands/list_models.ts";

const plugin = (name: string, models: string) =>
  `export default { name: ${JSON.stringify(name)}, models: ${models},
    createClient: () => ({ complete: async () => ({ text: "x", toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 } }) }) };`;

/** Writes `low.ts` (`lo`) and `high.ts` (`hi`), both listing alias `fav`, plus a `sonnet` twin. */
async function withPlugins(fn: (dir: string, low: string, high: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_shadow_" });
  try {
    const low = `${dir}/low.ts`;
    const high = `${dir}/high.ts`;
    await Deno.writeTextFile(
      low,
      plugin("lo", `[{ id: "lo-1", aliases: ["fav"], pricing: { input: 1, output: 1 } }]`),
    );
    await Deno.writeTextFile(
      high,
      plugin(
        "hi",
        `[{ id: "hi-1", aliases: ["fav", "sonnet"], pricing: { input: 1, output: 1 } }]`,
      ),
    );
    await fn(dir, low, high);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a model string several plugins offer resolves to the highest precedence, with one warning", async () => {
  await withPlugins(async (dir, low, high) => {
    const registry = await loadRegistry({ cwd: dir, env: envFromRecord({}), plugins: [low, high] });
    const fav = registry.resolve("fav");
    assertEquals(fav.label, "hi:hi-1");
    assertEquals(
      fav.warning,
      `model "fav" is offered by more than one plugin: using hi:hi-1 (from ${high}, the ` +
        "highest precedence), not lo:lo-1; write provider:model to choose",
    );
    assertMatch(registry.resolve("sonnet").warning!, /not anthropic:claude-sonnet-5-5;/);
    // Explicit or unshared names: no warning.
    assertEquals(registry.resolve("lo:fav").warning, undefined);
    assertEquals(registry.resolve("lo-1").warning, undefined);
    assertEquals(registry.resolve("opus").warning, undefined);
    assertEquals(registry.shadows.map((s) => [s.name, s.winner, s.shadowed]), [
      ["sonnet", "hi:hi-1", ["anthropic:claude-sonnet-5-5"]],
      ["fav", "hi:hi-1", ["lo:lo-1"]],
    ]);
  });
});

Deno.test("a plugin replacing one of the same name is said when it is used", async () => {
  await withPlugins(async (dir, low) => {
    const twin = `${dir}/twin.ts`;
    await Deno.writeTextFile(
      twin,
      plugin("lo", `[{ id: "lo-2", pricing: { input: 1, output: 1 } }]`),
    );
    const registry = await loadRegistry({ cwd: dir, env: envFromRecord({}), plugins: [low, twin] });
    assertEquals(registry.replacements, [{ name: "lo", winner: twin, replaced: [low] }]);
    assertEquals(
      registry.resolve("lo:lo-2").warning,
      `plugin "lo" from ${twin} replaces the plugin of the same name from ${low}`,
    );
  });
});

Deno.test("list-models marks shadowed names and replaced plugins, in text and JSON", async () => {
  await withPlugins(async (dir, low, high) => {
    const twin = `${dir}/openai.ts`;
    await Deno.writeTextFile(twin, plugin("openai", `[]`));
    const json = capturedContext(dir, {});
    assertEquals(await run({ json: true, plugins: [low, high, twin] }, json), 0);
    const listing: ModelListing = JSON.parse(json.out.join("\n"));
    const byName = (n: string) => listing.providers.find((p) => p.name === n)!;
    assertEquals(byName("lo").models[0].shadowedBy, [{ name: "fav", winner: "hi:hi-1" }]);
    assertEquals(byName("hi").models[0].shadows, [
      { name: "fav", hidden: ["lo:lo-1"] },
      { name: "sonnet", hidden: ["anthropic:claude-sonnet-5-5"] },
    ]);
    assertEquals(byName("openai").replaces, ["plugins/openai.ts"]);
    const sonnet = byName("anthropic").models.find((m) => m.aliases.includes("sonnet"))!;
    assertEquals(sonnet.shadowedBy, [{ name: "sonnet", winner: "hi:hi-1" }]);

    const text = capturedContext(dir, {});
    await run({ json: false, plugins: [low, high, twin] }, text);
    const lines = text.out.join("\n");
    assertMatch(
      lines,
      /! "fav" resolves to hi:hi-1 \(higher precedence\); use lo:lo-1 for this one/,
    );
    assertMatch(lines, /! "fav" resolves here, hiding lo:lo-1 \(lower precedence\)/);
    assertMatch(lines, /! replaces the plugin "openai" from plugins\/openai\.ts/);
  });
});

Deno.test("the built-ins alone shadow nothing", async () => {
  const registry = await loadRegistry({
    cwd: "/nonexistent-deeprepo-test-dir",
    env: envFromRecord({}),
  });
  assertEquals([registry.shadows, registry.replacements], [[], []]);
});
