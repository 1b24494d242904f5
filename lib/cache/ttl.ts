/**
 * How long a cached sub-model result stays valid.
 *
 * @module
 */

/** Lifetime of a cache entry: 7 days, in milliseconds. An entry this old or older is a miss. */
export const CACHE_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Whether an entry stored at `storedAt` is still valid at `now`. An entry stamped in the future
 * is never valid: it could only come from a clock gone wrong or a planted database, and would
 * otherwise never expire.
 *
 * @param storedAt Milliseconds since the epoch when the entry was written.
 * @param now The current time in milliseconds since the epoch.
 * @returns True while the entry is younger than {@linkcode CACHE_TTL_MS} and not from the future.
 *
 * @example
 * ```ts
 * import { isFresh, CACHE_TTL_MS } from "./ttl.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isFresh(0, CACHE_TTL_MS - 1), true);
 * assert.equal(isFresh(0, CACHE_TTL_MS), false);
 * assert.equal(isFresh(1000, 0), false); // stamped in the future
 * ```
 */
export function isFresh(storedAt: number, now: number): boolean {
  return storedAt <= now && now - storedAt < CACHE_TTL_MS;
}
