/**
 * What analyze, baseline and compare take from the outside world — the model registry, the
 * sandboxed REPL and the sub-model cache — as one injectable object, so the commands run
 * in-process in tests with fakes (repomix's `deps = defaultDeps`). The defaults are the real
 * things; the sandbox and the cache are imported only when a run needs them.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import { loadCommandRegistry, type RegistryContext } from "../registry.ts";
import type { Registry } from "../../providers/mod.ts";
import type { Repl, ReplOptions } from "../../sandbox/mod.ts";
import type { Cache } from "../../cache/mod.ts";

/** The dependencies of analyze, baseline and compare. */
export interface RunDeps {
  /**
   * Loads the model registry with the `--plugin` modules (`reloadPlugins`: fetch URL plugins
   * again).
   * @default {loadCommandRegistry} (a `--plugin` that fails to load is a usage error)
   */
  loadRegistry(
    ctx: RegistryContext,
    plugins: string[],
    reloadPlugins?: boolean,
  ): Promise<Registry>;
  /**
   * Starts the REPL the root model's code runs in.
   * @default {createRepl} from `lib/sandbox` (a child process with no permissions)
   */
  createRepl(options: ReplOptions): Promise<Repl>;
  /**
   * Opens the sub-model cache (only when caching is on); warnings go to `onWarning`.
   * @default {openKvCache} in the folder `resolveCacheDir` picks
   */
  openCache(
    ctx: Pick<CliContext, "cwd" | "env">,
    onWarning: (message: string) => void,
  ): Promise<Cache>;
}

/** The real dependencies. */
export const defaultRunDeps: RunDeps = {
  loadRegistry: loadCommandRegistry,
  async createRepl(options) {
    const { createRepl } = await import("../../sandbox/mod.ts");
    return await createRepl(options);
  },
  async openCache(ctx, onWarning) {
    const { openKvCache, resolveCacheDir } = await import("../../cache/mod.ts");
    return await openKvCache(resolveCacheDir(ctx.env, ctx.cwd), { onWarning });
  },
};
