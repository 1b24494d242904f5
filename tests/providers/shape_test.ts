import { assertEquals } from "../_helpers/assert.ts";
import { checkPluginShape } from "../../lib/providers/shape.ts";

const valid = () => ({
  name: "acme",
  keyVariable: "ACME_KEY",
  models: [{
    id: "acme-1",
    aliases: ["a1"],
    contextWindow: 1000,
    pricing: { input: 1, output: 2 },
  }],
  defaults: { root: "a1" },
  createClient: () => ({ complete: () => Promise.reject(new Error("unused")) }),
});

Deno.test("checkPluginShape accepts a valid plugin and every built-in", async () => {
  assertEquals(checkPluginShape(valid()), []);
  for (const name of ["anthropic", "openrouter", "openai", "ollama"]) {
    const module = await import(`../../plugins/${name}.ts`);
    assertEquals(checkPluginShape(module.default), [], name);
  }
});

Deno.test("checkPluginShape names every wrong field", () => {
  const plugin = {
    ...valid(),
    name: "bad:name",
    models: [
      { id: "x", pricing: { input: "1", output: 2 } },
      { id: "x", aliases: [3], contextWindow: -5, pricing: { input: 1, output: 2, cacheRead: -1 } },
      "nope",
    ],
    defaults: { sub: "missing" },
    createClient: undefined,
    handles: true,
  };
  assertEquals(checkPluginShape(plugin), [
    'field name must use only letters, digits, "-" and "_" (got "bad:name")',
    "field createClient must be a function, got undefined",
    "field handles must be a function when present, got boolean",
    'field models[0].pricing.input must be a number (USD per 1M tokens), got a string ("1")',
    'field models[1].id repeats "x"',
    "field models[1].aliases[0] must be a non-empty string",
    "field models[1].contextWindow must be a positive integer when present",
    "field models[1].pricing.cacheRead must not be negative",
    'field models[2] must be an object, got a string ("nope")',
    'field defaults.sub names "missing", which the plugin neither lists nor handles',
  ]);
});

Deno.test("checkPluginShape explains a missing or non-object default export", () => {
  assertEquals(checkPluginShape(undefined), ["the module has no default export"]);
  assertEquals(checkPluginShape([1]), ["the default export must be an object, got an array"]);
});

Deno.test("checkPluginShape accepts a default the plugin only handles", () => {
  const plugin = {
    ...valid(),
    defaults: { sub: "acme-big" },
    handles: (m: string) => m.startsWith("acme-"),
  };
  assertEquals(checkPluginShape(plugin), []);
});
