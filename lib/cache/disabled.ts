/**
 * The cache used when the real one cannot be: reads miss, writes vanish, nothing throws.
 *
 * @module
 */
import type { Cache, CacheEntry, CacheStats } from "./types.ts";

/** A {@linkcode Cache} that stores nothing; the run continues uncached. */
export class DisabledCache implements Cache {
  /**
   * @param path The cache location that could not be used (reported by `stats`).
   * @param reason Why it could not be used.
   */
  constructor(readonly path: string, readonly reason: string) {}

  get(_key: string): Promise<CacheEntry | undefined> {
    return Promise.resolve(undefined);
  }

  set(_key: string, _value: string, _model: string): Promise<void> {
    return Promise.resolve();
  }

  stats(): Promise<CacheStats> {
    return Promise.resolve({ path: this.path, entries: 0, totalBytes: 0, perModel: {} });
  }

  clear(_olderThanMs?: number): Promise<number> {
    return Promise.resolve(0);
  }

  close(): void {
    // Nothing to release.
  }
}
