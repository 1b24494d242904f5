/**
 * The sub-model result cache port.
 *
 * @module
 */

/** One cached sub-model result. */
export interface CacheEntry {
  value: string;
  model: string;
  /** Milliseconds since the epoch when the entry was stored. */
  storedAt: number;
}

/** Statistics for `deeprepo cache stats`. */
export interface CacheStats {
  path: string;
  entries: number;
  totalBytes: number;
  oldest?: number;
  newest?: number;
  perModel: Record<string, number>;
}

/** A content-addressed store of sub-model results. */
export interface Cache {
  /** The entry for `key` if present and younger than the lifetime, else undefined. */
  get(key: string): Promise<CacheEntry | undefined>;
  /** Stores a value; never throws for oversized values. */
  set(key: string, value: string, model: string): Promise<void>;
  stats(): Promise<CacheStats>;
  /** Removes entries (all, or those older than `olderThanMs`); returns how many. */
  clear(olderThanMs?: number): Promise<number>;
  close(): void;
}
