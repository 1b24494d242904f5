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

/** Statistics for `deeprepo cache stats`. Only live (unexpired) entries are counted. */
export interface CacheStats {
  /** Where the entries live (the KV file, or `:memory:`). */
  path: string;
  entries: number;
  /** UTF-8 bytes of the cached answers (not the database file). */
  totalBytes: number;
  /** `storedAt` of the oldest and newest live entry. */
  oldest?: number;
  newest?: number;
  perModel: Record<string, number>;
  /** Entries past their lifetime that storage has not reclaimed yet (never served). */
  expired?: number;
  /** Size of the database file on disk, when there is one. */
  fileBytes?: number;
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
  /**
   * Stops reading and writing. Writes already under way still complete: await the result
   * before the process exits so they are not cut off (a run interrupted mid-batch keeps the
   * answers it stored).
   */
  close(): void | Promise<void>;
}
