/**
 * Reading the small files that steer the loader (`.gitignore`, `.git/info/exclude`,
 * `.gitattributes`, `.deeprepoignore`, a worktree's `.git` file) without trusting them: only
 * regular files are read (never a symbolic link, FIFO or device, which could hang the read or
 * feed it forever), and only up to a size cap.
 *
 * @module
 */

/** Ignore and attribute files larger than this are not read (git's own are a few KB). */
export const MAX_CONTROL_FILE_BYTES = 1_000_000;

/** What reading a control file gave. */
export type ControlFile =
  | { kind: "text"; text: string }
  /** No such file: nothing to say. */
  | { kind: "absent" }
  /** There, but not used; `reason` completes "<path> is ...". */
  | { kind: "refused"; reason: string };

/**
 * Reads a control file when it is a regular file of at most {@linkcode MAX_CONTROL_FILE_BYTES}.
 * The file is checked with `lstat` before it is opened (a link or FIFO is never opened) and
 * again on the open handle.
 *
 * @param path Absolute path.
 */
export function readControlFile(path: string): ControlFile {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return { kind: "absent" };
    }
    return { kind: "refused", reason: `unreadable (${shortError(error)})` };
  }
  if (info.isSymlink) return { kind: "refused", reason: "a symbolic link, not read" };
  if (!info.isFile) return { kind: "refused", reason: "not a regular file, not read" };
  if (info.size > MAX_CONTROL_FILE_BYTES) {
    return { kind: "refused", reason: `larger than ${MAX_CONTROL_FILE_BYTES} bytes, not read` };
  }
  try {
    using file = Deno.openSync(path);
    const opened = file.statSync();
    if (!opened.isFile) return { kind: "refused", reason: "not a regular file, not read" };
    const data = new Uint8Array(Math.min(opened.size, MAX_CONTROL_FILE_BYTES) + 1);
    let filled = 0;
    while (filled < data.length) {
      const n = file.readSync(data.subarray(filled));
      if (n === null || n === 0) break;
      filled += n;
    }
    if (filled > MAX_CONTROL_FILE_BYTES) {
      return { kind: "refused", reason: `larger than ${MAX_CONTROL_FILE_BYTES} bytes, not read` };
    }
    return { kind: "text", text: new TextDecoder().decode(data.subarray(0, filled)) };
  } catch (error) {
    return { kind: "refused", reason: `unreadable (${shortError(error)})` };
  }
}

function shortError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\).*$/s, "").trim() || "error";
}
