/**
 * An in-memory {@linkcode Cache}: for tests, and for runs where the disk cache is unusable.
 *
 * @module
 */
import type { Cache, CacheEntry, CacheStats } from "./types.ts";
import { isFresh } from "./ttl.ts";

/** Options of {@linkcode MemoryCache}. */
export interface MemoryCacheOptions {
  /** Clock in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * Keeps entries in a Map for the life of the process, with the same lifetime rule as the KV
 * cache.
 *
 * @example
 * ```ts
 * import { MemoryCache } from "./memory.ts";
 * const cache = new MemoryCache();
 * await cache.set("k", "answer", "some/model");
 * import assert from "node:assert/strict";
 * assert.equal((await cache.get("k"))?.value, "answer");
 * ```
 */
export class MemoryCache implements Cache {
  #entries = new Map<string, CacheEntry>();
  #now: () => number;

  constructor(options: MemoryCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  get(key: string): Promise<CacheEntry | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return Promise.resolve(undefined);
    if (!isFresh(entry.storedAt, this.#now())) {
      this.#entries.delete(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve({ ...entry });
  }

  set(key: string, value: string, model: string): Promise<void> {
    this.#entries.set(key, { value, model, storedAt: this.#now() });
    return Promise.resolve();
  }

  stats(): Promise<CacheStats> {
    const now = this.#now();
    const stats: CacheStats = { path: ":memory:", entries: 0, totalBytes: 0, perModel: {} };
    let expired = 0;
    const encoder = new TextEncoder();
    for (const entry of this.#entries.values()) {
      if (!isFresh(entry.storedAt, now)) {
        expired++;
        continue;
      }
      stats.entries++;
      stats.totalBytes += encoder.encode(entry.value).length;
      stats.perModel[entry.model] = (stats.perModel[entry.model] ?? 0) + 1;
      if (stats.oldest === undefined || entry.storedAt < stats.oldest) {
        stats.oldest = entry.storedAt;
      }
      if (stats.newest === undefined || entry.storedAt > stats.newest) {
        stats.newest = entry.storedAt;
      }
    }
    stats.expired = expired;
    return Promise.resolve(stats);
  }

  clear(olderThanMs?: number): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (olderThanMs === undefined || now - entry.storedAt >= olderThanMs) {
        this.#entries.delete(key);
        removed++;
      }
    }
    return Promise.resolve(removed);
  }

  close(): void {
    // Nothing to release.
  }
}
