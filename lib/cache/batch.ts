/**
 * The cache in front of sub-model calls: the one place where a batch is looked up, deduplicated,
 * sent and merged back.
 *
 * @module
 */
import type { Cache } from "./types.ts";
import { cacheKey, type CacheKeyParts } from "./key.ts";

/**
 * Sends prompts to the sub-model and resolves with one result per prompt, in order (failed
 * items as `[ERROR ...]` strings). A sender that can should also call `onResult(index, result)`
 * as each answer arrives (`index` into the `prompts` it was given): that answer is stored at once,
 * so a run interrupted mid-batch keeps it.
 */
export type BatchSender = (
  prompts: string[],
  onResult?: (index: number, result: string) => void,
) => Promise<string[]>;

/** What {@linkcode cachedBatch} returns. */
export interface CachedBatchResult {
  /** One result per prompt, in the order of the prompts. */
  results: string[];
  /** Prompts answered from entries stored before this batch. */
  hits: number;
  /** Distinct prompts that were sent (each one sub-model call). */
  misses: number;
  /**
   * Prompts answered by another prompt's single call: repeats within this batch, and prompts a
   * concurrent batch was already sending (see {@linkcode CachedBatchOptions.inFlight}).
   */
  deduped: number;
}

/** Options of {@linkcode cachedBatch}. */
export interface CachedBatchOptions {
  /**
   * Keys being sent right now by other batches over the same cache. A miss found here is
   * awaited instead of sent (counted in `deduped`), so concurrent `llm_query` calls with one
   * prompt make one call. Share one Map per sub-model and run; {@linkcode cacheBatcher} does.
   */
  inFlight?: Map<string, Promise<string>>;
}

/** How the last line of an answer cut by the sub-model's output limit starts. */
export const TRUNCATED_MARK = "[TRUNCATED:";

/**
 * Appends the truncation notice to an answer cut by the output limit (see
 * {@linkcode isTruncated}); such an answer is returned to the caller but never cached.
 *
 * @param text The partial answer.
 * @param reason Why it is cut, e.g. "reached the output limit (4096 tokens)".
 */
export function markTruncated(text: string, reason: string): string {
  return `${text.trimEnd()}\n\n${TRUNCATED_MARK} ${reason}]`;
}

/** Whether an answer carries the truncation notice as its last line. */
export function isTruncated(result: string): boolean {
  const lastLine = result.trimEnd().split("\n").at(-1) ?? "";
  return lastLine.startsWith(TRUNCATED_MARK);
}

/**
 * Whether a sub-model result may be stored: errors (`[ERROR...`), empty or whitespace-only
 * answers and answers cut by the output limit (`[TRUNCATED: ...]` last line) are never cached,
 * so the next run retries them.
 */
export function isCacheable(result: unknown): result is string {
  return typeof result === "string" && result.trim() !== "" &&
    !result.trimStart().startsWith("[ERROR") && !isTruncated(result);
}

/**
 * Answers `prompts` through `cache`: looks every prompt up first, sends only the misses (a
 * prompt repeated within the batch is sent once), stores the good results and merges all
 * results back in the original order.
 *
 * Without a cache (`--no-cache`) nothing is read, written or deduplicated: `send` receives
 * exactly `prompts`, and hits and misses are both 0 (no look-up happened).
 *
 * @param cache The cache, or undefined to bypass it.
 * @param keyParts The key parts (model, system prompt, settings) for one prompt.
 * @param prompts The prompts, in the caller's order.
 * @param send Sends prompts to the sub-model; resolves with one result per prompt, in order
 *   (failed items as `[ERROR ...]` strings), and may report each one early (see
 *   {@linkcode BatchSender}).
 * @param options In-flight sharing between concurrent batches.
 * @returns The merged results and how many were hits, misses and in-batch repeats.
 * @throws {RangeError} When `send` returns a different number of results than prompts.
 *   Whatever `send` throws (an abort, for instance) is passed on and nothing is stored.
 *
 * @example
 * ```ts
 * import { cachedBatch } from "./batch.ts";
 * import { MemoryCache } from "./memory.ts";
 * const cache = new MemoryCache();
 * const parts = (prompt: string) => ({ model: "m", system: "", prompt, maxTokens: 100 });
 * const send = (ps: string[]) => Promise.resolve(ps.map((p) => p.toUpperCase()));
 * import assert from "node:assert/strict";
 * const first = await cachedBatch(cache, parts, ["a", "b", "a"], send);
 * assert.deepEqual([first.results, first.misses], [["A", "B", "A"], 2]); // "a" sent once
 * const again = await cachedBatch(cache, parts, ["b", "a"], send);
 * assert.deepEqual([again.results, again.hits], [["B", "A"], 2]); // nothing sent
 * ```
 */
export async function cachedBatch(
  cache: Cache | undefined,
  keyParts: (prompt: string) => CacheKeyParts,
  prompts: string[],
  send: BatchSender,
  options: CachedBatchOptions = {},
): Promise<CachedBatchResult> {
  if (!cache) {
    const results = await sendChecked(send, prompts, () => {});
    return { results, hits: 0, misses: 0, deduped: 0 };
  }

  const partsList = prompts.map(keyParts);
  const keys = await Promise.all(partsList.map(cacheKey));

  // First occurrence of each distinct key: it is looked up once and, on a miss, sent once.
  const firstIndex = new Map<string, number>();
  keys.forEach((key, i) => {
    if (!firstIndex.has(key)) firstIndex.set(key, i);
  });
  const found = new Map<string, string>();
  await Promise.all([...firstIndex.keys()].map(async (key) => {
    const entry = await safeGet(cache, key);
    if (entry !== undefined) found.set(key, entry);
  }));

  // Misses another batch is already sending are awaited, not sent again. Checking and
  // registering happen in one synchronous step, so two batches never both send a key.
  const inFlight = options.inFlight;
  const shared = new Map<string, Promise<string>>();
  const missKeys: string[] = [];
  for (const key of firstIndex.keys()) {
    if (found.has(key)) continue;
    const pending = inFlight?.get(key);
    if (pending) shared.set(key, pending);
    else missKeys.push(key);
  }
  const settle = new Map<string, { resolve(v: string): void; reject(e: unknown): void }>();
  if (inFlight) {
    for (const key of missKeys) {
      const promise = new Promise<string>((resolve, reject) =>
        settle.set(key, { resolve, reject })
      );
      promise.catch(() => {}); // a failure is reported to this batch's caller; waiters get it too
      inFlight.set(key, promise);
    }
  }

  // Each answer is stored (and handed to waiting batches) once, as soon as it is known: when
  // the sender reports it, else when the whole batch returns.
  const fresh = new Map<string, string>();
  const stores: Promise<void>[] = [];
  const accept = (i: number, result: string) => {
    const key = missKeys[i];
    if (key === undefined || fresh.has(key)) return;
    fresh.set(key, result);
    if (isCacheable(result)) {
      stores.push(safeSet(cache, key, result, partsList[firstIndex.get(key)!].model));
    }
    settle.get(key)?.resolve(result);
  };
  try {
    const sent = await sendChecked(
      send,
      missKeys.map((key) => prompts[firstIndex.get(key)!]),
      accept,
    );
    sent.forEach((result, i) => accept(i, result));
  } catch (error) {
    for (const { reject } of settle.values()) reject(error);
    throw error;
  } finally {
    for (const key of settle.keys()) inFlight?.delete(key);
    // Answers that arrived before a failure are kept too.
    await Promise.all(stores);
  }
  for (const [key, pending] of shared) fresh.set(key, await pending);

  let hits = 0;
  let deduped = 0;
  const results = keys.map((key, i) => {
    const hit = found.get(key);
    if (hit !== undefined) {
      hits++;
      return hit;
    }
    if (firstIndex.get(key) !== i || shared.has(key)) deduped++;
    return fresh.get(key)!;
  });
  return { results, hits, misses: missKeys.length, deduped };
}

/**
 * Binds {@linkcode cachedBatch} to one sub-model's settings, giving the `(prompts, send)` shape
 * the engine's sub-query dispatcher takes as its `batch` dependency. Concurrent calls of the
 * returned function share in-flight prompts (one call per distinct prompt at a time).
 *
 * @param cache The open cache (pass no batcher at all for `--no-cache`).
 * @param settings Model id, system prompt and generation settings of every sub-model call.
 * @returns A function answering prompts through the cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheBatcher } from "./batch.ts";
 * import { MemoryCache } from "./memory.ts";
 * const batch = cacheBatcher(new MemoryCache(), { model: "m", system: "s", maxTokens: 4096 });
 * const { results } = await batch(["q"], (ps) => Promise.resolve(ps.map(() => "a")));
 * assert.deepEqual(results, ["a"]);
 * ```
 */
export function cacheBatcher(
  cache: Cache,
  settings: Omit<CacheKeyParts, "prompt">,
): (prompts: string[], send: BatchSender) => Promise<CachedBatchResult> {
  const inFlight = new Map<string, Promise<string>>();
  return (prompts, send) =>
    cachedBatch(cache, (prompt) => ({ ...settings, prompt }), prompts, send, { inFlight });
}

async function sendChecked(
  send: BatchSender,
  prompts: string[],
  onResult: (index: number, result: string) => void,
): Promise<string[]> {
  if (prompts.length === 0) return [];
  const results = await send(prompts, onResult);
  if (!Array.isArray(results) || results.length !== prompts.length) {
    throw new RangeError(
      `sub-model sender returned ${
        Array.isArray(results) ? results.length : typeof results
      } results for ${prompts.length} prompts`,
    );
  }
  return results;
}

/** A cache read that fails counts as a miss; the batch still completes. */
async function safeGet(cache: Cache, key: string): Promise<string | undefined> {
  try {
    return (await cache.get(key))?.value;
  } catch {
    return undefined;
  }
}

/** A cache write that fails loses only the saving on the next run. */
async function safeSet(cache: Cache, key: string, value: string, model: string): Promise<void> {
  try {
    await cache.set(key, value, model);
  } catch {
    // The result is still returned to the caller.
  }
}
