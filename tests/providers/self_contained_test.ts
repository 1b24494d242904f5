/**
 * The loader a compiled binary uses for user plugins (it cannot import files that were not
 * embedded at compile time): source read or fetched, types stripped, evaluated.
 */
import { assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { importSelfContained } from "../../lib/providers/self_contained.ts";
import { checkPluginShape } from "../../lib/providers/mod.ts";
import type { ProviderPlugin } from "../../lib/providers/types.ts";
import { startFakeModelServer } from "../fakes/model_server.ts";
import { serveFolder } from "../_helpers/static_server.ts";

const EXAMPLE = new URL("../../examples/plugins/acme_chat.ts", import.meta.url);

Deno.test("importSelfContained() loads the guide's example plugin from a file and it works", async () => {
  const mod = await importSelfContained(EXAMPLE.href);
  assertEquals(checkPluginShape(mod.default), []);
  const plugin = mod.default as ProviderPlugin;
  assertEquals(plugin.name, "acme");
  const server = await startFakeModelServer();
  try {
    server.enqueue({ text: "hello from acme", usage: { input: 3, output: 4 } });
    const env: Record<string, string> = { ACME_API_KEY: "k", ACME_BASE_URL: `${server.url}/v1` };
    const client = plugin.createClient({ model: "acme-small", env: (n) => env[n] });
    const reply = await client.complete({
      messages: [{ role: "user", content: "hi" }],
      maxTokens: 9,
    });
    assertEquals(reply.text, "hello from acme");
    assertEquals(reply.usage.outputTokens, 4);
    server.assertNoFailures();
  } finally {
    await server.close();
  }
});

Deno.test("importSelfContained() loads a plugin by URL and refuses one that imports code", async () => {
  const dir = await Deno.makeTempDir();
  const server = serveFolder(dir);
  try {
    await Deno.writeTextFile(
      `${dir}/tiny.ts`,
      `import type { ProviderPlugin } from "./types.ts";
const plugin: ProviderPlugin = {
  name: "tiny",
  models: [{ id: "t-1", pricing: { input: 1, output: 2 } }],
  createClient: () => ({ complete: () => Promise.reject(new Error("unused")) }),
};
export default plugin;
`,
    );
    await Deno.writeTextFile(
      `${dir}/heavy.ts`,
      `import OpenAI from "npm:openai@7.57.0";\nexport default { name: "heavy", sdk: OpenAI };\n`,
    );
    const tiny = await importSelfContained(`${server.url}/tiny.ts`);
    assertEquals((tiny.default as ProviderPlugin).models[0].id, "t-1");
    const error = await assertRejects(() => importSelfContained(`${server.url}/heavy.ts`));
    assertMatch(error.message, /imports "npm:openai@7\.57\.0": in a compiled deeprepo binary/);
    await assertRejects(() => importSelfContained(`${server.url}/missing.ts`), Error, "HTTP 404");
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
