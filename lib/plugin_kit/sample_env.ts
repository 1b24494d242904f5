/**
 * The environment a plugin sees during `plugins check`: the author's `check.sampleEnv` first,
 * else a realistic placeholder per kind of variable — so a plugin that validates its settings in
 * `createClient` (as docs/PLUGINS.md advises) passes.
 *
 * | name looks like                       | placeholder                              |
 * | ------------------------------------- | ---------------------------------------- |
 * | `*_BASE_URL`, `*_URL`, `*_ENDPOINT`   | `http://127.0.0.1:9/v1` (loopback)       |
 * | `*_HOST`                              | `http://127.0.0.1:9`                     |
 * | `*KEY*`, `*TOKEN*`, `*SECRET*`        | `sk-plugins-check-0123456789abcdef`      |
 * | numbers (`*_MS`, `*_TIMEOUT`, `*_PORT`…) and `DEEPREPO_*` | unset (defaults apply) |
 * | anything else                         | `plugins-check-placeholder`              |
 *
 * @module
 */

/** Placeholder for key-like variables. */
export const PLACEHOLDER_KEY = "sk-plugins-check-0123456789abcdef";

/** An environment reader that remembers what was read. */
export interface SampleEnv {
  env(name: string): string | undefined;
  /** Every variable read, with the value given (undefined = left unset). */
  reads: Map<string, string | undefined>;
}

/**
 * Builds the check's environment.
 *
 * @param sample The author's `check.sampleEnv`; its values win.
 * @param overrides Values that win over both (the fake's base URL).
 */
export function sampleEnv(
  sample: Record<string, string> = {},
  overrides: Record<string, string> = {},
): SampleEnv {
  const reads = new Map<string, string | undefined>();
  return {
    reads,
    env(name) {
      const value = overrides[name] ?? sample[name] ?? placeholder(name);
      reads.set(name, value);
      return value;
    },
  };
}

/**
 * The placeholder for one variable name (see the module doc).
 *
 * @param name The variable's name.
 */
export function placeholder(name: string): string | undefined {
  const n = name.toUpperCase();
  if (n.startsWith("DEEPREPO_")) return undefined;
  if (/(_|^)(BASE_URL|URL|ENDPOINT|API_BASE)$/.test(n)) return "http://127.0.0.1:9/v1";
  if (/(_|^)HOST$/.test(n)) return "http://127.0.0.1:9";
  if (/KEY|TOKEN|SECRET|PASSWORD/.test(n)) return PLACEHOLDER_KEY;
  if (/(_|^)(MS|SECONDS|TIMEOUT|PORT|RETRIES|LIMIT|MAX|MIN|SIZE|COUNT)$/.test(n)) return undefined;
  return "plugins-check-placeholder";
}
