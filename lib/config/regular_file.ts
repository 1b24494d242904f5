/**
 * Reading a small configuration file that may sit in a folder deeprepo does not trust: only a
 * regular file is opened (never a symbolic link, FIFO, device or folder, which could point
 * anywhere, block forever or never end), and never more than a size cap is read.
 *
 * @module
 */

/** Largest per-folder configuration file read: 256 KiB (a `.env` is a few hundred bytes). */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** The outcome of {@linkcode readRegularFile}. */
export type RegularFileRead =
  | { kind: "ok"; bytes: Uint8Array }
  | { kind: "missing" }
  /** Present but not read; `reason` is a short phrase ("a symbolic link", "larger than ..."). */
  | { kind: "refused"; reason: string };

/**
 * Reads `path` when it is a regular file of at most `maxBytes` bytes.
 *
 * The file is checked with `lstat` before it is opened (so a link or a FIFO is never opened),
 * checked again through the open handle (same file, still regular), and read with a cap, so a
 * file that grows meanwhile cannot make the read unbounded. The bytes returned are the only
 * read: callers hash and parse these same bytes.
 *
 * @param path Absolute path of the file.
 * @param options `maxBytes`: size cap (default {@linkcode MAX_CONFIG_BYTES}); `followLinks`:
 *   read the target of a symbolic link when it is a regular file (for files whose location the
 *   user chose, such as the user config; never for files in the working folder). Default false.
 * @returns The bytes, `missing`, or why the file was refused.
 *
 * @example
 * ```ts ignore
 * const read = readRegularFile("/home/ada/proj/.env");
 * if (read.kind === "ok") console.log(read.bytes.length);
 * ```
 */
export function readRegularFile(
  path: string,
  options: { maxBytes?: number; followLinks?: boolean } = {},
): RegularFileRead {
  const maxBytes = options.maxBytes ?? MAX_CONFIG_BYTES;
  let before: Deno.FileInfo;
  try {
    before = options.followLinks ? Deno.statSync(path) : Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { kind: "missing" };
    return { kind: "refused", reason: `cannot be read (${messageOf(error)})` };
  }
  const kind = fileKind(before);
  if (kind) return { kind: "refused", reason: kind };
  if (before.size > maxBytes) return { kind: "refused", reason: tooLarge(maxBytes) };
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (error) {
    return { kind: "refused", reason: `cannot be read (${messageOf(error)})` };
  }
  try {
    const after = file.statSync();
    if (!after.isFile || (before.ino !== null && after.ino !== before.ino)) {
      return { kind: "refused", reason: "replaced while being read" };
    }
    const buffer = new Uint8Array(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = file.readSync(buffer.subarray(length));
      if (n === null) break;
      length += n;
    }
    if (length > maxBytes) return { kind: "refused", reason: tooLarge(maxBytes) };
    return { kind: "ok", bytes: buffer.slice(0, length) };
  } catch (error) {
    return { kind: "refused", reason: `cannot be read (${messageOf(error)})` };
  } finally {
    file.close();
  }
}

/** What a non-regular file is, as a phrase; undefined for a regular file. */
function fileKind(info: Deno.FileInfo): string | undefined {
  if (info.isSymlink) return "a symbolic link";
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  if (info.isSocket) return "a socket";
  if (!info.isFile) return "not a regular file";
  return undefined;
}

function tooLarge(maxBytes: number): string {
  return `larger than ${Math.round(maxBytes / 1024)} KiB`;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
