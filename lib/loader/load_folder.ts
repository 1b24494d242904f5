/**
 * Loads one local folder into a {@linkcode CodebaseSnapshot}: walk, read, then derive the tree
 * and the metadata.
 *
 * @module
 */
import type { CodebaseSnapshot, FileRecord, SkippedFile } from "./types.ts";
import { EnvironmentError } from "../errors.ts";
import { formatInt } from "../format.ts";
import { type FileIo, MAX_FILE_BYTES, readFiles, type ReadMode } from "./read_files.ts";
import { comparePaths, walkFolder } from "./walk.ts";
import { buildFileTree } from "./tree.ts";
import { findEntryPoints } from "./entry_points.ts";
import { buildMetadata } from "./metadata.ts";

/** Progress of a load, for a live status line. */
export interface LoadProgress {
  /** `clone`: git is fetching; `scan`: listing folders; `read`: reading `total` files. */
  phase: "clone" | "scan" | "read";
  done: number;
  total: number;
}

/** Options of {@linkcode loadFolder}. */
export interface FolderLoadOptions {
  /** `metadata.repo_name` and the first line of the tree. */
  repoName: string;
  /** What the user gave (path or URL), kept in the snapshot and used in messages. */
  source: string;
  /** Most asynchronous reads in flight (see `read_files.ts`). */
  concurrency: number;
  signal?: AbortSignal;
  onProgress?(progress: LoadProgress): void;
  /** @default {"auto"} */
  readMode?: ReadMode;
  /** File system calls for reading; tests replace them. */
  io?: FileIo;
}

/**
 * Loads the folder `root` (absolute, existing).
 *
 * @throws {EnvironmentError} when no file in the folder can be loaded.
 * @throws {InterruptedError} when `signal` is aborted.
 */
export async function loadFolder(
  root: string,
  options: FolderLoadOptions,
): Promise<CodebaseSnapshot> {
  options.onProgress?.({ phase: "scan", done: 0, total: 0 });
  const walk = await walkFolder(root, { signal: options.signal });
  const total = walk.files.length;
  options.onProgress?.({ phase: "read", done: 0, total });
  const outcomes = await readFiles(root, walk.files, {
    concurrency: options.concurrency,
    signal: options.signal,
    mode: options.readMode,
    io: options.io,
    onProgress: (done) => options.onProgress?.({ phase: "read", done, total }),
  });

  const codebase: Record<string, string> = {};
  const files: FileRecord[] = [];
  const skipped: SkippedFile[] = walk.skipped;
  let binaries = 0;
  walk.files.forEach((path, i) => {
    const outcome = outcomes[i];
    let content: string;
    switch (outcome.kind) {
      case "binary":
        skipped.push({ path, reason: "binary" });
        binaries++;
        return;
      case "text":
        content = outcome.text;
        files.push({ path, chars: content.length, bytes: outcome.bytes, status: "included" });
        break;
      case "too_large":
        content = `[FILE TOO LARGE: ${formatInt(outcome.bytes)} bytes, skipped]`;
        files.push({
          path,
          chars: content.length,
          bytes: outcome.bytes,
          status: "too_large",
          reason: `larger than ${formatInt(MAX_FILE_BYTES)} bytes`,
        });
        break;
      case "error":
        content = `[READ ERROR: ${outcome.reason}]`;
        files.push({
          path,
          chars: content.length,
          bytes: outcome.bytes,
          status: "read_error",
          reason: outcome.reason,
        });
        break;
    }
    codebase[path] = content;
  });
  if (binaries > 0) skipped.sort((a, b) => comparePaths(a.path, b.path));

  if (files.length === 0) throw new EnvironmentError(nothingLoadable(options.source, skipped));

  const entryPoints = findEntryPoints(codebase);
  return {
    codebase,
    fileTree: buildFileTree(options.repoName, walk.files.filter((p) => p in codebase)),
    metadata: buildMetadata(options.repoName, files, codebase, entryPoints),
    files,
    skipped,
    root,
    source: options.source,
  };
}

/** One line saying why nothing was loaded, with what was skipped. */
function nothingLoadable(source: string, skipped: readonly SkippedFile[]): string {
  if (skipped.length === 0) return `nothing to analyze: ${source} contains no files`;
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  const summary = [...counts].map(([reason, n]) => `${n} ${reason.replace("_", " ")}`).join(", ");
  return `nothing to analyze: ${source} has no source, config or doc files to load ` +
    `(skipped: ${summary})`;
}
