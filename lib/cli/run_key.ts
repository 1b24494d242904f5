/**
 * This user's run key (see `lib/freshness/run_seal.ts`), kept in deeprepo's user config folder,
 * which only the real environment chooses (never a repository's `.env`).
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import { userConfigDir } from "../config/trust.ts";
import { loadRunKey } from "../freshness/mod.ts";

/**
 * Loads the key; `create` makes it on first use (analyze seals every run it writes).
 *
 * @returns The key, or undefined without a home folder.
 */
export async function runKey(ctx: Pick<CliContext, "env">, create = false) {
  const dir = userConfigDir(ctx.env);
  return dir ? await loadRunKey(dir, create) : undefined;
}
