/**
 * Values of command-line arguments: option parsers (integers, numbers, non-empty strings,
 * repeatable options) and how a typed path or plugin specifier becomes an absolute one.
 *
 * @module
 */
import { InvalidArgumentError } from "npm:commander@15.1.0";
import { formatInt } from "../format.ts";

/** Parser of an integer option between `min` and `max`. */
export function integer(min: number, max = Infinity) {
  const what = max === Infinity
    ? `an integer ≥ ${min}`
    : `an integer from ${min} to ${formatInt(max)}`;
  return (value: string): number => {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`must be ${what}`);
    }
    return Number(value);
  };
}

/** Parser of a positive number option. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError("must be a positive number");
  }
  return n;
}

/** Parser of a non-empty string option. */
export function nonEmpty(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("must not be empty");
  return value;
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, nonEmpty(value)];
}

/** True for URLs (`scheme://`) and `git@host:` remotes. */
export const looksRemote = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s);

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * An absolute path for `path` as typed, relative to `cwd`; URLs and absolute paths as they are.
 * A Windows `cwd` (`C:\Users\me`) takes `\` or `/` and gives `C:/Users/me/repo`, which
 * Deno's file calls accept.
 */
export function resolvePath(cwd: string, path: string): string {
  if (looksRemote(path) || path.startsWith("/") || WINDOWS_DRIVE.test(path)) return path;
  const windows = WINDOWS_DRIVE.test(cwd);
  const drive = windows ? cwd.slice(0, 2) : "";
  const parts: string[] = [];
  for (const part of `${cwd.slice(drive.length)}/${path}`.split(windows ? /[\\/]/ : "/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return `${drive}/${parts.join("/")}`;
}

/**
 * A plugin specifier as the registry should see it: URLs and other schemes (`data:`, `npm:`,
 * `jsr:`) as given, paths resolved against the user's folder.
 */
export function resolvePlugin(cwd: string, specifier: string): string {
  return /^[a-z][a-z0-9+.-]+:/i.test(specifier) ? specifier : resolvePath(cwd, specifier);
}

/** Options as commander hands them over. */
export type Raw = Record<string, unknown>;
