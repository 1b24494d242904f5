/**
 * Sub-model cache look-up cost: per-prompt time of `cachedBatch` (hashing + KV read) when the
 * KV cache holds 1,000 and 10,000 entries, for hits and misses, against the in-memory cache and
 * against a bare `Deno.Kv.get`. Run: deno run -A bench/cache_bench.ts
 *
 * @module
 */
import { cachedBatch } from "../lib/cache/batch.ts";
import type { CacheKeyParts } from "../lib/cache/key.ts";
import { cacheKey } from "../lib/cache/key.ts";
import { kvPath, openKvCache } from "../lib/cache/kv.ts";
import { MemoryCache } from "../lib/cache/memory.ts";
import type { Cache } from "../lib/cache/types.ts";

const SIZES = (Deno.env.get("BENCH_CACHE_SIZES") ?? "1000,10000").split(",").map(Number);
/** Prompts per measured batch, and batches measured (the median is reported). */
const BATCH = 100;
const ROUNDS = 9;
/** A realistic sub-model prompt carries a file: ~4 KB. Answers are ~1.5 KB. */
const FILE_BODY = "export function handler(req) { return respond(req.body); }\n".repeat(70);
const ANSWER = "This module exports a request handler that echoes the body. ".repeat(25);

const parts = (prompt: string): CacheKeyParts => ({
  model: "minimax/minimax-m2.5",
  system: "You are a code analyst.",
  prompt,
  maxTokens: 4096,
});
const prompt = (i: number) => `Analyze file src/mod_${i}.ts:\n${FILE_BODY}`;

async function seed(cache: Cache, count: number): Promise<number> {
  const started = performance.now();
  const BULK = 50;
  for (let i = 0; i < count; i += BULK) {
    await Promise.all(
      Array.from({ length: Math.min(BULK, count - i) }, async (_, j) => {
        await cache.set(await cacheKey(parts(prompt(i + j))), ANSWER, "minimax/minimax-m2.5");
      }),
    );
  }
  return performance.now() - started;
}

/** Median microseconds per prompt of a `cachedBatch` over `BATCH` prompts from `pick`. */
async function perPromptUs(cache: Cache, pick: (round: number, j: number) => string) {
  const times: number[] = [];
  let sent = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const prompts = Array.from({ length: BATCH }, (_, j) => pick(round, j));
    const started = performance.now();
    await cachedBatch(cache, parts, prompts, (misses) => {
      sent += misses.length;
      return Promise.resolve(misses.map(() => ANSWER));
    });
    times.push((performance.now() - started) * 1000 / BATCH);
  }
  times.sort((a, b) => a - b);
  return { us: times[Math.floor(times.length / 2)], sent };
}

/** Median microseconds per bare `Deno.Kv.get` of an entry key (the floor under the cache). */
async function bareKvGetUs(path: string, count: number): Promise<number> {
  const kv = await Deno.openKv(path);
  try {
    const keys = await Promise.all(
      Array.from({ length: BATCH }, (_, j) => cacheKey(parts(prompt((j * 37) % count)))),
    );
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await Promise.all(keys.map((k) => kv.get(["entry", k])));
      times.push((performance.now() - started) * 1000 / BATCH);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    kv.close();
  }
}

/** Median microseconds to hash one ~4 KB prompt's key (part of every look-up). */
async function hashUs(): Promise<number> {
  const started = performance.now();
  const n = 2000;
  for (let i = 0; i < n; i++) await cacheKey(parts(prompt(i)));
  return (performance.now() - started) * 1000 / n;
}

const rows: string[] = [];
const fmt = (us: number) => `${us.toFixed(1).padStart(8)} µs`;
console.log(`SHA-256 key of a ~4 KB prompt: ${fmt(await hashUs())}`);
for (const size of SIZES) {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_cache_bench_" });
  const kvCache = await openKvCache(dir, { onWarning: (m) => console.error(m) });
  const memory = new MemoryCache();
  try {
    const seedMs = await seed(kvCache, size);
    await seed(memory, size);
    const fileMb = (await Deno.stat(kvPath(dir))).size / 1024 / 1024;
    // Hits: distinct prompts spread over the whole key space each round.
    const hit = (round: number, j: number) => prompt((round * 7919 + j * 97) % size);
    // Misses: prompts never stored (each miss is also written back, as in a real run).
    const miss = (round: number, j: number) => prompt(size + round * BATCH + j);
    const kvHit = await perPromptUs(kvCache, hit);
    const kvMiss = await perPromptUs(kvCache, miss);
    const memHit = await perPromptUs(memory, hit);
    const bare = await bareKvGetUs(kvPath(dir), size);
    if (kvHit.sent !== 0) throw new Error(`expected no sends on hits, got ${kvHit.sent}`);
    if (kvMiss.sent !== BATCH * ROUNDS) throw new Error("expected every miss to be sent");
    rows.push(
      `${String(size).padStart(6)} entries  file ${fileMb.toFixed(1).padStart(5)} MB  ` +
        `seed ${(seedMs * 1000 / size).toFixed(0).padStart(5)} µs/entry | per prompt: ` +
        `KV hit ${fmt(kvHit.us)}  KV miss+store ${fmt(kvMiss.us)}  memory hit ${
          fmt(memHit.us)
        }  bare Kv.get ${fmt(bare)}`,
    );
  } finally {
    kvCache.close();
    await Deno.remove(dir, { recursive: true });
  }
}
for (const row of rows) console.log(row);
console.log(`(batches of ${BATCH} prompts, median of ${ROUNDS} rounds)`);
