/**
 * Walks a folder and decides, without reading any file content, which files to read: skip
 * folders, ignore rules, symbolic links, secrets and the include lists.
 *
 * The walk uses synchronous directory reads (four times faster than `Deno.readDir` here; a
 * repository has far fewer folders than files) and lets the event loop run every 25 ms so
 * an interrupt is noticed.
 *
 * @module
 */
import type { SkippedFile } from "./types.ts";
import { InterruptedError } from "../errors.ts";
import { IgnoreStack } from "./ignore_rules.ts";
import { classifyName, SKIP_FOLDERS } from "./rules.ts";
import { EventLoopYielder } from "./yield_now.ts";

/** What the walk found. Paths are relative to the root, `/`-separated. */
export interface WalkResult {
  /** Files to read, sorted. */
  files: string[];
  /** Files and folders left out, with the reason. A skipped folder is one entry. */
  skipped: SkippedFile[];
}

/** Options of {@linkcode walkFolder}. */
export interface WalkOptions {
  signal?: AbortSignal;
}

/**
 * Lists the files under `root` that the loader should read. Symbolic links are listed as
 * skipped and never followed, so link loops cannot trap the walk.
 *
 * @param root Absolute path of an existing folder.
 * @throws {InterruptedError} when `signal` is aborted.
 * @throws {Deno.errors.NotFound | Deno.errors.PermissionDenied} when `root` cannot be listed.
 */
export async function walkFolder(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const rootRules = withIgnoreFile(IgnoreStack.empty(), "", `${root}/.git/info/exclude`);
  const pending: { rel: string; rules: IgnoreStack }[] = [{ rel: "", rules: rootRules }];
  using yielder = new EventLoopYielder();

  while (pending.length > 0) {
    const { rel, rules: inherited } = pending.pop()!;
    const abs = rel === "" ? root : `${root}/${rel}`;
    let entries: Deno.DirEntry[];
    try {
      entries = Array.from(Deno.readDirSync(abs));
    } catch (error) {
      if (rel === "") throw error;
      skipped.push({ path: rel, reason: "unreadable" });
      continue;
    }

    let rules = inherited;
    if (entries.some((e) => e.name === ".gitignore" && e.isFile)) {
      rules = withIgnoreFile(rules, rel, `${abs}/.gitignore`);
    }

    for (const entry of entries) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymlink) {
        skipped.push({ path, reason: "symlink" });
      } else if (entry.isDirectory) {
        if (SKIP_FOLDERS.has(entry.name)) skipped.push({ path, reason: "skipped_folder" });
        else if (rules.isIgnored(path, true)) skipped.push({ path, reason: "gitignored" });
        else pending.push({ rel: path, rules });
      } else if (!entry.isFile) {
        skipped.push({ path, reason: "not_included" }); // sockets, FIFOs, devices
      } else {
        const verdict = classifyName(entry.name);
        if (verdict !== "include") skipped.push({ path, reason: verdict });
        else if (rules.isIgnored(path, false)) skipped.push({ path, reason: "gitignored" });
        else files.push(path);
      }
    }

    if (yielder.due) {
      await yielder.yield();
      if (options.signal?.aborted) throw new InterruptedError();
    }
  }
  if (options.signal?.aborted) throw new InterruptedError();

  files.sort(); // the default order is code-unit order, and native: faster than a comparator
  skipped.sort((a, b) => comparePaths(a.path, b.path));
  return { files, skipped };
}

/** Plain code-unit order, the same order Python's `sorted()` gives for these paths. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Adds the rules of one ignore file when it exists and can be read; otherwise `rules` as is. */
function withIgnoreFile(rules: IgnoreStack, base: string, file: string): IgnoreStack {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return rules; // absent or unreadable: git itself carries on without it
  }
  return rules.push(base, text);
}
