/**
 * Environment access: reading configuration variables and knowing where each came from. Which
 * variables may come from which place is decided in `settings.ts`.
 *
 * @module
 */

/** Reads configuration variables. Empty strings count as unset. */
export interface Env {
  get(name: string): string | undefined;
  /**
   * Where a set variable came from: `"the environment"`, or the path of the `.env` file that set
   * it. Undefined when the variable is unset (or the source is unknown).
   */
  sourceOf?(name: string): string | undefined;
}

/** The phrase {@linkcode Env.sourceOf} uses for the real process environment. */
export const REAL_ENVIRONMENT = "the environment";

/** An {@linkcode Env} over fixed values (tests, or a composed environment). */
export function envFromRecord(values: Record<string, string | undefined>): Env {
  const get = (name: string) => values[name] || undefined;
  return { get, sourceOf: (name) => get(name) === undefined ? undefined : REAL_ENVIRONMENT };
}

/**
 * The real environment first, then variables from a file: a variable set (non-empty) in the real
 * environment always wins; names in `environmentOnly` are never taken from the file.
 *
 * @param real The real environment.
 * @param file Variables parsed from a `.env` file, and its path (for `sourceOf`).
 * @param environmentOnly Names the file may not set.
 */
export function layeredEnv(
  real: Env,
  file: { path: string; values: Record<string, string> } | undefined,
  environmentOnly: ReadonlySet<string> = new Set(),
): Env {
  const fromFile = (name: string) =>
    file && !environmentOnly.has(name) && Object.hasOwn(file.values, name)
      ? file.values[name] || undefined
      : undefined;
  return {
    get: (name) => real.get(name) || fromFile(name),
    sourceOf(name) {
      if (real.get(name)) return real.sourceOf?.(name) ?? REAL_ENVIRONMENT;
      return fromFile(name) === undefined ? undefined : file!.path;
    },
  };
}
