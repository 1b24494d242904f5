import { KvCache, kvPath, openKvCache } from "../../lib/cache/kv.ts";
import { DisabledCache } from "../../lib/cache/disabled.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";

Deno.test("openKvCache on a corrupt database warns once and returns a cache that stores nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    await Deno.writeFile(kvPath(dir), new TextEncoder().encode("not a database ".repeat(200)));
    const warnings: string[] = [];
    const cache = await openKvCache(dir, { onWarning: (m) => warnings.push(m) });
    assert(cache instanceof DisabledCache);
    await cache.set("k", "v", "m");
    assertEquals(await cache.get("k"), undefined);
    assertEquals((await cache.stats()).entries, 0);
    cache.close();
    assertEquals(warnings.length, 1);
    assertMatch(warnings[0], /cache disabled/);
    assertMatch(warnings[0], /subcalls\.kv/);
    assertMatch(warnings[0], /not a database/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openKvCache in a folder that cannot be created warns once and never throws", async () => {
  const root = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    // A regular file where a folder should be: mkdir fails even for root.
    await Deno.writeTextFile(`${root}/blocker`, "");
    const warnings: string[] = [];
    const cache = await openKvCache(`${root}/blocker/cache`, {
      onWarning: (m) => warnings.push(m),
    });
    await cache.set("k", "v", "m");
    assertEquals(await cache.get("k"), undefined);
    cache.close();
    assertEquals(warnings.length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("KvCache warns once when the database fails mid-run, then stops reading and writing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const kv = await Deno.openKv(kvPath(dir));
    const warnings: string[] = [];
    const cache = new KvCache(kv, kvPath(dir), { onWarning: (m) => warnings.push(m) });
    await cache.set("k", "v", "m");
    assertEquals((await cache.get("k"))?.value, "v");
    kv.close(); // the database goes away underneath the cache
    assertEquals(await cache.get("k"), undefined);
    await cache.set("k2", "v2", "m");
    assertEquals(await cache.get("k2"), undefined);
    assertEquals(warnings.length, 1);
    assertMatch(warnings[0], /continuing without cache/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
