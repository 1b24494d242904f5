/**
 * The codebase loader: a local folder or a git URL in, a {@linkcode CodebaseSnapshot} out
 * (`codebase`, `file_tree`, `metadata`, and a ledger of what was loaded or skipped and why).
 *
 * @example
 * ```ts ignore
 * import { loadCodebase } from "./lib/loader/mod.ts";
 * const loaded = await loadCodebase("https://github.com/owner/repo", { cwd: Deno.cwd() });
 * try {
 *   console.log(loaded.snapshot.metadata.total_files);
 * } finally {
 *   await loaded.dispose();
 * }
 * ```
 *
 * @module
 */
import type { CodebaseSnapshot } from "./types.ts";
import { EnvironmentError } from "../errors.ts";
import { cloneRepository, isGitUrl, redactUrl, removeFolder, repoNameFromUrl } from "./git.ts";
import { loadFolder, type LoadProgress } from "./load_folder.ts";

export type * from "./types.ts";
export type { LoadProgress } from "./load_folder.ts";
export { isGitUrl } from "./git.ts";

/** Options of {@linkcode loadCodebase}. */
export interface LoadOptions {
  /** Folder a relative path is resolved against. */
  cwd: string;
  /** Aborting stops the clone or the read and throws `InterruptedError`. */
  signal?: AbortSignal;
  /**
   * Most file reads in flight at once when reads go asynchronous (slow or cold storage; cached
   * files are read synchronously, which is faster). 32 keeps an SSD's or a network file
   * system's queue busy while staying far below the usual 256–1024 open-file limit, and the
   * memory held by reads in flight is bounded by 32 × 500 KB.
   * @default {32}
   */
  concurrency?: number;
  /** Progress of the clone, the scan and the reads. */
  onProgress?(progress: LoadProgress): void;
  /** `--include` globs: when any are given, only matching files are loaded. */
  include?: readonly string[];
  /** `--exclude` globs: matching files and folders are left out. */
  exclude?: readonly string[];
  /**
   * Replace secrets in file contents by `[REDACTED:<rule>]` (`--no-redact` turns it off).
   * @default {true}
   */
  redact?: boolean;
  /** Told each warning of the load (also kept in `snapshot.warnings`), after loading. */
  onWarning?(message: string): void;
}

/** A loaded codebase and the means to clean up after it. */
export interface LoadedCodebase {
  snapshot: CodebaseSnapshot;
  /** Removes the temporary clone of a git URL (a no-op for folders). Safe to call twice. */
  dispose(): Promise<void>;
}

/** Default for {@linkcode LoadOptions.concurrency}. */
export const DEFAULT_CONCURRENCY = 32;

/** Characters per token assumed by {@linkcode estimateTokens}. */
export const CHARS_PER_TOKEN = 4;

/**
 * Loads a local folder or a git URL.
 *
 * A git URL (see {@linkcode isGitUrl}) is shallow-cloned into a temporary folder, which is
 * removed when loading fails and otherwise by `dispose()`; `repo_name` is the URL's last
 * segment without `.git`. A folder is read in place; `repo_name` is its name.
 *
 * @param source A path (relative to `options.cwd` or absolute) or a git URL.
 * @throws {EnvironmentError} (exit 2) when the path is missing or not a folder, or nothing in it
 *   can be loaded.
 * @throws {RunError} (exit 1) when the clone fails: `could not clone <url>: <git's message>`.
 * @throws {InterruptedError} (exit 130) when `options.signal` is aborted.
 */
export async function loadCodebase(source: string, options: LoadOptions): Promise<LoadedCodebase> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (isGitUrl(source)) return await _loadGitUrl(source.trim(), options);

  const root = await resolveFolder(source, options.cwd);
  const snapshot = await loadFolder(root, {
    repoName: root.slice(root.lastIndexOf("/") + 1) || root,
    source,
    concurrency,
    ...folderOptions(options),
  });
  snapshot.warnings.forEach((w) => options.onWarning?.(w));
  return { snapshot, dispose: () => Promise.resolve() };
}

/**
 * Clones `url` and loads the clone; the clone is removed on failure, or by `dispose()`.
 * Exported for tests, which pass `tempRoot` to watch for leftovers without touching `TMPDIR`
 * (test files may share one process).
 */
export async function _loadGitUrl(
  url: string,
  options: LoadOptions,
  tempRoot?: string,
): Promise<LoadedCodebase> {
  options.onProgress?.({ phase: "clone", done: 0, total: 0 });
  const dir = await cloneRepository(url, { signal: options.signal, tempRoot });
  try {
    const snapshot = await loadFolder(dir, {
      repoName: repoNameFromUrl(url),
      // Everything downstream (reports, metrics, trajectory, dry runs) shows this, never the
      // URL with its credentials.
      source: redactUrl(url),
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      ...folderOptions(options),
    });
    snapshot.warnings.forEach((w) => options.onWarning?.(w));
    let disposed: Promise<void> | undefined;
    return { snapshot, dispose: () => disposed ??= removeFolder(dir) };
  } catch (error) {
    await removeFolder(dir);
    throw error;
  }
}

/** The options a folder load takes from {@linkcode LoadOptions}. */
function folderOptions(options: LoadOptions) {
  return {
    signal: options.signal,
    onProgress: options.onProgress,
    include: options.include,
    exclude: options.exclude,
    redact: options.redact,
  };
}

/**
 * Checks a source before any expensive work: a local path must exist and be a folder (git URLs
 * are checked by cloning). Commands call it first, so a mistyped path is reported before a
 * missing API key.
 *
 * @throws {EnvironmentError} When the path is missing or not a folder.
 */
export async function checkSource(source: string, cwd: string): Promise<void> {
  if (!isGitUrl(source)) await resolveFolder(source, cwd);
}

/**
 * Estimated tokens for `chars` characters of code, at {@linkcode CHARS_PER_TOKEN} characters per
 * token (source code with its whitespace and identifiers averages 3.5–4.5 with Claude's and GPT's
 * tokenizers; 4 is the usual rule of thumb). For estimates only, such as `--dry-run`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(estimateTokens(10_000), 2500);
 * ```
 */
export function estimateTokens(chars: number): number {
  return Math.ceil(Math.max(0, chars) / CHARS_PER_TOKEN);
}

/** The canonical absolute path of an existing folder, or a one-line EnvironmentError. */
async function resolveFolder(source: string, cwd: string): Promise<string> {
  const path = source.startsWith("/") || /^[A-Za-z]:[\\/]/.test(source)
    ? source
    : `${cwd.replace(/[\\/]+$/, "")}/${source}`;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new EnvironmentError(`path not found: ${source}`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new EnvironmentError(`cannot access ${source}: permission denied`);
    }
    throw new EnvironmentError(`cannot access ${source}: ${(error as Error).message}`);
  }
  if (!info.isDirectory) throw new EnvironmentError(`not a folder: ${source}`);
  return (await Deno.realPath(path)).replaceAll("\\", "/");
}
