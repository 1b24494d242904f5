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
// The project config as the CLI passes it once trusted.
const projectConfig = {
  path: `${cwd}/deeprepo.json`,
  text: await Deno.readTextFile(`${cwd}/deeprepo.json`),
};
const registry = await loadRegistry({ cwd, env: envFromRecord({}), plugins, projectConfig });
console.log(JSON.stringify({
  providers: models.split(",").map((m) => registry.resolve(m).provider),
  origins: registry.origins.map((o) => o.specifier),
  errors: registry.errors.map((e) => e.message),
}));
