import { KvCache, kvPath, openKvCache, tryOpenKvCache } from "../../lib/cache/kv.ts";
import { CACHE_TTL_MS } from "../../lib/cache/ttl.ts";
import { cacheConformance, longAnswer } from "./cache_conformance.ts";
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../_helpers/assert.ts";

const DAY = 24 * 3600 * 1000;

cacheConformance("KvCache", async (now) => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  const warnings: string[] = [];
  const cache = await openKvCache(dir, { now, onWarning: (m) => warnings.push(m) });
  return {
    cache,
    cleanup: async () => {
      await Deno.remove(dir, { recursive: true });
      assertEquals(warnings, []);
    },
  };
});

Deno.test("openKvCache creates the folder and keeps entries across reopening", async () => {
  const root = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  const dir = `${root}/nested/cache`;
  try {
    const first = await openKvCache(dir);
    await first.set("k", "persisted", "m");
    await first.set("long", longAnswer(), "m");
    first.close();
    assert((await Deno.stat(kvPath(dir))).isFile);
    const second = await openKvCache(dir);
    try {
      assertEquals((await second.get("k"))?.value, "persisted");
      assert((await second.get("long"))?.value === longAnswer());
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("KvCache stores a long answer as a header plus chunks under 64 KiB each", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const cache = await openKvCache(dir);
    await cache.set("long", longAnswer(), "m");
    await cache.set("short", "tiny", "m");
    cache.close();
    const kv = await Deno.openKv(kvPath(dir));
    try {
      const header = (await kv.get<Record<string, unknown>>(["entry", "long"])).value!;
      assertEquals(header.v, undefined);
      assert(typeof header.n === "number" && header.n > 1, "expected several chunks");
      const chunks = await Array.fromAsync(kv.list<string>({ prefix: ["chunk", "long"] }));
      assertEquals(chunks.length, header.n);
      assertEquals((await kv.get<Record<string, unknown>>(["entry", "short"])).value!.v, "tiny");
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCache gives a miss, not a truncated answer, when a chunk is missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const cache = await openKvCache(dir);
    await cache.set("long", longAnswer(), "m");
    const kv = await Deno.openKv(kvPath(dir));
    try {
      const chunks = await Array.fromAsync(kv.list({ prefix: ["chunk", "long"] }));
      await kv.delete(chunks[1].key);
    } finally {
      kv.close();
    }
    assertEquals(await cache.get("long"), undefined);
    cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCache drops the chunks of a long answer when it is overwritten", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const cache = await openKvCache(dir);
    await cache.set("k", longAnswer(), "m");
    await cache.set("k", longAnswer(100_000), "m");
    await cache.set("other", longAnswer(), "m");
    cache.close();
    const kv = await Deno.openKv(kvPath(dir));
    try {
      const header = (await kv.get<{ id: string; n: number }>(["entry", "k"])).value!;
      const chunks = await Array.fromAsync(kv.list({ prefix: ["chunk", "k"] }));
      assertEquals(chunks.length, header.n);
      assert(chunks.every((c) => c.key[2] === header.id));
      await cache.set("k", "short", "m"); // closed: silently ignored, no throw
    } finally {
      kv.close();
    }
    const reopened = await openKvCache(dir);
    await reopened.set("k", "short", "m");
    reopened.close();
    const kv2 = await Deno.openKv(kvPath(dir));
    try {
      assertEquals((await Array.fromAsync(kv2.list({ prefix: ["chunk", "k"] }))).length, 0);
      assert((await Array.fromAsync(kv2.list({ prefix: ["chunk", "other"] }))).length > 0);
    } finally {
      kv2.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCache ignores a foreign value under an entry key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const cache = await openKvCache(dir);
    await cache.set("k", "fine", "m");
    const kv = await Deno.openKv(kvPath(dir));
    await kv.set(["entry", "k"], { something: "else" });
    kv.close();
    assertEquals(await cache.get("k"), undefined);
    assertEquals((await cache.stats()).entries, 0);
    cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCache: two handles writing one long key at once leave a whole entry every time", async () => {
  // Two processes storing the same prompt's long answer together (two analyses of one repo).
  // Neither may delete the chunks the other's header points to: that turns the entry into a
  // miss for every later run.
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  const a = new KvCache(await Deno.openKv(kvPath(dir)), kvPath(dir));
  const b = new KvCache(await Deno.openKv(kvPath(dir)), kvPath(dir));
  try {
    const value = longAnswer(100_000);
    for (let i = 0; i < 20; i++) {
      await Promise.all([a.set(`k${i}`, value, "m"), b.set(`k${i}`, value + "!", "m")]);
      const stored = (await a.get(`k${i}`))?.value;
      assert(stored === value || stored === value + "!", `k${i}: ${stored?.length} chars`);
    }
  } finally {
    a.close();
    b.close();
  }
  try {
    // No chunks leak: exactly the chunks of each surviving header remain.
    const kv = await Deno.openKv(kvPath(dir));
    try {
      const headers = await Array.fromAsync(kv.list<{ n: number }>({ prefix: ["entry"] }));
      const chunks = await Array.fromAsync(kv.list({ prefix: ["chunk"] }));
      assertEquals(chunks.length, headers.reduce((sum, h) => sum + h.value.n, 0));
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCache sets KV expiry on every row: 7 days for entries, a day more for chunks", async () => {
  // The exact lifetime is enforced on read; KV's own expiry only reclaims space, and must never
  // drop a chunk before its header.
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const before = Date.now();
    const cache = await openKvCache(dir);
    await cache.set("short", "tiny", "m");
    await cache.set("long", longAnswer(), "m");
    cache.close();
    const after = Date.now();
    const db = new DatabaseSync(kvPath(dir), { readOnly: true });
    try {
      // Deno KV's SQLite layout: one row per key, expiry in ms since the epoch (-1 = none).
      const rows = db.prepare("SELECT expiration_ms FROM kv").all() as { expiration_ms: number }[];
      const entries = rows.filter((r) => r.expiration_ms <= after + CACHE_TTL_MS);
      const chunks = rows.filter((r) => r.expiration_ms > after + CACHE_TTL_MS);
      assertEquals(entries.length, 2);
      assert(chunks.length > 1, "the long answer's chunks");
      for (const { expiration_ms: at } of entries) {
        assert(at >= before + CACHE_TTL_MS && at <= after + CACHE_TTL_MS, `entry expiry ${at}`);
      }
      for (const { expiration_ms: at } of chunks) {
        assert(at >= before + CACHE_TTL_MS + DAY && at <= after + CACHE_TTL_MS + DAY, `${at}`);
      }
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCache.close lets writes under way finish, then refuses new ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const cache = await openKvCache(dir);
    // Not awaited, as when Ctrl-C closes the cache while a batch is still storing answers.
    const writes = [cache.set("long", longAnswer(), "m"), cache.set("short", "kept", "m")];
    await cache.close();
    await cache.set("late", "refused", "m");
    await Promise.all(writes);
    const reopened = await openKvCache(dir);
    try {
      assert((await reopened.get("long"))?.value === longAnswer(), "the long write finished");
      assertEquals((await reopened.get("short"))?.value, "kept");
      assertEquals(await reopened.get("late"), undefined);
    } finally {
      reopened.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openKvCache refuses a linked folder or database file, and keeps its files the user's", async () => {
  const root = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    // A dangling link where the database would be: nothing is created at its target.
    await Deno.mkdir(`${root}/planted`);
    await Deno.symlink(`${root}/target.kv`, `${root}/planted/subcalls.kv`);
    const warnings: string[] = [];
    const linkedFile = await openKvCache(`${root}/planted`, { onWarning: (m) => warnings.push(m) });
    await linkedFile.set("k", "v", "m");
    assertEquals(await linkedFile.get("k"), undefined);
    await linkedFile.close();
    assertEquals(warnings, [
      `sub-model cache disabled: the cache file ${root}/planted/subcalls.kv is a symbolic link, ` +
      "which deeprepo never follows; continuing without cache (remove the link, or set " +
      "DEEPREPO_CACHE_DIR to a real folder)",
    ]);
    assertEquals(await Deno.lstat(`${root}/target.kv`).catch(() => "absent"), "absent");

    await Deno.mkdir(`${root}/real`);
    await Deno.symlink(`${root}/real`, `${root}/linked`);
    const linkedDir = await tryOpenKvCache(`${root}/linked`);
    assertEquals(linkedDir.ok, false);
    assertEquals(!linkedDir.ok && linkedDir.kind, "unsafe");
    assertEquals((await Array.fromAsync(Deno.readDir(`${root}/real`))).length, 0);

    const fresh = await openKvCache(`${root}/fresh/cache`);
    await fresh.set("k", "v", "m");
    await fresh.close();
    assertEquals((await Deno.stat(`${root}/fresh/cache`)).mode! & 0o777, 0o700);
    assertEquals((await Deno.stat(kvPath(`${root}/fresh/cache`))).mode! & 0o777, 0o600);
    for await (const entry of Deno.readDir(`${root}/fresh/cache`)) {
      const mode = (await Deno.stat(`${root}/fresh/cache/${entry.name}`)).mode! & 0o777;
      assertEquals(mode & 0o077, 0, `${entry.name} is ${mode.toString(8)}`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
