/**
 * Built-in plugin `openai`: OpenAI's Chat Completions API at `OPENAI_BASE_URL` (default
 * `https://api.openai.com/v1`) with `OPENAI_API_KEY`. Claims `gpt-*` and `o<digit>*` ids.
 * Prices per 1M tokens as published in November 2026 (prompts up to 272K tokens).
 *
 * @module
 */
import type { ProviderPlugin } from "../lib/providers/types.ts";
import { openAICompatibleClient, requestTimeout, requireKey } from "./_openai_compatible.ts";

const plugin: ProviderPlugin = {
  name: "openai",
  keyVariable: "OPENAI_API_KEY",
  models: [
    {
      id: "gpt-6.1-sol",
      contextWindow: 1_050_000,
      pricing: { input: 2.00, output: 10.00, cacheRead: 0.10 },
    },
    {
      id: "gpt-6.1-terra",
      contextWindow: 1_050_000,
      pricing: { input: 1.00, output: 5.00, cacheRead: 0.05, cacheWrite: 1.25 },
    },
    {
      id: "gpt-6-sol",
      contextWindow: 1_050_000,
      pricing: { input: 2.00, output: 10.00, cacheRead: 0.20, cacheWrite: 2.50 },
    },
    {
      id: "gpt-6-luna",
      contextWindow: 1_050_000,
      pricing: { input: 0.10, output: 0.50, cacheRead: 0.01, cacheWrite: 0.125 },
    },
  ],
  defaults: { root: "gpt-6.1-sol", sub: "gpt-6-luna" },
  handles: (model) => /^(gpt-|o\d)/.test(model),
  createClient(ctx) {
    return openAICompatibleClient({
      model: ctx.model,
      baseURL: (ctx.env("OPENAI_BASE_URL") ?? "https://api.openai.com/v1").replace(/\/+$/, ""),
      apiKey: requireKey(ctx.env, "OPENAI_API_KEY", "openai"),
      timeoutMs: requestTimeout(ctx.env),
      // Reasoning models reject `max_tokens`.
      maxTokensField: "max_completion_tokens",
      organization: ctx.env("OPENAI_ORG_ID"),
      project: ctx.env("OPENAI_PROJECT_ID"),
    });
  },
};

export default plugin;
