/**
 * Where plugins come from, in increasing precedence: the built-ins, the user config file
 * (`$XDG_CONFIG_HOME/deeprepo/config.json`, default `~/.config/deeprepo/config.json`, located
 * from the real environment), the project config file (`deeprepo.json` in the working
 * directory, only when the user trusted it: the caller passes its text, see
 * `lib/config/settings.ts`), `DEEPREPO_PLUGINS` (comma-separated), then each `--plugin`.
 *
 * A config file is JSON with a `plugins` array of paths or URLs; relative paths resolve against
 * the file's own folder (for `DEEPREPO_PLUGINS`, against the working directory). Other keys are
 * ignored.
 *
 * @module
 */
import type { Env } from "../config/env.ts";
import { readRegularFile } from "../config/regular_file.ts";
import type { ProjectConfig } from "../config/settings.ts";
import { userConfigDir } from "../config/trust.ts";
import { importPlugin } from "./self_contained.ts";
import { isUrlPlugin, loadUrlPlugin, type UrlPluginOptions } from "./url_plugin.ts";

/** Where a plugin specifier came from. */
export type PluginOrigin = "built-in" | "user config" | "project config" | "env" | "flag";

/** One plugin to load. */
export interface PluginSource {
  /** Path or URL as shown to the user. */
  specifier: string;
  origin: PluginOrigin;
  /** Where the specifier was written (a config file or `DEEPREPO_PLUGINS`), for error messages. */
  via?: string;
  /** Imports the module (built-ins use a fixed import; others import the specifier). */
  load(): Promise<unknown>;
}

/** A problem found before any plugin was imported (unreadable config file). */
export interface SourceProblem {
  specifier: string;
  message: string;
}

/**
 * Collects the user's plugin specifiers (not the built-ins) in precedence order, lowest first.
 *
 * @param cwd Working directory (for relative `DEEPREPO_PLUGINS` entries).
 * @param env Environment (`DEEPREPO_PLUGINS`, `XDG_CONFIG_HOME`, `HOME`).
 * @param flags `--plugin` values (already absolute paths or URLs).
 * @param more `projectConfig`: the trusted `deeprepo.json` (path and text; omitted, none is
 *   read); `urlPlugins`: how `http(s):` plugins are fetched and kept (see `url_plugin.ts`).
 */
export function userPluginSources(
  cwd: string,
  env: Env,
  flags: string[] = [],
  more: { projectConfig?: ProjectConfig; urlPlugins?: UrlPluginOptions } = {},
): { sources: PluginSource[]; problems: SourceProblem[] } {
  const { projectConfig, urlPlugins } = more;
  const sources: PluginSource[] = [];
  const problems: SourceProblem[] = [];
  const add = (specifier: string, origin: PluginOrigin, base: string, via?: string) => {
    const resolved = resolveSpecifier(specifier.trim(), base);
    if (!resolved) return;
    // Named twice: the later (higher-precedence) place counts.
    const earlier = sources.findIndex((s) => s.specifier === resolved);
    if (earlier >= 0) sources.splice(earlier, 1);
    sources.push({
      specifier: resolved,
      origin,
      via,
      load: () =>
        isUrlPlugin(resolved)
          ? loadUrlPlugin(resolved, urlPlugins)
          : importPlugin(importUrl(resolved)),
    });
  };
  const configs: { path: string; text: string | undefined; origin: PluginOrigin }[] = [];
  const userDir = userConfigDir(env);
  if (userDir) {
    const path = `${userDir}/config.json`;
    const read = readRegularFile(path, { followLinks: true });
    if (read.kind === "refused") {
      problems.push({ specifier: path, message: `config ${path}: not read: it is ${read.reason}` });
    } else if (read.kind === "ok") {
      configs.push({ path, text: new TextDecoder().decode(read.bytes), origin: "user config" });
    }
  }
  if (projectConfig) configs.push({ ...projectConfig, origin: "project config" });
  for (const { path, text, origin } of configs) {
    const read = configPlugins(path, text ?? "");
    if ("problem" in read) problems.push({ specifier: path, message: read.problem });
    else for (const s of read.plugins) add(s, origin, dirname(path), path);
  }
  for (const s of (env.get("DEEPREPO_PLUGINS") ?? "").split(",")) {
    add(s, "env", cwd, "DEEPREPO_PLUGINS");
  }
  for (const s of flags) add(s, "flag", cwd);
  return { sources, problems };
}

function configPlugins(file: string, text: string): { plugins: string[] } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `config ${file}: invalid JSON: ${(error as Error).message}` };
  }
  const plugins = (parsed as { plugins?: unknown } | null)?.plugins;
  if (plugins === undefined) return { plugins: [] };
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== "string")) {
    return { problem: `config ${file}: field plugins must be an array of strings` };
  }
  return { plugins };
}

/** Absolute path or URL for a specifier given relative to `base` (a folder). */
export function resolveSpecifier(specifier: string, base: string): string {
  if (!specifier) return "";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(specifier) || specifier.startsWith("data:")) {
    return specifier;
  }
  if (specifier.startsWith("/")) return normalize(specifier);
  return normalize(`${base.replace(/\/+$/, "")}/${specifier}`);
}

/** The URL to import for a resolved specifier. */
export function importUrl(specifier: string): string {
  if (!specifier.startsWith("/")) return specifier;
  const url = new URL("file:///");
  url.pathname = specifier;
  return url.href;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return `/${parts.join("/")}`;
}

function dirname(path: string): string {
  return path.replace(/\/[^/]*$/, "") || "/";
}
