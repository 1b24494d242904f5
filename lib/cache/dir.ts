/**
 * Where the cache lives on disk.
 *
 * @module
 */
import type { Env } from "../config/env.ts";
import { EnvironmentError } from "../errors.ts";

/**
 * The cache folder: `DEEPREPO_CACHE_DIR`, else `$XDG_CACHE_HOME/deeprepo`, else
 * `$HOME/.cache/deeprepo` (`%USERPROFILE%` on Windows).
 *
 * @param env Configuration variables.
 * @param cwd Folder that a relative `DEEPREPO_CACHE_DIR` or `XDG_CACHE_HOME` resolves against.
 *   @default Deno.cwd()
 * @returns An absolute folder path (it may not exist yet).
 * @throws {EnvironmentError} When none of the variables is set.
 *
 * @example
 * ```ts
 * import { resolveCacheDir } from "./dir.ts";
 * import { envFromRecord } from "../config/env.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resolveCacheDir(envFromRecord({ HOME: "/home/ada" })), "/home/ada/.cache/deeprepo");
 * ```
 */
export function resolveCacheDir(env: Env, cwd?: string): string {
  const explicit = env.get("DEEPREPO_CACHE_DIR");
  if (explicit) return absolute(explicit, cwd);
  const xdg = env.get("XDG_CACHE_HOME");
  if (xdg) return joinPath(absolute(xdg, cwd), "deeprepo");
  const home = env.get("HOME") ?? env.get("USERPROFILE");
  if (home) return joinPath(absolute(home, cwd), ".cache", "deeprepo");
  throw new EnvironmentError(
    "cannot find a cache folder: set DEEPREPO_CACHE_DIR (or HOME / XDG_CACHE_HOME)",
  );
}

function absolute(path: string, cwd: string | undefined): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\")) return path;
  return joinPath(cwd ?? Deno.cwd(), path.replace(/^(\.[\\/])+/, ""));
}

function joinPath(first: string, ...rest: string[]): string {
  return [first.replace(/[\\/]+$/, ""), ...rest].join("/");
}
