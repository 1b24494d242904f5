/**
 * The trust store: which per-folder configuration files (`.env`, `deeprepo.json`) the user has
 * approved with `deeprepo trust`, as direnv's `allow` does. An entry is the file's absolute path
 * (its folder with links resolved) and the SHA-256 of its content; a file whose content changed
 * is untrusted again.
 *
 * The store is `$XDG_CONFIG_HOME/deeprepo/trusted.json` (default
 * `~/.config/deeprepo/trusted.json`), located from the real environment only — never from a
 * `.env`, which could otherwise point deeprepo at a store it ships.
 *
 * @module
 */
import { parse as parseDotenv } from "npm:dotenv@18.0.10";
import type { Env } from "./env.ts";
import { MAX_CONFIG_BYTES, readRegularFile } from "./regular_file.ts";

/** File name of the store inside deeprepo's user config folder. */
export const TRUST_STORE_NAME = "trusted.json";

/** One trusted file. */
export interface TrustEntry {
  /** SHA-256 of the content, lowercase hex. */
  sha256: string;
  /** When it was trusted (ISO 8601). */
  trustedAt: string;
}

/** Trusted files by absolute path. */
export type TrustEntries = Record<string, TrustEntry>;

/**
 * deeprepo's user config folder from the real environment: `$XDG_CONFIG_HOME/deeprepo`, else
 * `$HOME/.config/deeprepo` (`%USERPROFILE%` on Windows); undefined when none is set.
 *
 * @param real The real process environment (never a `.env`).
 */
export function userConfigDir(real: Env): string | undefined {
  const xdg = real.get("XDG_CONFIG_HOME");
  if (xdg && isAbsolute(xdg)) return `${trimSlash(xdg)}/deeprepo`;
  const home = real.get("HOME") ?? real.get("USERPROFILE");
  if (home && isAbsolute(home)) return `${trimSlash(home)}/.config/deeprepo`;
  return undefined;
}

/** Path of the trust store for the real environment, or undefined when it has no home. */
export function trustStorePath(real: Env): string | undefined {
  const dir = userConfigDir(real);
  return dir && `${dir}/${TRUST_STORE_NAME}`;
}

/** SHA-256 of `bytes` (Web Crypto) as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The key a file is trusted under: its folder with symbolic links resolved, plus its name. The
 * same file reached through a linked folder has one key; a file of the same name elsewhere has
 * another.
 *
 * @param path Absolute path of the file.
 */
export function trustKey(path: string): string {
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : "/";
  const name = path.slice(slash + 1);
  let real = dir;
  try {
    real = Deno.realPathSync(dir);
  } catch {
    // A folder that cannot be resolved keeps its spelling; it then matches nothing trusted.
  }
  return `${trimSlash(real)}/${name}`;
}

/**
 * Reads the store. A missing store is empty; a damaged one is empty too, with a problem to show.
 *
 * @param path The store file.
 * @returns The entries, and a one-line problem when the file exists but is unusable.
 */
export function readTrustStore(path: string): { entries: TrustEntries; problem?: string } {
  const read = readRegularFile(path, { maxBytes: 16 * MAX_CONFIG_BYTES, followLinks: true });
  if (read.kind === "missing") return { entries: {} };
  if (read.kind === "refused") {
    return { entries: {}, problem: `trust store ${path} is ${read.reason}; nothing is trusted` };
  }
  try {
    const parsed = JSON.parse(new TextDecoder().decode(read.bytes));
    const files = parsed?.files;
    const entries: TrustEntries = {};
    if (files && typeof files === "object") {
      for (const [file, entry] of Object.entries(files as Record<string, unknown>)) {
        const e = entry as Partial<TrustEntry> | null;
        if (typeof e?.sha256 === "string" && /^[0-9a-f]{64}$/.test(e.sha256)) {
          entries[file] = { sha256: e.sha256, trustedAt: String(e.trustedAt ?? "") };
        }
      }
    }
    return { entries };
  } catch (error) {
    return {
      entries: {},
      problem: `trust store ${path} is not valid JSON (${
        (error as Error).message
      }); nothing is trusted`,
    };
  }
}

/**
 * Writes the store readable by the user only: the folder is created 0700, the file is written
 * 0600 under a temporary name and renamed over the old one, so a reader never sees half a file.
 *
 * @param path The store file.
 * @param entries Every trusted file (the whole store is replaced).
 */
export async function writeTrustStore(path: string, entries: TrustEntries): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a < b ? -1 : 1));
  const text = `${JSON.stringify({ version: 1, files: sorted }, null, 2)}\n`;
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temp, text, { createNew: true, mode: 0o600 });
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}

function trimSlash(path: string): string {
  return path.replace(/[\\/]+$/, "") || "/";
}

/**
 * What trusting a per-folder file covers: its bytes and, for `deeprepo.json` (`plugins`) and
 * `.env` (`DEEPREPO_PLUGINS`), the bytes of every local plugin file it names. Changing a named
 * plugin after the file was trusted makes the file untrusted again, so a repository cannot swap
 * reviewed plugin code (for example with a `git pull`) under a trusted config. A file that
 * names no local plugin has the plain SHA-256 of its bytes.
 *
 * @param path Absolute path of the trusted file.
 * @param bytes Its content, as read once.
 * @returns Lowercase hex digest.
 */
export async function trustDigest(path: string, bytes: Uint8Array): Promise<string> {
  const own = await sha256Hex(bytes);
  const folder = path.slice(0, path.replace(/[\\/]+$/, "").search(/[\\/][^\\/]*$/) + 1);
  const plugins = localPluginsNamed(path, new TextDecoder().decode(bytes));
  if (plugins.length === 0) return own;
  const parts = [own];
  for (const name of [...new Set(plugins)].sort()) {
    const read = readRegularFile(isAbsolutePath(name) ? name : `${folder}${name}`, {
      maxBytes: 16 * 1024 * 1024,
    });
    parts.push(`${name}\0${read.kind === "ok" ? await sha256Hex(read.bytes) : read.kind}`);
  }
  return await sha256Hex(new TextEncoder().encode(parts.join("\n")));
}

/** Local plugin specifiers (paths, not URLs or `npm:`/`jsr:`) a per-folder file names. */
function localPluginsNamed(path: string, text: string): string[] {
  let named: unknown[] = [];
  try {
    if (/deeprepo\.json$/.test(path)) {
      named = (JSON.parse(text) as { plugins?: unknown[] }).plugins ?? [];
    } else if (/\.env$/.test(path)) named = (parseDotenv(text).DEEPREPO_PLUGINS ?? "").split(",");
  } catch {
    return [];
  }
  if (!Array.isArray(named)) return [];
  return named.filter((n): n is string => typeof n === "string").map((n) => n.trim())
    .filter((n) => n !== "" && !/^[a-z][a-z0-9+.-]+:/i.test(n));
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
}
