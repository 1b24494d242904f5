/**
 * Loads one local folder into a {@linkcode CodebaseSnapshot}: walk, read, then derive the tree
 * and the metadata.
 *
 * @module
 */
import type { CodebaseSnapshot, FileRecord, SkippedFile } from "./types.ts";
import { EnvironmentError, InterruptedError } from "../errors.ts";
import { formatInt } from "../format.ts";
import {
  type FileIo,
  MAX_FILE_BYTES,
  readFiles,
  type ReadMode,
  type ReadOutcome,
} from "./read_files.ts";
import { redactSecrets, SecretScanner } from "./secrets/scanner.ts";
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
  /** `--include` globs (see `filters.ts`). */
  include?: readonly string[];
  /** `--exclude` globs. */
  exclude?: readonly string[];
  /**
   * Mask secrets in file contents before anything else sees them (`--no-redact` = false).
   * @default {true}
   */
  redact?: boolean;
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
  const redact = options.redact ?? true;
  const scanner = redact ? new SecretScanner() : undefined;
  options.onProgress?.({ phase: "scan", done: 0, total: 0 });
  const walk = await walkFolder(root, {
    signal: options.signal,
    include: options.include,
    exclude: options.exclude,
  });
  const total = walk.files.length;
  options.onProgress?.({ phase: "read", done: 0, total });
  const outcomes = await readFiles(root, walk.files, {
    concurrency: options.concurrency,
    signal: options.signal,
    mode: options.readMode,
    io: options.io,
    onProgress: (done) => options.onProgress?.({ phase: "read", done, total }),
    onChunk: scanner &&
      ((start, end, chunk) => submitTexts(scanner, walk.files, chunk, start, end)),
  });
  const findings = scanner?.results() ?? new Map();
  if (options.signal?.aborted) throw new InterruptedError();

  const codebase: Record<string, string> = {};
  const files: FileRecord[] = [];
  const skipped: SkippedFile[] = walk.skipped;
  const secretsRedacted: Record<string, number> = {};
  let skippedByContent = 0;
  walk.files.forEach((path, i) => {
    const outcome = outcomes[i];
    if (outcome.kind === "binary" || outcome.kind === "minified") {
      skipped.push({ path, reason: outcome.kind });
      skippedByContent++;
      return;
    }
    let content = recordOf(path, outcome, files);
    const found = findings.get(i);
    if (found && outcome.kind === "text") {
      content = redactSecrets(content, found);
      for (const f of found) secretsRedacted[f.rule] = (secretsRedacted[f.rule] ?? 0) + 1;
      files[files.length - 1].chars = content.length;
    }
    codebase[path] = content;
  });
  if (skippedByContent > 0) skipped.sort((a, b) => comparePaths(a.path, b.path));

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
    secretsRedacted: redact ? secretsRedacted : null,
    warnings: walk.warnings,
  };
}

/** Sends one chunk's texts to the scanner. */
function submitTexts(
  scanner: SecretScanner,
  paths: readonly string[],
  outcomes: readonly ReadOutcome[],
  start: number,
  end: number,
): void {
  const indices: number[] = [];
  const texts: string[] = [];
  const chunkPaths: string[] = [];
  for (let i = start; i < end; i++) {
    const outcome = outcomes[i];
    if (outcome?.kind !== "text") continue;
    indices.push(i);
    texts.push(outcome.text);
    chunkPaths.push(paths[i]);
  }
  scanner.submit(indices, texts, chunkPaths);
}

/** Adds the ledger record of a file that goes into `codebase` and returns its content. */
function recordOf(
  path: string,
  outcome: Exclude<ReadOutcome, { kind: "binary" | "minified" }>,
  files: FileRecord[],
): string {
  switch (outcome.kind) {
    case "text":
      files.push({ path, chars: outcome.text.length, bytes: outcome.bytes, status: "included" });
      return outcome.text;
    case "too_large": {
      const content = `[FILE TOO LARGE: ${formatInt(outcome.bytes)} bytes, skipped]`;
      files.push({
        path,
        chars: content.length,
        bytes: outcome.bytes,
        status: "too_large",
        reason: `larger than ${formatInt(MAX_FILE_BYTES)} bytes`,
      });
      return content;
    }
    case "error": {
      const content = `[READ ERROR: ${outcome.reason}]`;
      files.push({
        path,
        chars: content.length,
        bytes: outcome.bytes,
        status: "read_error",
        reason: outcome.reason,
      });
      return content;
    }
  }
}

/** One line saying why nothing was loaded, with what was skipped. */
function nothingLoadable(source: string, skipped: readonly SkippedFile[]): string {
  if (skipped.length === 0) return `nothing to analyze: ${source} contains no files`;
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  const summary = [...counts].map(([reason, n]) => `${n} ${reason.replaceAll("_", " ")}`).join(
    ", ",
  );
  return `nothing to analyze: ${source} has no text files to load ` +
    `(skipped: ${summary})`;
}
