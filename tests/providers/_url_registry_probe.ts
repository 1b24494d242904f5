/**
 * Loads a registry with the given `--plugin` specifiers from `cwd` and prints what it resolved.
 * Run in its own `deno run --no-lock` process by registry_test.ts: importing plugins from
 * loopback URLs in the test process would record their ephemeral addresses in deno.lock.
 *
 * Usage: deno run -A --no-lock _url_registry_probe.ts <cwd> <model> [plugin...]
 */
import { envFromRecord } from "../../lib/config/env.ts";
import { loadRegistry } from "../../lib/providers/mod.ts";

const [cwd, models, ...plugins] = Deno.args;
const registry = await loadRegistry({ cwd, env: envFromRecord({}), plugins });
console.log(JSON.stringify({
  providers: models.split(",").map((m) => registry.resolve(m).provider),
  origins: registry.origins.map((o) => o.specifier),
  errors: registry.errors.map((e) => e.message),
}));
