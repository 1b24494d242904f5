/**
 * Environment access: the real environment first, then a `.env` file in the working directory.
 *
 * @module
 */
import { parse as parseDotenv } from "npm:dotenv@18.0.10";

/** Reads configuration variables; the real environment wins over `.env`. */
export interface Env {
  get(name: string): string | undefined;
}

/** An {@linkcode Env} over fixed values (tests, or a composed environment). */
export function envFromRecord(values: Record<string, string | undefined>): Env {
  return { get: (name) => values[name] || undefined };
}

/**
 * Builds the process environment view: `Deno.env`, then `<cwd>/.env` when it exists. A variable
 * set (non-empty) in the real environment always wins over the file.
 *
 * @param cwd Folder whose `.env` is read.
 * @param real The real environment. @default {Deno.env}
 * @returns An Env; empty strings count as unset.
 */
export function loadEnv(cwd: string, real: Env = Deno.env): Env {
  let dotenv: Record<string, string> = {};
  try {
    dotenv = parseDotenv(Deno.readTextFileSync(`${cwd}/.env`));
  } catch {
    // No .env (or unreadable): only the real environment applies.
  }
  return {
    get(name) {
      const value = real.get(name);
      if (value) return value;
      return dotenv[name] || undefined;
    },
  };
}
