/**
 * The interactive REPL's history, kept per user in `$XDG_DATA_HOME/deeprepo/repl_history`
 * (else `~/.local/share/deeprepo/repl_history`): one entry per line (a multi-line input is
 * stored with `\n` escaped), newest last, at most {@linkcode HISTORY_SIZE} entries, readable by
 * the user only (0600, folder 0700). Never written through a symbolic link.
 *
 * @module
 */
import type { Env } from "../../config/env.ts";

/** Entries kept. */
export const HISTORY_SIZE = 1000;

/** Largest history file read, in bytes (a bigger one is ignored, not loaded). */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * Where the history lives, or undefined when no home folder is known.
 *
 * @param env The environment (`XDG_DATA_HOME`, `HOME`).
 */
export function historyPath(env: Env): string | undefined {
  const data = env.get("XDG_DATA_HOME");
  if (data?.startsWith("/")) return `${data.replace(/\/+$/, "")}/deeprepo/repl_history`;
  const home = env.get("HOME");
  return home ? `${home.replace(/\/+$/, "")}/.local/share/deeprepo/repl_history` : undefined;
}

const escape = (entry: string) => entry.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
const unescape = (line: string) =>
  line.replace(/\\(\\|n)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));

/**
 * Reads the history, newest first (readline's order); empty when missing, unreadable, not a
 * regular file or too large.
 */
export async function readHistory(path: string): Promise<string[]> {
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile || info.size > MAX_BYTES) return [];
    const lines = (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "");
    return lines.slice(-HISTORY_SIZE).map(unescape).reverse();
  } catch {
    return [];
  }
}

/**
 * Writes the history (given newest first) whole: to a fresh 0600 file renamed into place, in a
 * folder created 0700. Failures are ignored: losing history never stops the REPL.
 */
export async function writeHistory(path: string, newestFirst: string[]): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    if ((await Deno.lstat(dir)).isSymlink) return;
    const text = newestFirst.slice(0, HISTORY_SIZE).reverse().map(escape).join("\n");
    await Deno.writeTextFile(tmp, `${text}\n`, { createNew: true, mode: 0o600 });
    await Deno.rename(tmp, path);
  } catch {
    await Deno.remove(tmp).catch(() => {});
  }
}
