/**
 * `deeprepo plugins check <path|url>`: loads one plugin module and reports every problem — the
 * shape of its default export, then whether `handles` and `createClient` behave (with a dummy
 * key; nothing is sent over the network). Exit 0 when it passes, 2 otherwise.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import type { PluginsCheckOptions } from "../options.ts";
import { checkPluginModule, loadErrorMessage } from "../../providers/mod.ts";
import { importUrl } from "../../providers/mod.ts";
import type { ProviderPlugin } from "../../providers/mod.ts";

/** Result of checking one plugin module. */
export interface PluginCheck {
  specifier: string;
  name?: string;
  problems: string[];
  /** Facts worth knowing that are not problems (model count, key variable, ...). */
  notes: string[];
}

/**
 * Checks a plugin module.
 *
 * @param specifier Absolute path or URL.
 * @param importer Imports the module (injectable for tests).
 */
export async function checkPlugin(
  specifier: string,
  importer: (url: string) => Promise<unknown> = (url) => import(url),
): Promise<PluginCheck> {
  const result: PluginCheck = { specifier, problems: [], notes: [] };
  let module: unknown;
  try {
    module = await importer(importUrl(specifier));
  } catch (error) {
    result.problems.push(`cannot load: ${loadErrorMessage(error)}`);
    return result;
  }
  const { name, problems } = checkPluginModule(module);
  result.name = name;
  result.problems.push(...problems);
  if (result.problems.length) return result;

  const plugin = (module as { default: ProviderPlugin }).default;
  if (typeof plugin.handles === "function") {
    for (const sample of ["", "some-model", "vendor/model"]) {
      try {
        const answer = plugin.handles(sample);
        if (typeof answer !== "boolean") {
          result.problems.push(`handles(${JSON.stringify(sample)}) must return a boolean`);
          break;
        }
      } catch (error) {
        result.problems.push(`handles(${JSON.stringify(sample)}) threw: ${firstLine(error)}`);
        break;
      }
    }
  }
  if (!plugin.models.length && !plugin.handles) {
    result.notes.push(
      `lists no models and has no handles(): only "${plugin.name}:<model>" reaches it`,
    );
  }
  const model = plugin.models[0]?.id ?? plugin.defaults?.root ?? plugin.defaults?.sub ??
    "any-model";
  try {
    const client = plugin.createClient({ model, env: () => "dummy-value-for-plugins-check" });
    if (client instanceof Promise) {
      client.catch(() => {});
      result.problems.push(
        "createClient must return the client itself, got a Promise (createClient must not be " +
          "async; import SDKs inside complete() instead)",
      );
    } else if (!client || typeof (client as { complete?: unknown }).complete !== "function") {
      result.problems.push("createClient must return an object with a complete() method");
    }
  } catch (error) {
    result.problems.push(
      `createClient({ model: ${JSON.stringify(model)} }) threw with every variable set: ${
        firstLine(error)
      }`,
    );
  }
  result.notes.push(
    `${plugin.models.length} model${plugin.models.length === 1 ? "" : "s"}`,
    plugin.keyVariable ? `key ${plugin.keyVariable}` : "no keyVariable (no key checked)",
  );
  if (["anthropic", "openrouter", "openai", "ollama"].includes(plugin.name)) {
    result.notes.push(`replaces the built-in plugin "${plugin.name}" when loaded`);
  }
  return result;
}

/**
 * Runs `plugins check`.
 *
 * @returns 0 when the plugin passes, 2 when it has problems.
 */
export async function run(options: PluginsCheckOptions, ctx: CliContext): Promise<number> {
  const check = await checkPlugin(options.specifier);
  const who = `plugin ${check.specifier}${check.name ? ` (${check.name})` : ""}`;
  if (check.problems.length === 0) {
    ctx.stdout(`ok: ${who} passes every check (${check.notes.join("; ")})`);
    return 0;
  }
  const count = `${check.problems.length} problem${check.problems.length > 1 ? "s" : ""}`;
  ctx.stdout(`${who}: ${count}`);
  for (const problem of check.problems) ctx.stdout(`  - ${problem}`);
  ctx.stderr(
    `deeprepo: ${who} is not a valid deeprepo plugin: ${count} (listed on stdout; see ` +
      "docs/PLUGINS.md)\n",
  );
  return 2;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
