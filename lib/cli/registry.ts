/**
 * The model registry as commands load it: a plugin the user named with `--plugin` must load,
 * or the command stops before anything is loaded or paid for (exit 2). Plugins from config files
 * and `DEEPREPO_PLUGINS` keep the registry's rule: reported when a model they serve is used.
 * The working folder's `deeprepo.json` counts only when trusted (`ctx.folderConfig`), and URL
 * plugins are kept in the cache folder, with a note on stderr when a stored copy is used.
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import {
  loadRegistry,
  provideToSelfContained,
  type Registry,
  type RegistryOptions,
} from "../providers/mod.ts";
import { resolveCacheDir } from "../cache/mod.ts";
import { UsageError } from "../errors.ts";
import { redactUrl } from "../redact.ts";

/** What the registry needs from the process context. */
export type RegistryContext = Pick<CliContext, "cwd" | "env" | "stderr" | "folderConfig">;

/** Notes already printed per context: compare loads the registry twice, and says things once. */
const noted = new WeakMap<RegistryContext, Set<string>>();

/**
 * Options for `loadRegistry` from the process context.
 *
 * @param ctx Working folder, variables, trusted project config, stderr.
 * @param plugins `--plugin` values (absolute paths or URLs).
 * @param reloadPlugins `--reload-plugins`: fetch URL plugins again. @default false
 */
export function registryOptions(
  ctx: RegistryContext,
  plugins: string[],
  reloadPlugins = false,
): RegistryOptions {
  provideKit();
  let dir: string | undefined;
  try {
    dir = `${resolveCacheDir(ctx.env, ctx.cwd)}/plugins`;
  } catch {
    // No cache folder: URL plugins are fetched every time.
  }
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    plugins,
    projectConfig: ctx.folderConfig?.projectConfig,
    urlPlugins: {
      dir,
      reload: reloadPlugins,
      note: (line) => {
        let seen = noted.get(ctx);
        if (!seen) noted.set(ctx, seen = new Set());
        if (seen.has(line)) return;
        seen.add(line);
        ctx.stderr(`deeprepo: ${redactUrl(line)}\n`);
      },
    },
  };
}

/**
 * Loads the registry with the command's `--plugin` modules.
 *
 * @param ctx Working folder, environment, trusted project config, stderr for notes.
 * @param plugins `--plugin` specifiers, paths already absolute.
 * @param reloadPlugins `--reload-plugins`. @default false
 * @returns The registry.
 * @throws {UsageError} When a `--plugin` module cannot be loaded or is not a valid plugin.
 */
export async function loadCommandRegistry(
  ctx: RegistryContext,
  plugins: string[],
  reloadPlugins = false,
): Promise<Registry> {
  provideKit();
  const registry = await loadRegistry(registryOptions(ctx, plugins, reloadPlugins));
  const asked = new Set(plugins);
  const failed = registry.errors.filter((e) => asked.has(e.specifier));
  if (failed.length > 0) {
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more --plugin failed)` : "";
    throw new UsageError(`--plugin: ${failed[0].message}${more}`);
  }
  return registry;
}

let kitProvided = false;

/**
 * In a compiled binary, self-contained plugins may import the plugin kit (by path or URL): they
 * get the binary's own copy, loaded only when a plugin asks for it (docs/PLUGINS.md).
 */
export function provideKit(): void {
  if (kitProvided) return;
  kitProvided = true;
  provideToSelfContained(/(^|\/)lib\/plugin_kit\/mod\.ts$/, () => import("../plugin_kit/mod.ts"));
}
