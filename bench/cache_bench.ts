/**
 * Sub-model cache benchmarks. Run: deno run -A bench/cache_bench.ts
 *
 * 1. Look-up cost: per-prompt time of `cachedBatch` (hashing + KV read) when the KV cache holds
 *    1,000 and 10,000 entries, for hits and misses, against the in-memory cache and a bare
 *    `Deno.Kv.get`; and the once-per-run damage check (`PRAGMA quick_check`) before opening.
 * 2. Warm re-run: wall time of `deeprepo analyze` on the sample project against the fake model
 *    server, cold (empty cache) and warm, with a simulated sub-model latency; counts the
 *    sub-model HTTP requests of each.
 *
 * @module
 */
import { cachedBatch } from "../lib/cache/batch.ts";
import type { CacheKeyParts } from "../lib/cache/key.ts";
import { cacheKey } from "../lib/cache/key.ts";
import { kvPath, openKvCache } from "../lib/cache/kv.ts";
import { findDamage } from "../lib/cache/kv_integrity.ts";
import { MemoryCache } from "../lib/cache/memory.ts";
import type { Cache } from "../lib/cache/types.ts";
import { startFakeModelServer, toolResults } from "../tests/fakes/model_server.ts";

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

/** Median milliseconds of the damage check run once before each open. */
async function damageCheckMs(path: string): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    const damage = await findDamage(path);
    times.push(performance.now() - started);
    if (damage) throw new Error(`bench database reported damaged: ${damage}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
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
    const check = await damageCheckMs(kvPath(dir));
    if (kvHit.sent !== 0) throw new Error(`expected no sends on hits, got ${kvHit.sent}`);
    if (kvMiss.sent !== BATCH * ROUNDS) throw new Error("expected every miss to be sent");
    rows.push(
      `${String(size).padStart(6)} entries  file ${fileMb.toFixed(1).padStart(5)} MB  ` +
        `seed ${(seedMs * 1000 / size).toFixed(0).padStart(5)} µs/entry | per prompt: ` +
        `KV hit ${fmt(kvHit.us)}  KV miss+store ${fmt(kvMiss.us)}  memory hit ${
          fmt(memHit.us)
        }  bare Kv.get ${fmt(bare)} | damage check per open ${check.toFixed(1)} ms`,
    );
  } finally {
    kvCache.close();
    await Deno.remove(dir, { recursive: true });
  }
}
for (const row of rows) console.log(row);
console.log(`(batches of ${BATCH} prompts, median of ${ROUNDS} rounds)`);

// --- 2. Warm re-run against the fake model server ---------------------------------------

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const FIXTURE = new URL("../tests/fixtures/sample_project", import.meta.url).pathname;
const SUB_LATENCY_MS = Number(Deno.env.get("BENCH_SUB_LATENCY_MS") ?? 400);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);
const ROOT_CODE = `
const paths = Object.keys(codebase).sort();
const reviews = await llm_batch(paths.map((p) => "Review " + p + ":\\n" + codebase[p]));
set_answer(paths.map((p, i) => "## " + p + "\\n" + reviews[i]).join("\\n\\n"));
`;

function pick(names: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

const server = await startFakeModelServer();
const work = await Deno.makeTempDir({ prefix: "deeprepo_cache_bench_run_" });
try {
  server.handler(
    (req) =>
      toolResults(req).length === 0
        ? { toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }] }
        : { text: "Done." },
    "anthropic",
  );
  server.handler(() => ({ text: "A review.", latencyMs: SUB_LATENCY_MS }), "openai");
  const analyze = async (): Promise<{ ms: number; subRequests: number }> => {
    const before = server.requestsFor("openai").length;
    const started = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "analyze", FIXTURE, "-q", "-o", `${work}/out`],
      cwd: work,
      clearEnv: true,
      env: {
        // Deno's own module cache is found through these; the deeprepo cache is the temp one.
        ...pick(["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]),
        DEEPREPO_CACHE_DIR: `${work}/cache`,
        ...server.env(),
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    const ms = performance.now() - started;
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return { ms, subRequests: server.requestsFor("openai").length - before };
  };
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const cold: number[] = [];
  const warm: number[] = [];
  let coldRequests = 0;
  let warmRequests = 0;
  for (let i = 0; i < RUNS; i++) {
    await Deno.remove(`${work}/cache`, { recursive: true }).catch(() => {});
    const c = await analyze();
    const w = await analyze();
    cold.push(c.ms);
    warm.push(w.ms);
    coldRequests += c.subRequests;
    warmRequests += w.subRequests;
  }
  server.assertNoFailures();
  const c = median(cold);
  const w = median(warm);
  console.log(
    `analyze sample_project (sub latency ${SUB_LATENCY_MS} ms, median of ${RUNS}): ` +
      `cold ${(c / 1000).toFixed(2)} s (${coldRequests / RUNS} sub requests), ` +
      `warm ${(w / 1000).toFixed(2)} s (${warmRequests / RUNS} sub requests), ` +
      `warm/cold ${(w / c).toFixed(2)}`,
  );
} finally {
  await server.close();
  await Deno.remove(work, { recursive: true });
}
