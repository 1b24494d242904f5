/**
 * The plugin kit: what a provider plugin author imports from deeprepo. Import it by path from a
 * checkout (`/path/to/deeprepo/lib/plugin_kit/mod.ts`) or by URL from wherever deeprepo is
 * served; inside the compiled binary a self-contained plugin may import it too (the binary
 * hands over its own copy).
 *
 * - the plugin API types (`ProviderPlugin`, `CompletionRequest`, ...);
 * - {@linkcode openAICompatible}: a whole plugin for an OpenAI-compatible endpoint;
 * - {@linkcode parseSSE}: server-sent events from a `fetch` response;
 * - {@linkcode normalizeUsage} / {@linkcode openAIUsage}: token counts as deeprepo wants them;
 * - {@linkcode PluginError}, {@linkcode httpError}, {@linkcode errorInBody},
 *   {@linkcode configError}: errors the retry policy understands;
 * - {@linkcode runScriptedConversation} and {@linkcode startPluginFake}: what `plugins check`
 *   runs, for the author's own tests;
 * - the offline conformance suite is in `conformance.ts` (kept apart: it registers tests).
 *
 * @example
 * ```ts
 * // In a plugin: import { openAICompatible } from "/path/to/deeprepo/lib/plugin_kit/mod.ts";
 * import assert from "node:assert/strict";
 * const plugin = openAICompatible({
 *   name: "mistral",
 *   baseURL: "https://api.mistral.ai/v1",
 *   keyVariable: "MISTRAL_API_KEY",
 *   models: [{ id: "mistral-large-latest", pricing: { input: 2, output: 6 } }],
 * });
 * assert.equal(plugin.keyVariable, "MISTRAL_API_KEY"); // and `export default plugin;`
 * ```
 *
 * @module
 */
export type {
  ClientContext,
  CompletionRequest,
  CompletionResponse,
  Effort,
  FakeAdapter,
  FakeRequest,
  Message,
  ModelClient,
  ModelInfo,
  ModelRules,
  OpaquePart,
  Part,
  PluginCheckSettings,
  Pricing,
  ProviderPlugin,
  ScriptedReply,
  ToolCall,
  ToolSpec,
  Usage,
} from "../providers/mod.ts";
export { openAICompatible, type OpenAICompatibleSpec } from "./openai_compatible.ts";
export { parseSSE, type SSEEvent } from "./sse.ts";
export { normalizeUsage, openAIUsage, type RawUsage } from "./usage.ts";
export {
  configError,
  errorInBody,
  httpError,
  PluginError,
  type PluginErrorOptions,
} from "./errors.ts";
export { CUT_OFF_STOP_REASONS, KNOWN_STOP_REASONS } from "../providers/mod.ts";
export { CHECK_TOOL, type ConversationOutcome, runScriptedConversation } from "./conversation.ts";
export { type PluginFake, startPluginFake } from "./fake_server.ts";
export { placeholder, PLACEHOLDER_KEY, type SampleEnv, sampleEnv } from "./sample_env.ts";
