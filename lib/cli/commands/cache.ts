/**
 * `deeprepo cache stats [--json]` and `deeprepo cache clear [--older-than DAYS]`.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import type { CacheOptions } from "../options.ts";
import { EnvironmentError, UsageError } from "../../errors.ts";
import type { CacheStats } from "../../cache/mod.ts";
import { resolveCacheDir } from "../../cache/mod.ts";
import { type KvOpenResult, kvPath, tryOpenKvCache } from "../../cache/mod.ts";

/** Overridable dependencies of the cache commands (tests inject a clock). */
export interface CacheCommandDeps {
  /** Clock in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Prints the cache's path, live entries, answer bytes, oldest and newest entry and entries per
 * model. A cache that does not exist yet reports 0 entries and is not created.
 *
 * @returns Exit status 0.
 * @throws {EnvironmentError} When the cache file exists but cannot be read (damaged, locked,
 *   no permission, or Deno KV not enabled), naming the fix.
 */
export async function runStats(
  options: CacheOptions,
  ctx: CliContext,
  deps: CacheCommandDeps = {},
): Promise<number> {
  const now = deps.now ?? Date.now;
  const dir = resolveCacheDir(ctx.env, ctx.cwd);
  const path = kvPath(dir);
  let stats: CacheStats = { path, entries: 0, totalBytes: 0, perModel: {}, expired: 0 };
  const present = await exists(path);
  if (present) {
    const opened = await tryOpenKvCache(dir, { now });
    if (!opened.ok) throw openError(opened);
    try {
      stats = await opened.cache.stats();
    } finally {
      opened.cache.close();
    }
  }
  if (options.json) {
    ctx.stdout(JSON.stringify(statsJson(stats), null, 2));
  } else {
    for (const line of statsLines(stats, now(), present)) ctx.stdout(line);
  }
  return 0;
}

/**
 * Removes all entries (or those older than `--older-than DAYS`) and prints how many. A damaged
 * cache file is deleted, since clearing is how the user repairs it; a file that cannot be
 * opened for any other reason (permissions, Deno KV not enabled) is left alone.
 *
 * @returns Exit status 0.
 * @throws {UsageError} When `olderThanDays` is negative or not a number.
 * @throws {EnvironmentError} When the cache cannot be opened, or is damaged and cannot be
 *   removed.
 */
export async function runClear(
  options: CacheOptions,
  ctx: CliContext,
  deps: CacheCommandDeps = {},
): Promise<number> {
  const days = options.olderThanDays;
  if (days !== undefined && !(Number.isFinite(days) && days >= 0)) {
    throw new UsageError(`--older-than must be a number of days >= 0, got ${days}`);
  }
  const dir = resolveCacheDir(ctx.env, ctx.cwd);
  const path = kvPath(dir);
  const scope = days === undefined ? "" : ` older than ${days} day${days === 1 ? "" : "s"}`;
  let removed = 0;
  if (await exists(path)) {
    const opened = await tryOpenKvCache(dir, { now: deps.now });
    if (!opened.ok && opened.kind !== "corrupt") throw openError(opened);
    if (!opened.ok) {
      await removeDatabase(path, opened.reason);
      report(
        ctx,
        options,
        { removed: 0, path, removed_file: true },
        `Removed damaged cache file ${path} (${opened.reason})`,
      );
      return 0;
    }
    try {
      removed = await opened.cache.clear(days === undefined ? undefined : days * DAY_MS);
    } finally {
      opened.cache.close();
    }
  }
  report(
    ctx,
    options,
    days === undefined ? { removed, path } : { removed, path, older_than_days: days },
    `Removed ${removed} cache ${removed === 1 ? "entry" : "entries"}${scope} from ${path}`,
  );
  return 0;
}

function report(ctx: CliContext, options: CacheOptions, json: unknown, text: string): void {
  ctx.stdout(options.json ? JSON.stringify(json, null, 2) : text);
}

/** The error for a cache file that exists but cannot be opened, with the fix for its kind. */
function openError(failure: Extract<KvOpenResult, { ok: false }>): EnvironmentError {
  const { path, reason } = failure;
  switch (failure.kind) {
    case "unavailable":
      return new EnvironmentError(`cannot read the cache ${path}: ${reason}`);
    case "corrupt":
      return new EnvironmentError(
        `cache file ${path} is damaged (${reason}); run \`deeprepo cache clear\` to remove it`,
      );
    case "unusable":
      return new EnvironmentError(`cannot open cache file ${path} (${reason})`);
    case "unsafe":
      return new EnvironmentError(
        `refusing the cache: ${reason}, which deeprepo never follows (remove the link, or set ` +
          "DEEPREPO_CACHE_DIR to a real folder)",
      );
  }
}

/** The JSON shape of `cache stats --json` (snake_case, like the metrics files). */
function statsJson(stats: CacheStats): Record<string, unknown> {
  return {
    path: stats.path,
    entries: stats.entries,
    total_bytes: stats.totalBytes,
    file_bytes: stats.fileBytes ?? 0,
    oldest: stats.oldest === undefined ? null : new Date(stats.oldest).toISOString(),
    newest: stats.newest === undefined ? null : new Date(stats.newest).toISOString(),
    expired: stats.expired ?? 0,
    models: stats.perModel,
  };
}

function statsLines(stats: CacheStats, now: number, present: boolean): string[] {
  const lines = [
    `path     ${stats.path}${present ? "" : " (not created yet)"}`,
    `entries  ${stats.entries}`,
    `size     ${formatBytes(stats.totalBytes)} of answers` +
    (stats.fileBytes === undefined ? "" : `; file ${formatBytes(stats.fileBytes)}`),
  ];
  if (stats.oldest !== undefined) lines.push(`oldest   ${formatTime(stats.oldest, now)}`);
  if (stats.newest !== undefined) lines.push(`newest   ${formatTime(stats.newest, now)}`);
  if (stats.expired) {
    lines.push(`expired  ${stats.expired} (never served; space is reclaimed automatically)`);
  }
  const models = Object.entries(stats.perModel).sort((a, b) =>
    b[1] - a[1] || (a[0] < b[0] ? -1 : 1)
  );
  if (models.length > 0) {
    lines.push("per model");
    const width = Math.max(...models.map(([m]) => m.length));
    for (const [model, count] of models) lines.push(`  ${model.padEnd(width)}  ${count}`);
  }
  return lines;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function formatTime(ms: number, now: number): string {
  const iso = new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return `${iso} (${formatAge(now - ms)})`;
}

function formatAge(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

async function exists(path: string): Promise<boolean> {
  try {
    // lstat: a dangling link is there too, and opening it is refused rather than followed.
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Deletes the database file and SQLite's side files. */
async function removeDatabase(path: string, reason: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    throw new EnvironmentError(
      `cache file ${path} is damaged (${reason}) and could not be removed: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    await Deno.remove(path + suffix).catch(() => {});
  }
}
