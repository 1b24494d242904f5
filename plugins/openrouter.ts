/**
 * Built-in plugin `openrouter`: the default sub-model provider. Serves any OpenRouter
 * `vendor/model` id through the OpenAI-compatible API at `OPENROUTER_BASE_URL` (default
 * `https://openrouter.ai/api/v1`) with `OPENROUTER_API_KEY`. OpenRouter reports each call's
 * cost (`usage.cost`), which is used as the exact cost; listed prices are the fallback.
 *
 * MiniMax M2.5 always reasons (it cannot be turned off, so nothing about reasoning is sent) and
 * returns `reasoning_details`, which go back unchanged with its turn. Unlisted ids get the
 * conservative rules: nothing optional is sent. docs/MODELS.md names the pages the table was
 * checked against and what could not be confirmed.
 *
 * @module
 */
import type { ModelRules, ProviderPlugin } from "../lib/providers/types.ts";
import { openAICompatibleClient, requestTimeout, requireKey } from "./_openai_compatible.ts";

/** A chat model without reasoning: nothing optional is sent, so the defaults are enough. */
const PLAIN: ModelRules = { thinking: "none" };

const plugin: ProviderPlugin = {
  name: "openrouter",
  keyVariable: "OPENROUTER_API_KEY",
  models: [
    {
      id: "minimax/minimax-m2.5",
      aliases: ["minimax"],
      contextWindow: 196_608,
      pricing: { input: 0.20, output: 1.10 },
      rules: { thinking: "adaptive", maxOutputTokens: 131_072 },
    },
    {
      id: "deepseek/deepseek-chat-v3-0324",
      aliases: ["deepseek"],
      contextWindow: 163_840,
      pricing: { input: 0.27, output: 1.10 },
      rules: PLAIN,
    },
    {
      id: "qwen/qwen-2.5-coder-32b-instruct",
      aliases: ["qwen-coder"],
      contextWindow: 32_768,
      pricing: { input: 0.20, output: 0.20 },
      rules: PLAIN,
    },
    {
      id: "meta-llama/llama-3.3-70b-instruct",
      aliases: ["llama-70b"],
      contextWindow: 131_072,
      pricing: { input: 0.038, output: 0.12 },
      rules: PLAIN,
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
      rules: plugin.models.find((m) => m.id === ctx.model)?.rules,
      effortField: "reasoning",
      provider: "openrouter",
    });
  },
};

export default plugin;
