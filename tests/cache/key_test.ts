import { cacheKey, type CacheKeyParts } from "../../lib/cache/key.ts";
import { assertEquals, assertMatch, assertNotEquals } from "../_helpers/assert.ts";

const base: CacheKeyParts = {
  model: "minimax/minimax-m2.5",
  system: "You analyze code.",
  prompt: "Summarize main.ts",
  maxTokens: 4096,
  temperature: 0,
};

Deno.test("cacheKey is a stable 64-character hex SHA-256", async () => {
  const key = await cacheKey(base);
  assertMatch(key, /^[0-9a-f]{64}$/);
  assertEquals(await cacheKey({ ...base }), key);
});

Deno.test("cacheKey changes with the model, system, prompt, max tokens and temperature", async () => {
  const key = await cacheKey(base);
  const variants: CacheKeyParts[] = [
    { ...base, model: "openai/gpt-4o-mini" },
    { ...base, system: "You analyze code!" },
    { ...base, prompt: "Summarize main.ts " },
    { ...base, maxTokens: 4095 },
    { ...base, temperature: 0.2 },
    { ...base, temperature: undefined },
  ];
  const keys = await Promise.all(variants.map(cacheKey));
  for (const other of keys) assertNotEquals(other, key);
  assertEquals(new Set(keys).size, keys.length);
});

Deno.test("cacheKey cannot be fooled by separators moved between fields", async () => {
  const a = await cacheKey({ ...base, model: "m||x", system: "y" });
  const b = await cacheKey({ ...base, model: "m", system: "x||y" });
  const c = await cacheKey({ ...base, system: 'a","b', prompt: "c" });
  const d = await cacheKey({ ...base, system: "a", prompt: 'b","c' });
  assertNotEquals(a, b);
  assertNotEquals(c, d);
});
