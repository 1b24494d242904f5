/**
 * Loading a plugin must not load its SDK: every command imports every plugin (list-models and
 * --dry-run too), and the SDKs cost more start-up time than the rest of deeprepo. The SDKs may
 * only be reached through a dynamic `import()` made on the first model call.
 */
import { assertEquals } from "../_helpers/assert.ts";

const ROOT = new URL("../../", import.meta.url);
const SDKS = /^npm:\/?(@anthropic-ai\/sdk|openai)@/;

interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string }; isDynamic?: boolean }[];
}

/** Specifiers reachable from `entry` through static (non-dynamic) code imports only. */
async function staticClosure(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dep of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) visit(dep.code.specifier);
    }
  };
  visit(new URL(entry, ROOT).href);
  return seen;
}

Deno.test("built-in plugins, the registry and list-models reach no SDK through a static import", async () => {
  for (
    const entry of [
      "plugins/anthropic.ts",
      "plugins/openrouter.ts",
      "plugins/openai.ts",
      "plugins/ollama.ts",
      "lib/providers/mod.ts",
      "lib/cli/commands/list_models.ts",
      "lib/cli/commands/plugins_check.ts",
    ]
  ) {
    const sdks = [...await staticClosure(entry)].filter((s) => SDKS.test(s));
    assertEquals(sdks, [], `${entry} loads an SDK at import time`);
  }
});
