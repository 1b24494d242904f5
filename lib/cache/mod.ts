/**
 * The sub-model result cache: content-hash keys, a 7-day lifetime, Deno KV on disk.
 *
 * ```ts ignore
 * import { cachedBatch, openKvCache, resolveCacheDir } from "./mod.ts";
 * const cache = await openKvCache(resolveCacheDir(env), { onWarning: warn });
 * const { results, hits } = await cachedBatch(cache, keyParts, prompts, send);
 * ```
 *
 * @module
 */
export type { Cache, CacheEntry, CacheStats } from "./types.ts";
export { CACHE_TTL_MS, isFresh } from "./ttl.ts";
export { cacheKey, type CacheKeyParts } from "./key.ts";
export { resolveCacheDir } from "./dir.ts";
export { MemoryCache, type MemoryCacheOptions } from "./memory.ts";
export { DisabledCache } from "./disabled.ts";
export {
  KV_FILE_NAME,
  KvCache,
  type KvCacheOptions,
  type KvOpenFailure,
  type KvOpenResult,
  kvPath,
  openFailureMessage,
  openKvCache,
  tryOpenKvCache,
} from "./kv.ts";
export { findDamage } from "./kv_integrity.ts";
export {
  type BatchSender,
  cacheBatcher,
  cachedBatch,
  type CachedBatchOptions,
  type CachedBatchResult,
  isCacheable,
  isTruncated,
  markTruncated,
  TRUNCATED_MARK,
} from "./batch.ts";
