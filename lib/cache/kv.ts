/**
 * The {@linkcode Cache} on Deno KV: one SQLite file under the cache folder, shared safely by
 * concurrent deeprepo processes.
 *
 * @module
 */
import type { Cache, CacheEntry, CacheStats } from "./types.ts";
import { CACHE_TTL_MS, isFresh } from "./ttl.ts";
import { DisabledCache } from "./disabled.ts";
import { withBusyRetry } from "./kv_retry.ts";
import {
  type EntryHeader,
  fitsInline,
  isEntryHeader,
  joinChunks,
  splitChunks,
} from "./kv_value.ts";
import { findDamage } from "./kv_integrity.ts";

/** File name of the KV database inside the cache folder. */
export const KV_FILE_NAME = "subcalls.kv";

const ENTRY = "entry";
const CHUNK = "chunk";
/** Chunks per atomic write: 12 × ≤60 KB stays under KV's 800 KiB per-commit limit. */
const CHUNKS_PER_COMMIT = 12;
/** Deletions per atomic commit when clearing (KV allows 1,000 mutations; keys are ~100 B). */
const DELETES_PER_COMMIT = 200;
/** Chunks outlive their header a little, so KV never reclaims a chunk before its header. */
const CHUNK_GRACE_MS = 24 * 3600 * 1000;

/** Options of {@linkcode openKvCache}. */
export interface KvCacheOptions {
  /** Clock in milliseconds since the epoch; decides `storedAt` and expiry. @default Date.now */
  now?: () => number;
  /**
   * Called at most once per cache, when the database cannot be opened or an operation fails;
   * the cache then stops reading and writing and the run continues uncached.
   */
  onWarning?(message: string): void;
}

/** Why the cache database could not be opened; each asks the user for a different fix. */
export type KvOpenFailure =
  /** Deno KV is not enabled in this Deno (run with `--unstable-kv`); the file is untouched. */
  | "unavailable"
  /** The file is damaged or is not a database: `deeprepo cache clear` removes it. */
  | "corrupt"
  /** The folder or file cannot be created, opened or locked (permissions, a file in the way). */
  | "unusable"
  /** The folder or a database file is a symbolic link (or not a regular file): never followed. */
  | "unsafe";

/** The outcome of {@linkcode tryOpenKvCache}. */
export type KvOpenResult =
  | { ok: true; cache: KvCache }
  | { ok: false; path: string; kind: KvOpenFailure; reason: string };

/** Path of the KV database for a cache folder. */
export function kvPath(dir: string): string {
  return `${dir.replace(/[\\/]+$/, "")}/${KV_FILE_NAME}`;
}

/** SQLite's messages for a damaged file, as `Deno.openKv` passes them on. */
const DAMAGE = /not a database|malformed|corrupt/i;

/**
 * Opens (creating if needed) the cache folder and its KV database.
 *
 * A damaged file is found by {@linkcode findDamage} before Deno KV opens it (KV would crash the
 * process on it), and is never modified here.
 *
 * @param dir The cache folder (see `resolveCacheDir`).
 * @param options Clock and warning callback.
 * @returns The cache, or why it could not be opened and what kind of problem that is.
 */
export async function tryOpenKvCache(
  dir: string,
  options: KvCacheOptions = {},
): Promise<KvOpenResult> {
  const path = kvPath(dir);
  const failed = (kind: KvOpenFailure, reason: string): KvOpenResult => ({
    ok: false,
    path,
    kind,
    reason: oneLine(reason),
  });
  // Without --unstable-kv (e.g. run from a URL without the flag) the API is simply absent.
  if (typeof Deno.openKv !== "function") {
    return failed("unavailable", "Deno KV is not enabled; run deno with --unstable-kv");
  }
  const refused = await prepareFiles(dir, path);
  if (refused) return failed(refused.kind, refused.reason);
  const damage = await findDamage(path);
  if (damage) return failed("corrupt", damage);
  try {
    const kv = await withBusyRetry(() => Deno.openKv(path));
    try {
      // Opening is lazy about some damage; one read proves the file is a usable database.
      await withBusyRetry(() => kv.get([ENTRY, ""]));
    } catch (error) {
      kv.close();
      throw error;
    }
    return { ok: true, cache: new KvCache(kv, path, options) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failed(DAMAGE.test(reason) ? "corrupt" : "unusable", reason);
  }
}

/** SQLite's side files next to the database. */
const SIDE_FILES = ["-wal", "-shm", "-journal"];

/**
 * Makes sure the cache folder and database can be used without following a link: a folder or
 * file that is a symbolic link (or a database path that is not a regular file) is refused. A
 * missing folder is created 0700 and a missing database file 0600 (SQLite gives its side files
 * the database's mode), so the cached prompts and answers are readable by the user only.
 *
 * @returns Why the cache is refused, or undefined when it may be opened.
 */
async function prepareFiles(
  dir: string,
  path: string,
): Promise<{ kind: KvOpenFailure; reason: string } | undefined> {
  const unsafe = (reason: string) => ({ kind: "unsafe" as const, reason });
  const folder = await lstatOrUndefined(dir);
  if (folder?.isSymlink) return unsafe(`the cache folder ${dir} is a symbolic link`);
  if (!folder) {
    try {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch {
      return undefined; // Deno.openKv reports why the folder cannot be made.
    }
  }
  for (const file of [path, ...SIDE_FILES.map((suffix) => path + suffix)]) {
    const info = await lstatOrUndefined(file);
    if (info?.isSymlink) return unsafe(`the cache file ${file} is a symbolic link`);
    if (info && !info.isFile) {
      return { kind: "unusable", reason: `${file} is not a regular file` };
    }
  }
  try {
    const created = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    created.close();
  } catch {
    // It exists already (or cannot be made, which Deno.openKv reports): keep it the user's.
    await Deno.chmod(path, 0o600).catch(() => {});
  }
  return undefined;
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch {
    return undefined;
  }
}

/**
 * Opens the KV cache in `dir` (file `subcalls.kv`). Never throws: a corrupt or unwritable
 * database gives one `onWarning`, naming the fix, and a cache that stores nothing.
 *
 * @param dir The cache folder; created when missing.
 * @param options Clock and warning callback.
 * @returns A working {@linkcode KvCache}, or a {@linkcode DisabledCache}.
 *
 * @example
 * ```ts ignore
 * import { openKvCache } from "./kv.ts";
 * const cache = await openKvCache("/tmp/deeprepo-cache", { onWarning: console.warn });
 * await cache.set("key", "answer", "minimax/minimax-m2.5");
 * cache.close();
 * ```
 */
export async function openKvCache(dir: string, options: KvCacheOptions = {}): Promise<Cache> {
  const opened = await tryOpenKvCache(dir, options);
  if (opened.ok) return opened.cache;
  options.onWarning?.(openFailureMessage(opened));
  return new DisabledCache(opened.path, opened.reason);
}

/** The one-line warning for a cache that could not be opened, with the fix for its kind. */
export function openFailureMessage(failure: Extract<KvOpenResult, { ok: false }>): string {
  const { path, reason } = failure;
  switch (failure.kind) {
    case "unavailable":
      return `sub-model cache disabled: ${reason}; continuing without cache`;
    case "corrupt":
      return `sub-model cache disabled: ${path} is damaged (${reason}); continuing without ` +
        "cache (run `deeprepo cache clear` to reset it)";
    case "unusable":
      return `sub-model cache disabled: cannot open ${path} (${reason}); continuing without ` +
        "cache (set DEEPREPO_CACHE_DIR to a writable folder, or pass --no-cache)";
    case "unsafe":
      return `sub-model cache disabled: ${reason}, which deeprepo never follows; continuing ` +
        "without cache (remove the link, or set DEEPREPO_CACHE_DIR to a real folder)";
  }
}

/**
 * Entries in Deno KV. `get` and `set` never throw: the first failure warns once and turns the
 * cache off for the rest of the run. `stats` and `clear` (used by `deeprepo cache`) do throw.
 */
export class KvCache implements Cache {
  #kv: Deno.Kv;
  #now: () => number;
  #onWarning?: (message: string) => void;
  #failed = false;
  #closed = false;
  /** Writes under way; `close` lets them finish before releasing the database. */
  #writes = new Set<Promise<void>>();

  /** Use {@linkcode openKvCache}; this constructor takes an already opened database. */
  constructor(kv: Deno.Kv, readonly path: string, options: KvCacheOptions = {}) {
    this.#kv = kv;
    this.#now = options.now ?? Date.now;
    this.#onWarning = options.onWarning;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    if (this.#failed || this.#closed) return undefined;
    try {
      const res = await withBusyRetry(() => this.#kv.get<unknown>([ENTRY, key]));
      const header = res.value;
      if (!isEntryHeader(header) || !isFresh(header.t, this.#now())) return undefined;
      const value = header.v ?? await this.#readChunks(key, header);
      if (value === undefined) return undefined;
      return { value, model: header.m, storedAt: header.t };
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
  }

  /**
   * Stores `value`. The header is committed only if the entry is still the one read before
   * writing: when another process stores the same key meanwhile, its entry stays and this
   * write's chunks are removed. Only the replaced entry's own chunks are deleted afterwards, so
   * a concurrent writer's chunks are never lost (they would turn its entry into a miss).
   */
  set(key: string, value: string, model: string): Promise<void> {
    if (this.#failed || this.#closed) return Promise.resolve();
    const write = this.#write(key, value, model);
    this.#writes.add(write);
    return write.finally(() => this.#writes.delete(write));
  }

  async #write(key: string, value: string, model: string): Promise<void> {
    try {
      const t = this.#now();
      const b = new TextEncoder().encode(value).length;
      const previous = await withBusyRetry(() => this.#kv.get<unknown>([ENTRY, key]));
      let header: EntryHeader;
      let writeId: string | undefined;
      if (fitsInline(value, model)) {
        header = { v: value, m: model, t, b };
      } else {
        writeId = crypto.randomUUID();
        const chunks = splitChunks(value);
        await this.#writeChunks(key, writeId, chunks);
        header = { m: model, t, b, n: chunks.length, id: writeId, len: value.length };
      }
      const committed = await withBusyRetry(() =>
        this.#kv.atomic()
          .check(previous)
          .set([ENTRY, key], header, { expireIn: CACHE_TTL_MS })
          .commit()
      );
      if (!committed.ok) {
        // Another writer stored this key first; its answer is as good as ours.
        if (writeId) await this.#dropChunks(key, writeId);
        return;
      }
      const old = previous.value;
      if (isEntryHeader(old) && old.id !== undefined) await this.#dropChunks(key, old.id);
    } catch (error) {
      this.#fail(error);
    }
  }

  async stats(): Promise<CacheStats> {
    const now = this.#now();
    const stats: CacheStats = { path: this.path, entries: 0, totalBytes: 0, perModel: {} };
    let expired = 0;
    for await (const item of this.#kv.list<unknown>({ prefix: [ENTRY] })) {
      const header = item.value;
      if (!isEntryHeader(header)) continue;
      if (!isFresh(header.t, now)) {
        expired++;
        continue;
      }
      stats.entries++;
      stats.totalBytes += header.b;
      stats.perModel[header.m] = (stats.perModel[header.m] ?? 0) + 1;
      if (stats.oldest === undefined || header.t < stats.oldest) stats.oldest = header.t;
      if (stats.newest === undefined || header.t > stats.newest) stats.newest = header.t;
    }
    stats.expired = expired;
    try {
      stats.fileBytes = (await Deno.stat(this.path)).size;
    } catch {
      // In-memory or vanished file: no size to report.
    }
    return stats;
  }

  async clear(olderThanMs?: number): Promise<number> {
    const doomed: Deno.KvKey[] = [];
    let removed = 0;
    if (olderThanMs === undefined) {
      for await (const item of this.#kv.list({ prefix: [] })) {
        doomed.push(item.key);
        if (item.key[0] === ENTRY) removed++;
      }
    } else {
      const now = this.#now();
      for await (const item of this.#kv.list<unknown>({ prefix: [ENTRY] })) {
        const header = item.value;
        const storedAt = isEntryHeader(header) ? header.t : -Infinity;
        if (now - storedAt < olderThanMs) continue;
        doomed.push(item.key);
        removed++;
        for await (const chunk of this.#kv.list({ prefix: [CHUNK, item.key[1]] })) {
          doomed.push(chunk.key);
        }
      }
    }
    for (let i = 0; i < doomed.length; i += DELETES_PER_COMMIT) {
      const op = this.#kv.atomic();
      for (const key of doomed.slice(i, i + DELETES_PER_COMMIT)) op.delete(key);
      await withBusyRetry(() => op.commit());
    }
    return removed;
  }

  /**
   * Refuses new reads and writes at once, lets writes under way finish, then releases the
   * database.
   *
   * @returns Resolves once the database is released.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
    try {
      this.#kv.close();
    } catch {
      // Already released underneath us; callers need not await, so this must never reject.
    }
  }

  async #readChunks(key: string, header: EntryHeader): Promise<string | undefined> {
    const chunks: unknown[] = [];
    const prefix = [CHUNK, key, header.id!];
    for await (const item of this.#kv.list<unknown>({ prefix })) chunks.push(item.value);
    return joinChunks(header, chunks);
  }

  async #writeChunks(key: string, writeId: string, chunks: string[]): Promise<void> {
    const expireIn = CACHE_TTL_MS + CHUNK_GRACE_MS;
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_COMMIT) {
      const op = this.#kv.atomic();
      chunks.slice(i, i + CHUNKS_PER_COMMIT).forEach((chunk, j) => {
        op.set([CHUNK, key, writeId, i + j], chunk, { expireIn });
      });
      const res = await withBusyRetry(() => op.commit());
      if (!res.ok) throw new Error("chunk write was rejected");
    }
  }

  /** Removes the chunks of one write (`writeId`) of `key`. */
  async #dropChunks(key: string, writeId: string): Promise<void> {
    const stale: Deno.KvKey[] = [];
    for await (const item of this.#kv.list({ prefix: [CHUNK, key, writeId] })) {
      stale.push(item.key);
    }
    for (let i = 0; i < stale.length; i += DELETES_PER_COMMIT) {
      const op = this.#kv.atomic();
      for (const k of stale.slice(i, i + DELETES_PER_COMMIT)) op.delete(k);
      await withBusyRetry(() => op.commit());
    }
  }

  #fail(error: unknown): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    const reason = oneLine(error instanceof Error ? error.message : String(error));
    this.#onWarning?.(
      `sub-model cache disabled: ${this.path} failed (${reason}); continuing without cache`,
    );
  }
}

/** Warnings are one line on stderr, whatever the underlying error looks like. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
