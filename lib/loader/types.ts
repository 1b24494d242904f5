/**
 * The snapshot a loader produces: what the REPL sees (`codebase`, `file_tree`, `metadata`)
 * plus a per-file ledger of what was loaded or skipped and why.
 *
 * @module
 */

/** Repository facts shown to the root model and exposed as the REPL's `metadata`. */
export interface RepoMetadata {
  repo_name: string;
  total_files: number;
  total_chars: number;
  total_lines: number;
  /** Extension (e.g. ".ts", or the file name for `Makefile`) → file count. */
  file_types: Record<string, number>;
  /** Top 15 files by characters, largest first. */
  largest_files: [string, number][];
  entry_points: string[];
  /**
   * Language (GitHub Linguist's name, `Other` when unknown) → files and characters, largest
   * first. Counts the files whose content was loaded.
   */
  languages: Record<string, { files: number; chars: number }>;
}

/** Why a file is in the ledger. `included` files carry their real content in `codebase`. */
export type FileStatus = "included" | "too_large" | "read_error";

/** One file that is in `codebase`. */
export interface FileRecord {
  path: string;
  /** Characters of the content as stored in `codebase` (placeholder text for skipped files). */
  chars: number;
  /** Size on disk in bytes. */
  bytes: number;
  status: FileStatus;
  /** For `too_large` and `read_error`: the reason. */
  reason?: string;
}

/** A file the loader left out entirely, with the reason (for `--dry-run` and reports). */
export interface SkippedFile {
  path: string;
  reason: SkipReason;
}

/** Why a file or folder was left out. */
export type SkipReason =
  /** A NUL in the first 8 KB, or a format binary by construction (`.png`, `.zip`, ...). */
  | "binary"
  /** A file that usually holds secrets (`.env`, `*.pem`, `id_rsa`, ...). */
  | "secret"
  | "symlink"
  /** Sockets, FIFOs, devices. */
  | "special"
  | "gitignored"
  /** Matched by `.deeprepoignore` at the repository root. */
  | "deeprepoignored"
  /** Matched by an `--exclude` glob. */
  | "excluded"
  /** Not matched by any `--include` glob (when some were given). */
  | "not_included"
  /** A dependency lockfile (`package-lock.json`, `Cargo.lock`, ...). */
  | "lockfile"
  /** `*.min.js`/`*.min.css`, or lines averaging over 500 characters. */
  | "minified"
  /** `linguist-generated` in `.gitattributes`, or a source map (`*.map`). */
  | "generated"
  /** `linguist-vendored` in `.gitattributes`. */
  | "vendored"
  | "skipped_folder"
  /** A folder that could not be listed. */
  | "unreadable";

/** The loaded codebase. */
export interface CodebaseSnapshot {
  /** Relative path with `/` → content (or a `[FILE TOO LARGE ...]`/`[READ ERROR ...]` marker). */
  codebase: Record<string, string>;
  /** Indented tree, depth 4. */
  fileTree: string;
  metadata: RepoMetadata;
  /** Every file in `codebase`, sorted by path. */
  files: FileRecord[];
  /** Files seen but not loaded. */
  skipped: SkippedFile[];
  /** Where the files were read from (a temporary clone for git URLs). */
  root: string;
  /** The source the user gave: a path, or a git URL with its credentials redacted. */
  source: string;
  /**
   * Secrets replaced by `[REDACTED:<rule>]` before the codebase reached anyone: rule → count.
   * Empty when none were found; `null` when redaction was turned off (`--no-redact`).
   */
  secretsRedacted: Record<string, number> | null;
  /** Problems that did not stop the load (a glob that matched nothing, an unreadable ignore
   * file, an ignore pattern refused as too costly), one sentence each. */
  warnings: string[];
}
