/**
 * `deeprepo plugins check <path|url>`: loads one plugin module and reports every problem — the
 * shape of its default export, then whether `handles` and `createClient` behave. `createClient`
 * sees the plugin's `check.sampleEnv`, else a realistic placeholder per kind of variable (a
 * loopback URL for `*_BASE_URL`/`*_HOST`, a key-looking value for keys; see
 * `lib/plugin_kit/sample_env.ts`). When the plugin declares `check.fake`, a scripted conversation
 * (tool call, tool result, streamed text, cut-off reply) runs through it against a loopback fake
 * of its wire format. Nothing leaves the machine. Exit 0 when it passes, 2 otherwise.
 *
 * @module
 */
import type { CliContext } from "../context.ts";
import type { PluginsCheckOptions } from "../options.ts";
import {
  checkPluginModule,
  importPlugin,
  importUrl,
  isUrlPlugin,
  loadErrorMessage,
  loadUrlPlugin,
} from "../../providers/mod.ts";
import { provideKit, registryOptions } from "../registry.ts";
import type { ProviderPlugin } from "../../providers/mod.ts";
import { runScriptedConversation, sampleEnv } from "../../plugin_kit/mod.ts";

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
  importer: (url: string) => Promise<unknown> = importPlugin,
): Promise<PluginCheck> {
  const result: PluginCheck = { specifier, problems: [], notes: [] };
  provideKit();
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
  const env = sampleEnv(plugin.check?.sampleEnv);
  let created = false;
  try {
    const client = plugin.createClient({ model, env: env.env });
    if (client instanceof Promise) {
      client.catch(() => {});
      result.problems.push(
        "createClient must return the client itself, got a Promise (createClient must not be " +
          "async; import SDKs inside complete() instead)",
      );
    } else if (!client || typeof (client as { complete?: unknown }).complete !== "function") {
      result.problems.push("createClient must return an object with a complete() method");
    } else created = true;
  } catch (error) {
    const read = [...env.reads].map(([k, v]) => `${k}=${v === undefined ? "(unset)" : v}`);
    const hints = [
      read.length ? `it read ${read.join(", ")}` : "",
      plugin.check?.sampleEnv ? "" : "declare check.sampleEnv if it needs particular values",
    ].filter(Boolean);
    result.problems.push(
      `createClient({ model: ${JSON.stringify(model)} }) threw: ${firstLine(error)}` +
        (hints.length ? ` (${hints.join("; ")})` : ""),
    );
  }
  result.notes.push(
    `${plugin.models.length} model${plugin.models.length === 1 ? "" : "s"}`,
    plugin.keyVariable ? `key ${plugin.keyVariable}` : "no keyVariable (no key checked)",
  );
  if (created && plugin.check?.fake) {
    const conversation = await runScriptedConversation(plugin, model);
    result.problems.push(...conversation.problems);
    if (!conversation.problems.length) {
      result.notes.push(`scripted conversation passed (${conversation.passed.join(", ")})`);
    }
  } else if (created) {
    result.notes.push("no check.fake: the scripted conversation was skipped");
  }
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
  // A URL plugin is checked as deeprepo loads it (fetched now, never through Deno's lockfile).
  const urlPlugins = registryOptions(ctx, [], true).urlPlugins;
  const check = isUrlPlugin(options.specifier)
    ? await checkPlugin(options.specifier, (url) => loadUrlPlugin(url, urlPlugins))
    : await checkPlugin(options.specifier);
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
