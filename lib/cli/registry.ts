/**
 * The model registry as commands load it: a plugin the user named with `--plugin` must load,
 * or the command stops before anything is loaded or paid for (exit 2). Plugins from config files
 * and `DEEPREPO_PLUGINS` keep the registry's rule: reported when a model they serve is used.
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import { loadRegistry, provideToSelfContained, type Registry } from "../providers/mod.ts";
import { UsageError } from "../errors.ts";

/**
 * Loads the registry with the command's `--plugin` modules.
 *
 * @param ctx Working folder and environment.
 * @param plugins `--plugin` specifiers, paths already absolute.
 * @returns The registry.
 * @throws {UsageError} When a `--plugin` module cannot be loaded or is not a valid plugin.
 */
export async function loadCommandRegistry(
  ctx: Pick<CliContext, "cwd" | "env">,
  plugins: string[],
): Promise<Registry> {
  provideKit();
  const registry = await loadRegistry({ cwd: ctx.cwd, env: ctx.env, plugins });
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
