/**
 * `openAICompatible({...})`: a whole provider plugin for any OpenAI-compatible Chat Completions
 * endpoint, built on the same client the built-in `openai`, `openrouter` and `ollama` plugins
 * use (`plugins/_openai_compatible.ts`: the openai SDK, loaded on the first call; streaming with
 * exact usage; tool calls; errors inside a 200 reply retried).
 *
 * @module
 */
import {
  openAICompatibleClient,
  type OpenAICompatibleOptions,
  requestTimeout,
} from "../../plugins/_openai_compatible.ts";
import type {
  ModelInfo,
  ModelRules,
  PluginCheckSettings,
  Pricing,
  ProviderPlugin,
} from "../providers/mod.ts";
import { configError } from "./errors.ts";

/** What {@linkcode openAICompatible} needs. */
export interface OpenAICompatibleSpec {
  /** Provider id (`name:model`). */
  name: string;
  /** The endpoint's base URL, ending before `/chat/completions` (e.g. `https://api.x.ai/v1`). */
  baseURL: string;
  /**
   * A variable that overrides `baseURL` (e.g. `ACME_BASE_URL`); also what `plugins check` points
   * at its OpenAI-compatible fake. @default `<NAME>_BASE_URL`
   */
  baseURLVariable?: string;
  /** The variable holding the key; leave out for servers that need none. */
  keyVariable?: string;
  models: ModelInfo[];
  defaults?: { root?: string; sub?: string };
  /** Claims ids you do not list. */
  handles?(model: string): boolean;
  unlistedPricing?: Pricing;
  unlistedRules?: ModelRules;
  /** OpenAI's newer models want `max_completion_tokens`. @default "max_tokens" */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Extra body fields sent with every request. */
  extraBody?: Record<string, unknown>;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** `plugins check` settings; the OpenAI-compatible fake is declared for you. */
  check?: PluginCheckSettings;
}

/**
 * Builds a provider plugin for an OpenAI-compatible endpoint.
 *
 * @param spec Name, endpoint, key variable and models.
 * @returns The plugin: `export default openAICompatible({...})`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const plugin = openAICompatible({
 *   name: "mistral",
 *   baseURL: "https://api.mistral.ai/v1",
 *   keyVariable: "MISTRAL_API_KEY",
 *   models: [{ id: "mistral-large-latest", pricing: { input: 2, output: 6 } }],
 * });
 * assert.equal(plugin.check?.fake?.baseUrlVariable, "MISTRAL_BASE_URL");
 * ```
 */
export function openAICompatible(spec: OpenAICompatibleSpec): ProviderPlugin {
  const urlVariable = spec.baseURLVariable ??
    `${spec.name.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_BASE_URL`;
  const plugin: ProviderPlugin = {
    name: spec.name,
    models: spec.models,
    createClient(ctx) {
      const baseURL = checkedBaseURL(ctx.env(urlVariable) ?? spec.baseURL, urlVariable);
      const key = spec.keyVariable ? ctx.env(spec.keyVariable) : "no-key";
      if (!key) throw configError(`${spec.keyVariable} is not set`);
      const info = spec.models.find((m) => m.id === ctx.model);
      const options = {
        model: ctx.model,
        baseURL,
        apiKey: key,
        timeoutMs: requestTimeout(ctx.env),
        maxTokensField: spec.maxTokensField,
        extraBody: spec.extraBody,
        headers: spec.headers,
        rules: info ? info.rules : spec.unlistedRules,
        provider: spec.name,
      };
      return openAICompatibleClient(options as OpenAICompatibleOptions);
    },
    check: {
      ...spec.check,
      fake: spec.check?.fake ?? { baseUrlVariable: urlVariable, basePath: "/v1", render: "openai" },
    },
  };
  if (spec.keyVariable) plugin.keyVariable = spec.keyVariable;
  if (spec.defaults) plugin.defaults = spec.defaults;
  if (spec.handles) plugin.handles = spec.handles;
  if (spec.unlistedPricing) plugin.unlistedPricing = spec.unlistedPricing;
  if (spec.unlistedRules) plugin.unlistedRules = spec.unlistedRules;
  return plugin;
}

/** The base URL without trailing slashes, or a config error naming the variable. */
function checkedBaseURL(value: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${variable} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw configError(`${variable} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, "");
}
