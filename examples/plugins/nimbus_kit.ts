/**
 * Example: a whole provider plugin for an OpenAI-compatible endpoint, written with the plugin
 * kit. Outside this repository, import the kit from your deeprepo checkout or its URL.
 *
 * @module
 */
import { openAICompatible } from "../../lib/plugin_kit/mod.ts";

export default openAICompatible({
  name: "nimbus",
  baseURL: "https://api.nimbus.example/v1", // NIMBUS_BASE_URL overrides it
  keyVariable: "NIMBUS_API_KEY",
  models: [
    { id: "nimbus-large", aliases: ["nimbus"], pricing: { input: 1, output: 4 } },
    { id: "nimbus-mini", contextWindow: 128_000, pricing: { input: 0.1, output: 0.4 } },
  ],
  defaults: { root: "nimbus-large", sub: "nimbus-mini" },
});
