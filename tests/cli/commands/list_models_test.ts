import { assert, assertEquals, assertMatch } from "../../_helpers/assert.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { run } from "../../../lib/cli/commands/list_models.ts";
import type { ModelListing } from "../../../lib/cli/commands/list_models.ts";
import { MODEL_TABLE_CHECKED } from "../../../lib/providers/mod.ts";

const CWD = "/nonexistent-deeprepo-test-dir";

Deno.test("list-models --json works with no keys and lists prices, windows, keys and defaults", async () => {
  const ctx = capturedContext(CWD, {});
  assertEquals(await run({ json: true, plugins: [] }, ctx), 0);
  const listing: ModelListing = JSON.parse(ctx.out.join("\n"));
  assertEquals(listing.providers.map((p) => p.name), [
    "anthropic",
    "openrouter",
    "openai",
    "ollama",
  ]);
  assertEquals(listing.defaults.root, { model: "sonnet", resolved: "anthropic:claude-sonnet-5-5" });
  assertEquals(listing.defaults.sub.resolved, "openrouter:minimax/minimax-m2.5");
  const anthropic = listing.providers[0];
  assertEquals([anthropic.keyVariable, anthropic.keySet], ["ANTHROPIC_API_KEY", false]);
  const sonnet = anthropic.models.find((m) => m.aliases.includes("sonnet"))!;
  assertEquals(sonnet.defaultFor, ["root"]);
  assertEquals(sonnet.pricing, { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 });
  assertEquals(sonnet.contextWindow, 1_000_000);
  const minimax = listing.providers[1].models[0];
  assertEquals([minimax.id, minimax.pricing.input, minimax.pricing.output], [
    "minimax/minimax-m2.5",
    0.2,
    1.1,
  ]);
  const ollama = listing.providers[3];
  assertEquals([ollama.keyVariable, ollama.keySet, ollama.unlistedPricing], [null, null, {
    input: 0,
    output: 0,
  }]);
  assertEquals(listing.errors, []);
  assertEquals(listing.checked, MODEL_TABLE_CHECKED);
  assertEquals(ctx.errText(), "");
});

Deno.test("list-models shows which keys are set", async () => {
  const ctx = capturedContext(CWD, { OPENROUTER_API_KEY: "x" });
  await run({ json: false, plugins: [] }, ctx);
  const text = ctx.out.join("\n");
  assertMatch(text, /openrouter \(built-in\) — key OPENROUTER_API_KEY: set/);
  assertMatch(text, /anthropic \(built-in\) — key ANTHROPIC_API_KEY: not set/);
  assertMatch(
    text,
    /claude-sonnet-5-5\s+sonnet\s+2\.00\s+10\.00\s+0\.10 \/ 2\.50\s+1,000,000\s+root/,
  );
  assertMatch(text, /ollama \(built-in\) — no key needed/);
  assertMatch(
    text,
    new RegExp(
      `checked against the providers' pages on ${MODEL_TABLE_CHECKED} \\(docs/MODELS\\.md\\)`,
    ),
  );
});

Deno.test("list-models lists the other plugins and the error when one fails, exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_list_" });
  try {
    const bad = `${dir}/bad.ts`;
    await Deno.writeTextFile(
      bad,
      `export default { name: "bad", models: "none", createClient() {} };`,
    );
    const ctx = capturedContext(dir, {});
    assertEquals(await run({ json: true, plugins: [bad] }, ctx), 2);
    const listing: ModelListing = JSON.parse(ctx.out.join("\n"));
    assertEquals(listing.providers.length, 4);
    assertEquals(listing.errors, [{
      specifier: bad,
      name: "bad",
      message: `plugin ${bad} (bad): field models must be an array, got a string ("none")`,
    }]);
    assert(ctx.errText().includes("field models must be an array"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
