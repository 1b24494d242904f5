/**
 * The registry options every command uses: the working folder's trusted `deeprepo.json`, and URL
 * plugins kept in the cache folder with a note on stderr when a stored copy is used.
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import type { RegistryOptions } from "../providers/registry.ts";
import { resolveCacheDir } from "../cache/dir.ts";
import { printable } from "./folder_notices.ts";
import { redactUrl } from "../redact.ts";

/** Notes already printed per context: compare loads the registry twice, and says things once. */
const noted = new WeakMap<CliContext, Set<string>>();

/**
 * Options for `loadRegistry` from the process context.
 *
 * @param ctx Working folder, variables, trusted project config, stderr.
 * @param plugins `--plugin` values (absolute paths or URLs).
 * @param reloadPlugins `--reload-plugins`: fetch URL plugins again. @default false
 */
export function registryOptions(
  ctx: CliContext,
  plugins: string[],
  reloadPlugins = false,
): RegistryOptions {
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
        ctx.stderr(`deeprepo: ${printable(redactUrl(line))}\n`);
      },
    },
  };
}
