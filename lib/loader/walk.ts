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
 * skipped and never followed, so link loops cannot trap the walk. Ignore rules are the
 * `.gitignore` files found on the way, plus those that reach `root` from its repository (see
 * {@linkcode repositoryRules}).
 *
 * @param root Absolute path of an existing folder.
 * @throws {InterruptedError} when `signal` is aborted.
 * @throws {Deno.errors.NotFound | Deno.errors.PermissionDenied} when `root` cannot be listed.
 */
export async function walkFolder(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const rootRules = repositoryRules(root);
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

/**
 * The rules in force at `root` before its own `.gitignore`: the repository's `info/exclude`
 * and, when `root` is a folder inside a repository rather than its top, the `.gitignore` files
 * of the folders from the top down to `root`'s parent — what git applies there.
 *
 * If those outer rules ignore `root` itself (the user asked for an ignored folder, such as a
 * build output), they are dropped: loading everything would be empty, and the request is
 * explicit. A folder in no repository gets no outer rules.
 *
 * @param root Absolute, canonical path of the folder to load.
 */
export function repositoryRules(root: string): IgnoreStack {
  const above: string[] = []; // folders above root, nearest first
  let top: string | undefined;
  for (let dir = root;;) {
    if (gitDirOf(dir) !== undefined) {
      top = dir;
      break;
    }
    const parent = dir.slice(0, dir.lastIndexOf("/")) || "/";
    if (parent === dir) break;
    above.push(parent);
    dir = parent;
  }
  if (top === undefined) return IgnoreStack.empty();
  const gitDir = gitDirOf(top)!;
  if (top === root) return withIgnoreFile(IgnoreStack.empty(), "", `${gitDir}/info/exclude`);

  const fromTop = (folder: string) => root.slice(folder === "/" ? 1 : folder.length + 1);
  let rules = withIgnoreFileAbove(IgnoreStack.empty(), fromTop(top), `${gitDir}/info/exclude`);
  for (const folder of above.reverse()) {
    rules = withIgnoreFileAbove(
      rules,
      fromTop(folder),
      `${folder === "/" ? "" : folder}/.gitignore`,
    );
  }
  return rules.isIgnored("", true) ? IgnoreStack.empty() : rules;
}

/**
 * The git folder of a repository whose top is `folder`: `folder/.git`, or for a worktree or
 * submodule (where `.git` is a file saying `gitdir: ...`) the folder it names, or that folder's
 * common git folder. Undefined when `folder` is not a repository's top.
 */
function gitDirOf(folder: string): string | undefined {
  const dotGit = `${folder === "/" ? "" : folder}/.git`;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dotGit);
  } catch {
    return undefined;
  }
  if (info.isDirectory) return dotGit;
  if (!info.isFile) return undefined;
  let gitDir: string;
  try {
    const named = Deno.readTextFileSync(dotGit).match(/^gitdir:\s*(.+?)\s*$/m)?.[1];
    if (!named) return undefined;
    gitDir = named.startsWith("/") ? named : `${folder}/${named}`;
  } catch {
    return undefined;
  }
  try {
    const common = Deno.readTextFileSync(`${gitDir}/commondir`).trim();
    return common.startsWith("/") ? common : `${gitDir}/${common}`;
  } catch {
    return gitDir;
  }
}

/** {@linkcode withIgnoreFile} for an ignore file in a folder above the walk's root. */
function withIgnoreFileAbove(
  rules: IgnoreStack,
  rootFromFolder: string,
  file: string,
): IgnoreStack {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return rules;
  }
  return rules.pushAbove(rootFromFolder, text);
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
