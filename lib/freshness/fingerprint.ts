/**
 * What a run saw, recorded in its metrics so a later command can tell exactly what changed:
 * the git commit (dirty or not) and a content hash and size per file in `codebase`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { CodebaseSnapshot } from "../loader/mod.ts";
import { type GitRunner, type GitState, gitState } from "./git_state.ts";
import { withoutBlock } from "./managed_block.ts";

/** Files `deeprepo context --write` manages a block in. */
export const CONTEXT_FILES = {
  agents: "AGENTS.md",
  claude: "CLAUDE.md",
  cursor: ".cursor/rules/deeprepo.mdc",
  copilot: ".github/copilot-instructions.md",
} as const;

const CONTEXT_FILE_PATHS = new Set<string>(Object.values(CONTEXT_FILES));

/** The `snapshot` object of a metrics file. */
export interface Fingerprint {
  /** What was analysed: the folder's absolute path, or the git URL (credentials removed). */
  source: string;
  /** HEAD when the folder is a git checkout, else null. */
  git_commit: string | null;
  /** True when the work tree differed from HEAD; null when unknown. */
  git_dirty: boolean | null;
  /** Path → [content hash (16 hex digits of SHA-256), characters]. */
  files: Record<string, [string, number]>;
}

/** First 16 hex digits of the SHA-256 of `text` (UTF-8). */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Options of {@linkcode fingerprint}. */
export interface FingerprintOptions {
  /** Runner for git (tests pass a fake). */
  git?: GitRunner;
  /** The git state when the caller started reading it already (beside loading). */
  state?: Promise<GitState>;
}

/**
 * Fingerprints a loaded snapshot.
 *
 * @param snapshot The loaded codebase (hashes are of the text as the models saw it).
 * @param options Git runner, or a git state read beside loading.
 */
export async function fingerprint(
  snapshot: CodebaseSnapshot,
  options: FingerprintOptions = {},
): Promise<Fingerprint> {
  const files: Record<string, [string, number]> = {};
  for (const f of snapshot.files) {
    const text = snapshot.codebase[f.path] ?? "";
    // deeprepo's own block in an agent file is not a change to the code: writing it must not
    // make the analysis it came from stale.
    const own = CONTEXT_FILE_PATHS.has(f.path) ? withoutBlock(text) : text;
    files[f.path] = [contentHash(own), own.length];
  }
  const state = await (options.state ?? gitState(snapshot.root, options.git));
  return {
    source: sourceIdentity(snapshot),
    git_commit: state.commit,
    git_dirty: state.dirty,
    files,
  };
}

/**
 * The identity that ties runs of one repository together: the absolute folder for a local
 * source, the URL without credentials for a git URL (whose clone folder changes every run).
 */
export function sourceIdentity(snapshot: Pick<CodebaseSnapshot, "root" | "source">): string {
  return isUrl(snapshot.source) ? withoutCredentials(snapshot.source.trim()) : snapshot.root;
}

function isUrl(source: string): boolean {
  return /^(https?|ssh|git):\/\//i.test(source.trim()) || /^[\w.-]+@[\w.-]+:/.test(source.trim());
}

function withoutCredentials(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^/@]*@/i, "$1");
}

/** What changed between two fingerprints. */
export interface FingerprintDiff {
  added: string[];
  changed: string[];
  removed: string[];
  /** Characters of the earlier run's files that changed or went away. */
  changedChars: number;
  /** Characters the earlier run analysed. */
  analysedChars: number;
}

/**
 * Compares an earlier fingerprint with the current one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffFingerprints, type Fingerprint } from "./fingerprint.ts";
 * const base = { source: "/src/app", git_commit: null, git_dirty: null };
 * const before: Fingerprint = { ...base, files: { "a.ts": ["1", 10], "b.ts": ["2", 30] } };
 * const now: Fingerprint = { ...base, files: { "a.ts": ["1", 10], "c.ts": ["3", 5] } };
 * const diff = diffFingerprints(before, now);
 * assert.deepEqual([diff.added, diff.removed], [["c.ts"], ["b.ts"]]);
 * assert.deepEqual([diff.changedChars, diff.analysedChars], [30, 40]);
 * ```
 */
export function diffFingerprints(before: Fingerprint, now: Fingerprint): FingerprintDiff {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  let changedChars = 0;
  let analysedChars = 0;
  for (const [path, [hash, chars]] of Object.entries(before.files)) {
    analysedChars += chars;
    const current = now.files[path];
    if (!current) {
      removed.push(path);
      changedChars += chars;
    } else if (current[0] !== hash) {
      changed.push(path);
      changedChars += chars;
    }
  }
  for (const path of Object.keys(now.files)) if (!(path in before.files)) added.push(path);
  return {
    added: added.sort(),
    changed: changed.sort(),
    removed: removed.sort(),
    changedChars,
    analysedChars,
  };
}

/** Reads a `snapshot` object back from parsed metrics; undefined when absent or malformed. */
export function fingerprintOf(metrics: Record<string, unknown>): Fingerprint | undefined {
  const s = metrics.snapshot as Partial<Fingerprint> | undefined;
  if (!s || typeof s !== "object" || !s.files || typeof s.files !== "object") return undefined;
  for (const v of Object.values(s.files)) {
    if (!Array.isArray(v) || typeof v[0] !== "string" || typeof v[1] !== "number") {
      return undefined;
    }
  }
  if (typeof s.source !== "string") return undefined;
  return {
    source: s.source,
    git_commit: typeof s.git_commit === "string" ? s.git_commit : null,
    git_dirty: typeof s.git_dirty === "boolean" ? s.git_dirty : null,
    files: s.files as Fingerprint["files"],
  };
}
