import { assertEquals } from "../_helpers/assert.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import {
  CONSERVATIVE_RULES,
  isCutByLimit,
  loadRegistry,
  resolveRules,
} from "../../lib/providers/mod.ts";
import { checkPluginShape } from "../../lib/providers/shape.ts";
import type { PluginSource } from "../../lib/providers/sources.ts";
import type { ProviderPlugin } from "../../lib/providers/types.ts";

const client = () => ({
  complete: () =>
    Promise.resolve({ text: "", toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 } }),
});

/** A registry holding only `plugin` (as a built-in). */
async function registryOf(plugin: ProviderPlugin) {
  const source: PluginSource = {
    specifier: "test.ts",
    origin: "built-in",
    load: () => Promise.resolve({ default: plugin }),
  };
  return await loadRegistry({ cwd: "/nonexistent", env: envFromRecord({}), builtins: [source] });
}

Deno.test("resolveRules fills conservative defaults for a model without rules", () => {
  assertEquals(resolveRules(undefined, undefined), {
    forcedToolChoice: false,
    samplingParameters: false,
    thinking: "none",
    effortLevels: [],
    maxOutputTokens: 0,
    promptCacheMinTokens: 0,
  });
  assertEquals(resolveRules(undefined, undefined), { ...CONSERVATIVE_RULES, effortLevels: [] });
});

Deno.test("resolveRules keeps the listed rules, orders effort levels and ignores wrong types", () => {
  const rules = resolveRules({
    forcedToolChoice: true,
    thinking: "adaptive",
    effortLevels: ["max", "low"],
    maxOutputTokens: 128_000,
  }, { samplingParameters: true });
  assertEquals(rules, {
    forcedToolChoice: true,
    samplingParameters: false, // the unlisted rules do not apply to a listed model
    thinking: "adaptive",
    effortLevels: ["low", "max"],
    maxOutputTokens: 128_000,
    promptCacheMinTokens: 0,
  });
  // A plugin written in plain JS may put anything there: nothing loosens the defaults.
  const sloppy = resolveRules(
    {
      forcedToolChoice: "yes",
      thinking: "deep",
      effortLevels: "high",
      maxOutputTokens: -1,
    } as never,
    undefined,
  );
  assertEquals(sloppy, { ...CONSERVATIVE_RULES, effortLevels: [] });
});

Deno.test("the registry gives listed models their rules and unlisted ones the plugin's unlistedRules", async () => {
  const registry = await registryOf({
    name: "p",
    models: [
      { id: "strict", pricing: { input: 1, output: 1 } },
      {
        id: "loose",
        pricing: { input: 1, output: 1 },
        rules: { forcedToolChoice: true, samplingParameters: true, effortLevels: ["high"] },
      },
    ],
    handles: (m) => m.startsWith("x-"),
    unlistedRules: { thinking: "budget", maxOutputTokens: 8_192 },
    createClient: client,
  });
  assertEquals(registry.errors, []);
  assertEquals(registry.resolve("strict").rules, { ...CONSERVATIVE_RULES, effortLevels: [] });
  const loose = registry.resolve("loose").rules;
  assertEquals(
    [loose.forcedToolChoice, loose.samplingParameters, loose.effortLevels, loose.thinking],
    [true, true, ["high"], "none"],
  );
  const unlisted = registry.resolve("x-new").rules;
  assertEquals([unlisted.thinking, unlisted.maxOutputTokens, unlisted.forcedToolChoice], [
    "budget",
    8_192,
    false,
  ]);
});

Deno.test("a resolved model's costOf applies its price tiers", async () => {
  const registry = await registryOf({
    name: "p",
    models: [{
      id: "tiered",
      pricing: {
        input: 0.1,
        output: 0.5,
        tiers: [{ aboveTokens: 100_000, input: 0.5, output: 2.5 }],
      },
    }],
    createClient: client,
  });
  const model = registry.resolve("tiered");
  // 100,000 prompt tokens: lower band. 0.1*100000 + 0.5*1000 = 10,500 / 1e6.
  assertEquals(model.costOf({ inputTokens: 100_000, outputTokens: 1_000 }), 0.0105);
  // One more: the whole call at the upper band. 0.5*100001 + 2.5*1000 = 52,500.5 / 1e6.
  assertEquals(model.costOf({ inputTokens: 100_001, outputTokens: 1_000 }), 0.0525005);
});

Deno.test("checkPluginShape names wrong rules and tier fields", () => {
  const problems = checkPluginShape({
    name: "p",
    createClient: client,
    unlistedRules: { thinking: "deep" },
    models: [{
      id: "m",
      pricing: { input: 1, output: 1, tiers: [{ aboveTokens: -5, input: 1, output: "x" }, 3] },
      rules: { forcedToolChoice: 1, effortLevels: ["extreme"], maxOutputTokens: 1.5 },
    }],
  });
  assertEquals(problems, [
    'field unlistedRules.thinking must be "none", "budget" or "adaptive" when present',
    "field models[0].pricing.tiers[0].aboveTokens must be a non-negative integer",
    'field models[0].pricing.tiers[0].output must be a number (USD per 1M tokens), got a string ("x")',
    "field models[0].pricing.tiers[1] must be an object, got number",
    "field models[0].rules.forcedToolChoice must be true or false when present",
    "field models[0].rules.effortLevels must be an array of low, medium, high, max",
    "field models[0].rules.maxOutputTokens must be a positive integer when present",
  ]);
});

Deno.test("isCutByLimit knows the normalized and the OpenAI words for a cut answer", () => {
  assertEquals(["max_tokens", "length", "end", "tool_use", undefined].map(isCutByLimit), [
    true,
    true,
    false,
    false,
    false,
  ]);
});
