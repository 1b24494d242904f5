/**
 * Built-in plugin `openrouter`: the default sub-model provider. Serves any OpenRouter
 * `vendor/model` id through the OpenAI-compatible API at `OPENROUTER_BASE_URL` (default
 * `https://openrouter.ai/api/v1`) with `OPENROUTER_API_KEY`. OpenRouter reports each call's
 * cost (`usage.cost`), which is used as the exact cost; listed prices are the fallback.
 *
 * @module
 */
import type { ProviderPlugin } from "../lib/providers/types.ts";
import { openAICompatibleClient, requestTimeout, requireKey } from "./_openai_compatible.ts";

const plugin: ProviderPlugin = {
  name: "openrouter",
  keyVariable: "OPENROUTER_API_KEY",
  models: [
    {
      id: "minimax/minimax-m2.5",
      aliases: ["minimax"],
      contextWindow: 196_608,
      pricing: { input: 0.20, output: 1.10 },
    },
    {
      id: "deepseek/deepseek-chat-v3-0324",
      aliases: ["deepseek"],
      contextWindow: 163_840,
      pricing: { input: 0.14, output: 0.28 },
    },
    {
      id: "qwen/qwen-2.5-coder-32b-instruct",
      aliases: ["qwen-coder"],
      contextWindow: 32_768,
      pricing: { input: 0.20, output: 0.20 },
    },
    {
      id: "meta-llama/llama-3.3-70b-instruct",
      aliases: ["llama-70b"],
      contextWindow: 131_072,
      pricing: { input: 0.39, output: 0.39 },
    },
    {
      id: "google/gemini-2.0-flash-001",
      aliases: ["gemini-flash"],
      contextWindow: 1_048_576,
      pricing: { input: 0.10, output: 0.40 },
    },
  ],
  defaults: { sub: "minimax/minimax-m2.5" },
  /** Any `vendor/model` id (optionally with a `:variant` such as `:free`). */
  handles: (model) => /^[A-Za-z0-9][\w.-]*\/[\w.:-]+$/.test(model),
  createClient(ctx) {
    return openAICompatibleClient({
      model: ctx.model,
      baseURL: (ctx.env("OPENROUTER_BASE_URL") ?? "https://openrouter.ai/api/v1").replace(
        /\/+$/,
        "",
      ),
      apiKey: requireKey(ctx.env, "OPENROUTER_API_KEY", "openrouter"),
      timeoutMs: requestTimeout(ctx.env),
      // Ask OpenRouter to put the call's cost in `usage.cost`.
      extraBody: { usage: { include: true } },
      headers: { "X-Title": "deeprepo" },
    });
  },
};

export default plugin;
