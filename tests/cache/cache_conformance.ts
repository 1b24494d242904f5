/**
 * One behaviour suite for every {@linkcode Cache} implementation; each implementation's test
 * file calls {@linkcode cacheConformance} with a factory.
 *
 * @module
 */
import type { Cache } from "../../lib/cache/types.ts";
import { CACHE_TTL_MS } from "../../lib/cache/ttl.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

/** A cache under test plus how to dispose of it. */
export interface CacheUnderTest {
  cache: Cache;
  cleanup(): Promise<void>;
}

/** Builds a fresh, empty cache that reads time from `now`. */
export type CacheFactory = (now: () => number) => Promise<CacheUnderTest>;

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const DAY = 24 * 3600 * 1000;

/** A 300 KB answer mixing ASCII, 2-byte text and astral characters (surrogate pairs). */
export function longAnswer(bytesApprox = 300_000): string {
  const unit = "function f(x) { return x * 2; } // héllo wörld 😀 汉字\n";
  return unit.repeat(Math.ceil(bytesApprox / unit.length)) + "END";
}

/** Registers the shared tests for the implementation called `name`. */
export function cacheConformance(name: string, make: CacheFactory): void {
  async function withCache(fn: (cache: Cache, clock: { now: number }) => Promise<void>) {
    const clock = { now: T0 };
    const { cache, cleanup } = await make(() => clock.now);
    try {
      await fn(cache, clock);
    } finally {
      cache.close();
      await cleanup();
    }
  }

  Deno.test(`${name}: get of an unknown key is undefined`, () =>
    withCache(async (cache) => {
      assertEquals(await cache.get("nope"), undefined);
    }));

  Deno.test(`${name}: set then get returns value, model and storedAt`, () =>
    withCache(async (cache) => {
      await cache.set("k1", "the answer", "vendor/model-a");
      assertEquals(await cache.get("k1"), {
        value: "the answer",
        model: "vendor/model-a",
        storedAt: T0,
      });
      assertEquals(await cache.get("k2"), undefined);
    }));

  Deno.test(`${name}: a second set replaces the entry`, () =>
    withCache(async (cache, clock) => {
      await cache.set("k", "old", "m1");
      clock.now += 1000;
      await cache.set("k", "new", "m2");
      assertEquals(await cache.get("k"), { value: "new", model: "m2", storedAt: T0 + 1000 });
    }));

  Deno.test(`${name}: an entry expires exactly 7 days after it was stored`, () =>
    withCache(async (cache, clock) => {
      await cache.set("k", "v", "m");
      clock.now = T0 + CACHE_TTL_MS - 1;
      assertEquals((await cache.get("k"))?.value, "v");
      clock.now = T0 + CACHE_TTL_MS;
      assertEquals(await cache.get("k"), undefined);
      // Storing again makes it fresh again.
      await cache.set("k", "v2", "m");
      assertEquals((await cache.get("k"))?.value, "v2");
    }));

  Deno.test(`${name}: an entry stamped in the future is never served nor counted`, () =>
    withCache(async (cache, clock) => {
      await cache.set("k", "planted", "m");
      clock.now = T0 - 60_000;
      assertEquals((await cache.stats()).entries, 0);
      assertEquals(await cache.get("k"), undefined);
      assertEquals((await cache.stats()).entries, 0);
    }));

  Deno.test(`${name}: a 300 KB answer comes back whole`, () =>
    withCache(async (cache) => {
      const value = longAnswer();
      assert(new TextEncoder().encode(value).length > 300_000);
      await cache.set("long", value, "m");
      const entry = await cache.get("long");
      assertEquals(entry?.value.length, value.length);
      assert(entry?.value === value, "the long answer differs from what was stored");
      // Overwriting a long value with a short one (and back) never mixes the two.
      await cache.set("long", "short", "m");
      assertEquals((await cache.get("long"))?.value, "short");
      await cache.set("long", value + "!", "m");
      assert((await cache.get("long"))?.value === value + "!");
    }));

  Deno.test(`${name}: stats count live entries, bytes, ages and models`, () =>
    withCache(async (cache, clock) => {
      const empty = await cache.stats();
      assertEquals([empty.entries, empty.totalBytes, empty.oldest, empty.newest], [
        0,
        0,
        undefined,
        undefined,
      ]);
      await cache.set("a", "héllo", "m1"); // 6 UTF-8 bytes
      clock.now = T0 + 2 * DAY;
      await cache.set("b", "abc", "m2");
      clock.now = T0 + 3 * DAY;
      await cache.set("c", longAnswer(), "m1");
      let stats = await cache.stats();
      assertEquals(stats.entries, 3);
      assertEquals(stats.totalBytes, 6 + 3 + new TextEncoder().encode(longAnswer()).length);
      assertEquals(stats.oldest, T0);
      assertEquals(stats.newest, T0 + 3 * DAY);
      assertEquals(stats.perModel, { m1: 2, m2: 1 });
      // Once "a" is past its lifetime it is no longer counted as an entry.
      clock.now = T0 + 7 * DAY;
      stats = await cache.stats();
      assertEquals(stats.entries, 2);
      assertEquals(stats.perModel, { m1: 1, m2: 1 });
      assertEquals(stats.oldest, T0 + 2 * DAY);
      assertEquals(stats.expired, 1);
    }));

  Deno.test(`${name}: clear() removes everything and returns how many`, () =>
    withCache(async (cache) => {
      await cache.set("a", "1", "m");
      await cache.set("b", longAnswer(), "m");
      await cache.set("c", "3", "m");
      assertEquals(await cache.clear(), 3);
      assertEquals(await cache.get("a"), undefined);
      assertEquals(await cache.get("b"), undefined);
      assertEquals((await cache.stats()).entries, 0);
      assertEquals(await cache.clear(), 0);
    }));

  Deno.test(`${name}: clear(olderThan) removes only entries at least that old`, () =>
    withCache(async (cache, clock) => {
      await cache.set("old", "1", "m");
      clock.now = T0 + 2 * DAY;
      await cache.set("mid", longAnswer(), "m");
      clock.now = T0 + 3 * DAY;
      await cache.set("new", "3", "m");
      assertEquals(await cache.clear(1 * DAY), 2);
      assertEquals(await cache.get("old"), undefined);
      assertEquals(await cache.get("mid"), undefined);
      assertEquals((await cache.get("new"))?.value, "3");
    }));
}
