import { createRepl } from "../../lib/sandbox/mod.ts";
import { kvPath, openKvCache } from "../../lib/cache/kv.ts";
import { cacheKey } from "../../lib/cache/key.ts";
import { cacheBatcher } from "../../lib/cache/batch.ts";
import { assert, assertEquals, assertNotMatch } from "../_helpers/assert.ts";

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("code in the REPL can neither read nor poison the sub-model cache", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_cache_sandbox_" });
  const path = kvPath(dir);
  const settings = { model: "sub/model", system: "sys", maxTokens: 1000 };
  const key = await cacheKey({ ...settings, prompt: "summarize a.ts" });
  const cache = await openKvCache(dir);
  await cache.set(key, "TRUE ANSWER", settings.model);
  const before = await sha256(path);
  const batch = cacheBatcher(cache, settings);
  let sent = 0;
  const repl = await createRepl({
    codebase: { "a.ts": "export const a = 1;\n" },
    fileTree: "a.ts",
    metadata: { repo_name: "demo" },
    onSubQuery: async (prompts) =>
      (await batch(prompts, (misses) => {
        sent += misses.length;
        return Promise.resolve(misses.map(() => "FRESH"));
      })).results,
    execTimeoutSeconds: 30,
  });
  try {
    // Every route to the database a script might try: KV at the known path and the default
    // location, direct file reads and writes, a file: URL, and a subprocess.
    const attempts = {
      openKvPath: `(await Deno.openKv(${JSON.stringify(path)})).set(["entry", ${
        JSON.stringify(key)
      }], { v: "POISON", m: "sub/model", t: Date.now(), b: 6 })`,
      openKvDefault: `(await Deno.openKv()).set(["x"], 1)`,
      readFile: `Deno.readFileSync(${JSON.stringify(path)}).length`,
      writeFile: `Deno.writeTextFileSync(${JSON.stringify(path)}, "POISON")`,
      fetchFile: `(await (await fetch(${JSON.stringify("file://" + path)})).text()).length`,
      nodeFs: `(await import("node:fs")).writeFileSync(${JSON.stringify(path)}, "POISON")`,
      spawn: `new Deno.Command("sh", { args: ["-c", "echo POISON > ${path}"] }).outputSync()`,
    };
    for (const [name, expr] of Object.entries(attempts)) {
      const result = await repl.execute(
        `try { const r = await (async () => ${expr})(); print("${name}: SUCCEEDED " + r); }
         catch (e) { print("${name}: blocked " + (e?.name ?? "")); }`,
      );
      assertNotMatch(result.output, /SUCCEEDED/, `${name}: ${result.output}`);
      assert(result.output.includes(`${name}: blocked`), `${name}: ${result.output}`);
    }
    // The legitimate route still works and is served from the cache.
    const via = await repl.execute(`print(await llm_query("summarize a.ts"))`);
    assertEquals(via.output.trim(), "TRUE ANSWER");
    assertEquals(sent, 0);
  } finally {
    await repl.close();
  }
  assertEquals(await sha256(path), before);
  assertEquals((await cache.get(key))?.value, "TRUE ANSWER");
  assertEquals((await cache.stats()).entries, 1);
  cache.close();
  await Deno.remove(dir, { recursive: true });
});
