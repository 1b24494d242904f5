import { cacheBatcher, cachedBatch, isCacheable } from "../../lib/cache/batch.ts";
import { cacheKey, type CacheKeyParts } from "../../lib/cache/key.ts";
import { MemoryCache } from "../../lib/cache/memory.ts";
import type { Cache } from "../../lib/cache/types.ts";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";

const parts = (prompt: string): CacheKeyParts => ({
  model: "sub/model",
  system: "sys",
  prompt,
  maxTokens: 1000,
});

/** Resolves once `condition` holds (polled), so tests order concurrent steps without guessing. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert(condition(), "condition never became true");
}

/** A fake sub-model: answers `answer(prompt)`, records every call's prompts. */
function countingSend(answer: (prompt: string) => string = (p) => `A(${p})`) {
  const calls: string[][] = [];
  const send = (prompts: string[]) => {
    calls.push([...prompts]);
    return Promise.resolve(prompts.map(answer));
  };
  return { send, calls, sent: () => calls.flat() };
}

Deno.test("cachedBatch sends every prompt on a cold cache and stores the results", async () => {
  const cache = new MemoryCache();
  const fake = countingSend();
  const out = await cachedBatch(cache, parts, ["a", "b"], fake.send);
  assertEquals(out, { results: ["A(a)", "A(b)"], hits: 0, misses: 2, deduped: 0 });
  assertEquals(fake.calls, [["a", "b"]]);
  assertEquals((await cache.get(await cacheKey(parts("b"))))?.value, "A(b)");
  assertEquals((await cache.get(await cacheKey(parts("b"))))?.model, "sub/model");
});

Deno.test("cachedBatch answers a fully cached batch without calling send", async () => {
  const cache = new MemoryCache();
  await cachedBatch(cache, parts, ["a", "b"], countingSend().send);
  const fake = countingSend(() => "SHOULD NOT BE USED");
  const out = await cachedBatch(cache, parts, ["b", "a"], fake.send);
  assertEquals(out, { results: ["A(b)", "A(a)"], hits: 2, misses: 0, deduped: 0 });
  assertEquals(fake.calls, []);
});

Deno.test("cachedBatch sends only the misses and merges results in the original order", async () => {
  const cache = new MemoryCache();
  await cachedBatch(cache, parts, ["b", "d"], countingSend((p) => `old-${p}`).send);
  const fake = countingSend((p) => `new-${p}`);
  const out = await cachedBatch(cache, parts, ["a", "b", "c", "d", "e"], fake.send);
  assertEquals(out.results, ["new-a", "old-b", "new-c", "old-d", "new-e"]);
  assertEquals([out.hits, out.misses], [2, 3]);
  assertEquals(fake.calls, [["a", "c", "e"]]);
});

Deno.test("cachedBatch sends a prompt repeated within one batch once", async () => {
  const cache = new MemoryCache();
  const fake = countingSend();
  const out = await cachedBatch(cache, parts, ["x", "y", "x", "x", "y"], fake.send);
  assertEquals(out.results, ["A(x)", "A(y)", "A(x)", "A(x)", "A(y)"]);
  assertEquals([out.hits, out.misses, out.deduped], [0, 2, 3]);
  assertEquals(fake.calls, [["x", "y"]]);
  // A repeated cached prompt is a hit at every position.
  const again = await cachedBatch(cache, parts, ["x", "x"], countingSend().send);
  assertEquals([again.hits, again.misses, again.deduped], [2, 0, 0]);
});

Deno.test("cachedBatch never caches errors or empty answers, so they are retried", async () => {
  const cache = new MemoryCache();
  const answers: Record<string, string> = {
    bad: "[ERROR: upstream 500 after 3 retries]",
    empty: "",
    blank: "  \n",
    good: "fine",
  };
  const first = await cachedBatch(
    cache,
    parts,
    Object.keys(answers),
    (ps) => Promise.resolve(ps.map((p) => answers[p])),
  );
  assertEquals(first.results, Object.values(answers));
  assertEquals((await cache.stats()).entries, 1);
  const fake = countingSend();
  const second = await cachedBatch(cache, parts, Object.keys(answers), fake.send);
  assertEquals(fake.calls, [["bad", "empty", "blank"]]);
  assertEquals(second.results, ["A(bad)", "A(empty)", "A(blank)", "fine"]);
});

Deno.test("cachedBatch without a cache passes prompts through untouched", async () => {
  const fake = countingSend();
  const out = await cachedBatch(undefined, parts, ["a", "a", "b"], fake.send);
  assertEquals(out, { results: ["A(a)", "A(a)", "A(b)"], hits: 0, misses: 0, deduped: 0 });
  assertEquals(fake.calls, [["a", "a", "b"]]);
});

Deno.test("cachedBatch keys by every part: another model or setting is a miss", async () => {
  const cache = new MemoryCache();
  await cachedBatch(cache, parts, ["a"], countingSend().send);
  const fake = countingSend();
  await cachedBatch(cache, (p) => ({ ...parts(p), model: "other/model" }), ["a"], fake.send);
  await cachedBatch(cache, (p) => ({ ...parts(p), maxTokens: 10 }), ["a"], fake.send);
  await cachedBatch(cache, (p) => ({ ...parts(p), temperature: 0.5 }), ["a"], fake.send);
  await cachedBatch(cache, (p) => ({ ...parts(p), system: "other" }), ["a"], fake.send);
  assertEquals(fake.calls.length, 4);
});

Deno.test("cachedBatch with an empty batch calls nothing", async () => {
  const fake = countingSend();
  const out = await cachedBatch(new MemoryCache(), parts, [], fake.send);
  assertEquals(out, { results: [], hits: 0, misses: 0, deduped: 0 });
  assertEquals(fake.calls, []);
});

Deno.test("cachedBatch stores nothing when send throws, and passes the error on", async () => {
  const cache = new MemoryCache();
  await assertRejects(
    () => cachedBatch(cache, parts, ["a"], () => Promise.reject(new Error("aborted"))),
    Error,
    "aborted",
  );
  assertEquals((await cache.stats()).entries, 0);
});

Deno.test("cachedBatch rejects a sender that returns the wrong number of results", async () => {
  await assertRejects(
    () => cachedBatch(new MemoryCache(), parts, ["a", "b"], () => Promise.resolve(["only one"])),
    RangeError,
    "1 results for 2 prompts",
  );
});

Deno.test("cachedBatch treats a cache that throws as a miss and still answers", async () => {
  const broken: Cache = {
    get: () => Promise.reject(new Error("disk on fire")),
    set: () => Promise.reject(new Error("disk on fire")),
    stats: () => Promise.reject(new Error("disk on fire")),
    clear: () => Promise.reject(new Error("disk on fire")),
    close: () => {},
  };
  const fake = countingSend();
  const out = await cachedBatch(broken, parts, ["a", "b"], fake.send);
  assertEquals(out.results, ["A(a)", "A(b)"]);
  assertEquals(out.misses, 2);
});

Deno.test("isCacheable accepts real answers only", () => {
  assert(isCacheable("ok"));
  assert(isCacheable("an [ERROR] in the middle is fine"));
  assert(!isCacheable("  [ERROR: leading space]"));
  assert(!isCacheable("[ERROR: timeout]"));
  assert(!isCacheable(""));
  assert(!isCacheable(" \t\n"));
  assert(!isCacheable(undefined));
});

Deno.test("cacheBatcher binds the settings so a repeat prompt is a hit", async () => {
  const cache = new MemoryCache();
  const batch = cacheBatcher(cache, { model: "sub/model", system: "sys", maxTokens: 1000 });
  const fake = countingSend();
  await batch(["q1", "q2"], fake.send);
  const again = await batch(["q2", "q3"], fake.send);
  assertEquals(again.results, ["A(q2)", "A(q3)"]);
  assertEquals(fake.calls, [["q1", "q2"], ["q3"]]);
  // Same key as cachedBatch with equivalent parts.
  assertEquals((await cache.get(await cacheKey(parts("q1"))))?.value, "A(q1)");
});

Deno.test("concurrent batches through one cacheBatcher send a shared prompt once", async () => {
  const cache = new MemoryCache();
  const batch = cacheBatcher(cache, { model: "sub/model", system: "sys", maxTokens: 1000 });
  const calls: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const send = async (prompts: string[]) => {
    calls.push(prompts);
    await gate; // keep the first batch in flight while the second one starts
    return prompts.map((p) => `A(${p})`);
  };
  const first = batch(["shared", "only1"], send);
  await until(() => calls.length === 1);
  const second = batch(["only2", "shared"], send);
  await until(() => calls.length === 2);
  release();
  const [a, b] = await Promise.all([first, second]);
  assertEquals(calls, [["shared", "only1"], ["only2"]]);
  assertEquals(a.results, ["A(shared)", "A(only1)"]);
  assertEquals(b.results, ["A(only2)", "A(shared)"]);
  assertEquals([b.hits, b.misses, b.deduped], [0, 1, 1]);
  // Nothing stays in flight: a later batch finds the stored entry.
  const later = await batch(["shared"], send);
  assertEquals([later.hits, calls.length], [1, 2]);
});

Deno.test("a failed in-flight send fails its waiters too and is not remembered", async () => {
  const cache = new MemoryCache();
  let lookups = 0;
  const counted: Cache = {
    get: (key) => (lookups++, cache.get(key)),
    set: (key, value, model) => cache.set(key, value, model),
    stats: () => cache.stats(),
    clear: (ms) => cache.clear(ms),
    close: () => cache.close(),
  };
  const batch = cacheBatcher(counted, { model: "sub/model", system: "sys", maxTokens: 1000 });
  let fail: ((e: Error) => void) | undefined;
  const failing = (_: string[]) => new Promise<string[]>((_, reject) => fail = reject);
  const first = batch(["p"], failing);
  await until(() => fail !== undefined);
  const second = batch(["p"], () => Promise.resolve(["not used"]));
  await until(() => lookups === 2);
  await new Promise((resolve) => setTimeout(resolve, 1)); // past the in-flight check
  fail!(new Error("aborted"));
  await assertRejects(() => first, Error, "aborted");
  await assertRejects(() => second, Error, "aborted");
  const fake = countingSend();
  const third = await batch(["p"], fake.send);
  assertEquals([third.results, fake.calls], [["A(p)"], [["p"]]]);
});

Deno.test("cachedBatch stores each answer the sender reports at once, and keeps it if the batch then fails", async () => {
  const cache = new MemoryCache();
  let report!: (index: number, result: string) => void;
  let fail!: (error: Error) => void;
  const pending = cachedBatch(cache, parts, ["a", "b", "c"], (_prompts, onResult) => {
    report = onResult!;
    return new Promise<string[]>((_, reject) => fail = reject);
  });
  await until(() => report !== undefined);
  report(0, "A(a)");
  report(1, "[ERROR: upstream 500]");
  report(0, "A(a) again"); // a repeated report is ignored
  // Stored while the batch is still running (an interrupted run keeps it).
  assertEquals((await cache.get(await cacheKey(parts("a"))))?.value, "A(a)");
  fail(new Error("interrupted"));
  await assertRejects(() => pending, Error, "interrupted");
  assertEquals((await cache.stats()).entries, 1);
  assertEquals(await cache.get(await cacheKey(parts("b"))), undefined);
});

Deno.test("cachedBatch hands a reported answer to a concurrent batch waiting for the same prompt", async () => {
  const cache = new MemoryCache();
  let lookups = 0;
  const counted: Cache = {
    get: (key) => (lookups++, cache.get(key)),
    set: (key, value, model) => cache.set(key, value, model),
    stats: () => cache.stats(),
    clear: (ms) => cache.clear(ms),
    close: () => cache.close(),
  };
  const batch = cacheBatcher(counted, { model: "sub/model", system: "sys", maxTokens: 1000 });
  let report!: (index: number, result: string) => void;
  let finish!: (results: string[]) => void;
  const first = batch(["shared", "slow"], (_prompts, onResult) => {
    report = onResult!;
    return new Promise<string[]>((resolve) => finish = resolve);
  });
  await until(() => report !== undefined);
  let secondResults: string[] | undefined;
  const second = batch(["shared"], () => Promise.reject(new Error("must not be sent")))
    .then((out) => secondResults = out.results);
  await until(() => lookups === 3);
  await new Promise((resolve) => setTimeout(resolve, 1)); // past the in-flight check
  report(0, "A(shared)");
  // The waiting batch completes while the first one is still sending "slow".
  await until(() => secondResults !== undefined);
  assertEquals(secondResults, ["A(shared)"]);
  finish(["A(shared)", "A(slow)"]);
  assertEquals((await first).results, ["A(shared)", "A(slow)"]);
  await second;
});
