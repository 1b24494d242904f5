/**
 * The kit's conformance suite, run against a plugin written with `openAICompatible` (in under 25
 * lines), the guide's hand-written example, and the built-in OpenAI-compatible plugins.
 */
import { assert } from "../_helpers/assert.ts";
import { conformanceSuite } from "../../lib/plugin_kit/conformance.ts";

const path = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const openai = (variable: string, basePath: string) => ({
  baseUrlVariable: variable,
  basePath,
  render: "openai" as const,
});

conformanceSuite({ plugin: path("examples/plugins/nimbus_kit.ts") });
conformanceSuite({
  plugin: path("examples/plugins/acme_chat.ts"),
  fake: openai("ACME_BASE_URL", "/v1"),
});
// gpt-6-luna goes through Chat Completions (the 6.1 models use the Responses API, which this
// fake does not speak).
conformanceSuite({
  plugin: path("plugins/openai.ts"),
  model: "gpt-6-luna",
  fake: openai("OPENAI_BASE_URL", "/v1"),
});
conformanceSuite({
  plugin: path("plugins/openrouter.ts"),
  fake: openai("OPENROUTER_BASE_URL", "/api/v1"),
});

Deno.test("the openAICompatible example is a whole plugin in under 25 lines of code", async () => {
  const source = await Deno.readTextFile(path("examples/plugins/nimbus_kit.ts"));
  const code = source.replace(/\/\*\*[\s\S]*?\*\//g, "").split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("//"));
  assert(code.length < 25, `${code.length} lines of code`);
});
