/**
 * Retrying a Deno KV operation while another process holds the SQLite write lock.
 *
 * @module
 */

/** Options of {@linkcode withBusyRetry}. */
export interface BusyRetryOptions {
  /** Attempts in total, including the first. @default 8 */
  attempts?: number;
  /** Delay before the first retry; doubles each time. @default 25 */
  initialDelayMs?: number;
}

/**
 * Runs `op`, retrying with exponential backoff while it fails with SQLite's "database is
 * locked" / "busy" errors. Any other error is rethrown at once.
 *
 * Deno KV already waits briefly on a locked database; the extra retries (about 6 s in total
 * with the defaults) cover a second deeprepo process writing a long answer at the same moment.
 *
 * @param op The KV operation.
 * @returns What `op` returns.
 * @throws The last error when every attempt failed, or the first error that is not "busy".
 *
 * @example
 * ```ts
 * import { withBusyRetry } from "./kv_retry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await withBusyRetry(() => Promise.resolve(42)), 42);
 * ```
 */
export async function withBusyRetry<T>(
  op: () => Promise<T>,
  options: BusyRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  let delay = options.initialDelayMs ?? 25;
  for (let attempt = 1;; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt >= attempts || !isBusyError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}

/** True for the errors SQLite raises while another connection holds the lock. */
export function isBusyError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /database is locked|database table is locked|SQLITE_BUSY|\bbusy\b/i.test(message);
}
