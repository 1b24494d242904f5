/**
 * The one place that decides where deeprepo's configuration comes from.
 *
 * deeprepo is usually run inside a repository its user does not trust yet (`git clone ... && cd
 * repo && deeprepo analyze .`), so the working folder's own configuration files are hostile
 * until proven otherwise:
 *
 * - **Per-folder files** — `.env` and `deeprepo.json` in the working folder (never a folder
 *   above it) — are read only when they are regular files of at most 256 KiB, and used only when
 *   the user trusted that exact content with `deeprepo trust` (see `trust.ts`). An untrusted,
 *   changed or refused file is reported in {@linkcode Settings.ignored} and otherwise ignored.
 * - **Variables that locate deeprepo's own state** ({@linkcode ENVIRONMENT_ONLY}: `HOME`,
 *   `USERPROFILE`, `XDG_CONFIG_HOME`, `XDG_CACHE_HOME`, `DEEPREPO_TASK_CWD`) come from the real
 *   environment only, never from any `.env`, trusted or not: the trust store and the default
 *   cache live there.
 * - **Variables that choose code, endpoints or storage** ({@linkcode isSteeringVariable}:
 *   `DEEPREPO_PLUGINS`, `DEEPREPO_CACHE_DIR`, `*_BASE_URL`, `OLLAMA_HOST`) come from the real
 *   environment or a trusted `.env`. Where each one came from is kept (`Env.sourceOf`), so a
 *   non-default endpoint can be named with its source.
 * - Every other variable (keys, `NO_COLOR`, timeouts) comes from the real environment, then a
 *   trusted `.env`; the real environment wins.
 * - Plugins come from the user config (`$XDG_CONFIG_HOME/deeprepo/config.json`, located from the
 *   real environment), a trusted `deeprepo.json`, `DEEPREPO_PLUGINS` (as above) and `--plugin`.
 *
 * @module
 */
import { parse as parseDotenv } from "npm:dotenv@18.0.10";
import { type Env, layeredEnv } from "./env.ts";
import { readRegularFile } from "./regular_file.ts";
import {
  readTrustStore,
  trustDigest,
  type TrustEntries,
  trustKey,
  trustStorePath,
  userConfigDir,
} from "./trust.ts";

/** Names of the per-folder configuration files deeprepo reads from the working folder. */
export const FOLDER_FILES = [".env", "deeprepo.json"] as const;

/** Variables never taken from a `.env` file, trusted or not. */
export const ENVIRONMENT_ONLY: ReadonlySet<string> = new Set([
  "HOME",
  "USERPROFILE",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "DEEPREPO_TASK_CWD",
]);

/**
 * Whether a variable chooses code, an endpoint or storage: `DEEPREPO_PLUGINS`,
 * `DEEPREPO_CACHE_DIR`, any `*_BASE_URL`, `OLLAMA_HOST`. These come from the real environment or
 * a trusted `.env` only, and `deeprepo trust` lists them when a file sets them.
 */
export function isSteeringVariable(name: string): boolean {
  return name === "DEEPREPO_PLUGINS" || name === "DEEPREPO_CACHE_DIR" || name === "OLLAMA_HOST" ||
    /^[A-Z0-9_]+_BASE_URL$/.test(name);
}

/** A per-folder file that exists but is not used, and why. */
export interface IgnoredFile {
  /** Absolute path as found in the working folder. */
  path: string;
  /**
   * `untrusted`: never trusted; `changed`: its content differs from what was trusted;
   * `refused`: not a regular file or too large (`detail` says which), so it cannot be trusted.
   */
  reason: "untrusted" | "changed" | "refused";
  detail?: string;
}

/** A trusted `deeprepo.json`: its path and the text that was hashed. */
export interface ProjectConfig {
  path: string;
  text: string;
}

/** The per-folder configuration as the trust rule left it. */
export interface FolderConfig {
  /** The trusted `deeprepo.json`, if any. */
  projectConfig?: ProjectConfig;
  /** Per-folder files that exist but are not used. */
  ignored: IgnoredFile[];
  /** Problems with the trust store itself (one line each). */
  problems: string[];
  /** Where trusts are recorded (undefined without a home folder). */
  trustStore?: string;
}

/** Everything {@linkcode loadSettings} decided. */
export interface Settings extends FolderConfig {
  /** The variables: the real environment, then a trusted `.env` (see the module doc). */
  env: Env;
}

/**
 * Decides the configuration for a run in `cwd`: reads `.env` and `deeprepo.json` there when they
 * are regular files, and uses each only when its content is trusted.
 *
 * @param cwd The working folder (absolute).
 * @param real The real process environment. @default {Deno.env}
 * @returns The environment view, the trusted project config, and the files ignored.
 */
export async function loadSettings(cwd: string, real: Env = Deno.env): Promise<Settings> {
  const store = trustStorePath(real);
  const ignored: IgnoredFile[] = [];
  const problems: string[] = [];
  let entries: TrustEntries | undefined;
  const trusted = async (name: string): Promise<ProjectConfig | undefined> => {
    const path = `${cwd.replace(/[\\/]+$/, "")}/${name}`;
    const read = readRegularFile(path);
    if (read.kind === "missing") return undefined;
    if (read.kind === "refused") {
      ignored.push({ path, reason: "refused", detail: read.reason });
      return undefined;
    }
    if (!entries) {
      const loaded = store ? readTrustStore(store) : { entries: {} };
      if ("problem" in loaded && loaded.problem) problems.push(loaded.problem);
      entries = loaded.entries;
    }
    const entry = entries[trustKey(path)];
    if (!entry) {
      ignored.push({ path, reason: "untrusted" });
      return undefined;
    }
    if (entry.sha256 !== await trustDigest(path, read.bytes)) {
      ignored.push({ path, reason: "changed" });
      return undefined;
    }
    return { path, text: new TextDecoder().decode(read.bytes) };
  };
  const dotenv = await trusted(".env");
  const projectConfig = await trusted("deeprepo.json");
  const file = dotenv && { path: dotenv.path, values: parseDotenv(dotenv.text) };
  return {
    env: layeredEnv(real, file, ENVIRONMENT_ONLY),
    projectConfig,
    ignored,
    problems,
    trustStore: store,
  };
}

/**
 * What a `.env` text sets, for `deeprepo trust` to show before trusting it: every variable name,
 * the steering ones, and the ones deeprepo never takes from a file.
 */
export function describeDotenv(text: string): {
  names: string[];
  steering: string[];
  environmentOnly: string[];
} {
  const names = Object.keys(parseDotenv(text));
  return {
    names,
    steering: names.filter(isSteeringVariable),
    environmentOnly: names.filter((n) => ENVIRONMENT_ONLY.has(n)),
  };
}

/** Re-exported for the CLI: the user config folder from the real environment. */
export { userConfigDir };

/** The variable that chooses each built-in provider's endpoint. */
const ENDPOINT_VARIABLES: Record<string, string> = {
  anthropic: "ANTHROPIC_BASE_URL",
  openrouter: "OPENROUTER_BASE_URL",
  openai: "OPENAI_BASE_URL",
  ollama: "OLLAMA_HOST",
};

/** Where a provider's requests go, as far as configuration decides it. */
export interface Endpoint {
  provider: string;
  /** The variable that sets it: the built-ins' own, else `<PROVIDER>_BASE_URL`. */
  variable: string;
  /** Its value, or undefined when unset (the provider's default endpoint). */
  url?: string;
  /** Where the value came from: `"the environment"` or a `.env` path; undefined when unset. */
  source?: string;
}

/**
 * The endpoint configuration of a provider: the built-ins read `ANTHROPIC_BASE_URL`,
 * `OPENROUTER_BASE_URL`, `OPENAI_BASE_URL` and `OLLAMA_HOST`; a plugin named `acme` is assumed
 * to read `ACME_BASE_URL` (the convention of docs/PLUGINS.md).
 *
 * @param provider The plugin name.
 * @param env The configuration variables.
 */
export function endpointOf(provider: string, env: Env): Endpoint {
  const variable = ENDPOINT_VARIABLES[provider] ??
    `${provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_BASE_URL`;
  const url = env.get(variable);
  return url === undefined
    ? { provider, variable }
    : { provider, variable, url, source: env.sourceOf?.(variable) ?? "the environment" };
}
