/** In a compiled binary, a self-contained plugin may import the plugin kit by path or URL. */
import { assertEquals, assertRejects } from "../_helpers/assert.ts";
import { importSelfContained } from "../../lib/providers/self_contained.ts";
import { provideKit } from "../../lib/cli/registry.ts";
import { checkPluginShape } from "../../lib/providers/shape.ts";
import type { ProviderPlugin } from "../../lib/providers/types.ts";

Deno.test("importSelfContained() hands a kit import (by URL) the binary's own kit", async () => {
  provideKit(); // what every command does before loading plugins
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kit_sc_" });
  try {
    const path = `${dir}/kit_plugin.ts`;
    // The URL is never fetched: the kit is served from the binary.
    await Deno.writeTextFile(
      path,
      `import { openAICompatible, type ProviderPlugin } from "https://deeprepo.invalid/v1.1/lib/plugin_kit/mod.ts";
       const plugin: ProviderPlugin = openAICompatible({ name: "tiny", baseURL: "http://127.0.0.1:9/v1",
         models: [{ id: "t", pricing: { input: 0, output: 0 } }] });
       export default plugin;`,
    );
    const mod = await importSelfContained(new URL(`file://${path}`).href);
    assertEquals(checkPluginShape(mod.default), []);
    assertEquals((mod.default as ProviderPlugin).name, "tiny");

    await Deno.writeTextFile(path, `import { x } from "./helper.ts"; export default x;`);
    await assertRejects(
      () => importSelfContained(new URL(`file://${path}`).href),
      Error,
      'imports "./helper.ts"',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
