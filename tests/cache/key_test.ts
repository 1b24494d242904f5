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

Deno.test("cacheKey changes with the model, endpoint, system, prompt, max tokens and temperature", async () => {
  const key = await cacheKey(base);
  const variants: CacheKeyParts[] = [
    { ...base, model: "openai/gpt-4o-mini" },
    { ...base, endpoint: "http://127.0.0.1:8080/v1" },
    { ...base, endpoint: "http://127.0.0.1:8081/v1" },
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

Deno.test("cacheKey is SHA-256 of one JSON array: version, model, endpoint, system, prompt, settings", async () => {
  // Pinned: changing this layout silently turns every user's cache into misses, so it must be
  // a deliberate change (bump KEY_VERSION) that also updates this test.
  const canonical = JSON.stringify([
    "deeprepo-subcall-v2",
    base.model,
    null,
    base.system,
    base.prompt,
    4096,
    0,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  const expected = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"))
    .join("");
  assertEquals(await cacheKey(base), expected);
  // `printf '%s' '["deeprepo-subcall-v2","m",null,"","hi",100,null]' | sha256sum`
  assertEquals(
    await cacheKey({ model: "m", system: "", prompt: "hi", maxTokens: 100 }),
    "27cae508e303915810d47a620510d44e7b92645eb159d41e2d67806d8372063d",
  );
});
