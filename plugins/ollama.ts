/**
 * Built-in plugin `ollama`: any OpenAI-compatible local server — Ollama by default — at
 * `OLLAMA_HOST` (default `http://127.0.0.1:11434`; `/v1` is appended unless it is there). No
 * key, no price: with `--root-model ollama:<model> --sub-model ollama:<model>` nothing leaves the
 * machine.
 *
 * Use any local model as `ollama:<name>` (e.g. `ollama:qwen3-coder:30b`); the ids listed here
 * also resolve without the prefix.
 *
 * @module
 */
import type { ModelRules, ProviderPlugin } from "../lib/providers/types.ts";
import { openAICompatibleClient, requestTimeout } from "./_openai_compatible.ts";

const FREE = { input: 0, output: 0 };

/** Local models: sampling parameters work; nothing else is assumed. */
const LOCAL: ModelRules = { samplingParameters: true };

const plugin: ProviderPlugin = {
  name: "ollama",
  models: [
    { id: "qwen3-coder:30b", contextWindow: 262_144, pricing: FREE, rules: LOCAL },
    { id: "gpt-oss:20b", contextWindow: 131_072, pricing: FREE, rules: LOCAL },
    { id: "llama3.3:70b", contextWindow: 131_072, pricing: FREE, rules: LOCAL },
  ],
  defaults: { root: "qwen3-coder:30b", sub: "qwen3-coder:30b" },
  unlistedPricing: FREE,
  unlistedRules: LOCAL,
  createClient(ctx) {
    return openAICompatibleClient({
      model: ctx.model,
      baseURL: ollamaBaseURL(ctx.env("OLLAMA_HOST")),
      // The SDK wants a key; local servers ignore it.
      apiKey: "ollama",
      timeoutMs: requestTimeout(ctx.env),
      rules: LOCAL,
      provider: "ollama",
    });
  },
};

/**
 * `OLLAMA_HOST` as an origin: adds `http://` when missing and maps the listen-all address
 * `0.0.0.0` (a common `OLLAMA_HOST` value) to loopback.
 */
export function ollamaOrigin(host: string | undefined): string {
  let value = (host ?? "").trim() || "http://127.0.0.1:11434";
  if (!/^https?:\/\//i.test(value)) value = `http://${value}`;
  const url = new URL(value);
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (!url.port && !/^https?:\/\/[^/]+:\d+/i.test(value) && url.protocol === "http:") {
    url.port = "11434";
  }
  return url.href.replace(/\/+$/, "");
}

/**
 * The Chat Completions base URL for `OLLAMA_HOST`: its origin (see {@linkcode ollamaOrigin}) plus
 * `/v1`. A value that already ends in `/v1` (as other local servers document their address,
 * e.g. `http://127.0.0.1:1234/v1`) is kept as it is.
 */
export function ollamaBaseURL(host: string | undefined): string {
  const origin = ollamaOrigin(host);
  return /\/v1$/.test(origin) ? origin : `${origin}/v1`;
}

export default plugin;
