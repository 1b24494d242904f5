/**
 * Built-in plugin `openai`: OpenAI's API at `OPENAI_BASE_URL` (default
 * `https://api.openai.com/v1`) with `OPENAI_API_KEY`. Claims `gpt-*` and `o<digit>*` ids.
 * Prices per 1M tokens as published (docs/MODELS.md names the pages and the day they were
 * checked); a call whose prompt is over 272K tokens is billed wholly at 2× input and cache,
 * 1.5× output.
 *
 * Which API a request uses follows the published rules of each model:
 * - GPT-6.1 Sol and Terra take function tools only through the Responses API: every request
 *   goes there.
 * - GPT-6 Sol and Luna take function tools in Chat Completions only with
 *   `reasoning_effort: "none"`: a request with tools and no effort goes there with `"none"`;
 *   one with tools and an effort goes to the Responses API; one without tools goes to Chat
 *   Completions with its effort.
 * - Unlisted `gpt-6*` / `gpt-5.6*` ids use the Responses API; other unlisted ids Chat
 *   Completions.
 *
 * @module
 */
import type {
  CompletionRequest,
  ModelClient,
  ModelRules,
  ProviderPlugin,
} from "../lib/providers/types.ts";
import {
  openAICompatibleClient,
  type OpenAICompatibleOptions,
  requestTimeout,
  requireKey,
  sdkLoader,
} from "./_openai_compatible.ts";
import { completeWithResponses, responsesBody } from "./_openai_responses.ts";
import { explainRefusal } from "./_refusals.ts";

/** How requests for a model reach the API. */
type Route = "responses" | "chat-none-with-tools" | "chat";

/** GPT-6 generation: reasoning on by default, tool choice may be forced, no sampling. */
const GPT_6: ModelRules = {
  forcedToolChoice: true,
  samplingParameters: false,
  thinking: "adaptive",
  effortLevels: ["low", "medium", "high", "max"],
  maxOutputTokens: 128_000,
  promptCacheMinTokens: 1_024,
};

/** Above 272K prompt tokens: 2× input and cache prices, 1.5× output, for the whole call. */
function longContext(input: number, output: number, cacheRead: number, cacheWrite: number) {
  return {
    aboveTokens: 272_000,
    input: input * 2,
    output: output * 1.5,
    cacheRead: cacheRead * 2,
    cacheWrite: cacheWrite * 2,
  };
}

const ROUTES: Record<string, Route> = {
  "gpt-6.1-sol": "responses",
  "gpt-6.1-terra": "responses",
  "gpt-6-sol": "chat-none-with-tools",
  "gpt-6-luna": "chat-none-with-tools",
};

const plugin: ProviderPlugin = {
  name: "openai",
  keyVariable: "OPENAI_API_KEY",
  models: [
    {
      id: "gpt-6.1-sol",
      contextWindow: 1_050_000,
      pricing: {
        input: 2.00,
        output: 10.00,
        cacheRead: 0.10,
        cacheWrite: 2.50,
        tiers: [longContext(2.00, 10.00, 0.10, 2.50)],
      },
      // No "none" effort on GPT-6.1 Sol.
      rules: GPT_6,
    },
    {
      id: "gpt-6.1-terra",
      contextWindow: 1_050_000,
      pricing: {
        input: 1.00,
        output: 5.00,
        cacheRead: 0.05,
        cacheWrite: 1.25,
        tiers: [longContext(1.00, 5.00, 0.05, 1.25)],
      },
      rules: GPT_6,
    },
    {
      id: "gpt-6-sol",
      contextWindow: 1_050_000,
      pricing: {
        input: 2.00,
        output: 10.00,
        cacheRead: 0.20,
        cacheWrite: 2.50,
        tiers: [longContext(2.00, 10.00, 0.20, 2.50)],
      },
      rules: GPT_6,
    },
    {
      id: "gpt-6-luna",
      contextWindow: 1_050_000,
      pricing: {
        input: 0.10,
        output: 0.50,
        cacheRead: 0.01,
        cacheWrite: 0.125,
        tiers: [longContext(0.10, 0.50, 0.01, 0.125)],
      },
      rules: GPT_6,
    },
  ],
  defaults: { root: "gpt-6.1-sol", sub: "gpt-6-luna" },
  handles: (model) => /^(gpt-|o\d)/.test(model),
  createClient(ctx) {
    const options: OpenAICompatibleOptions = {
      model: ctx.model,
      baseURL: (ctx.env("OPENAI_BASE_URL") ?? "https://api.openai.com/v1").replace(/\/+$/, ""),
      apiKey: requireKey(ctx.env, "OPENAI_API_KEY", "openai"),
      timeoutMs: requestTimeout(ctx.env),
      // Reasoning models reject `max_tokens`.
      maxTokensField: "max_completion_tokens",
      organization: ctx.env("OPENAI_ORG_ID"),
      project: ctx.env("OPENAI_PROJECT_ID"),
      rules: rulesOf(ctx.model),
      provider: "openai",
    };
    return openAIClient(options, routeOf(ctx.model));
  },
};

export default plugin;

/** The rules of an OpenAI id: listed, else none beyond the conservative defaults. */
function rulesOf(model: string): ModelRules {
  return plugin.models.find((m) => m.id === model)?.rules ?? {};
}

/** How requests for `model` reach the API (see the module doc). */
export function routeOf(model: string): Route {
  return ROUTES[model] ?? (/^gpt-(6|5\.6)/.test(model) ? "responses" : "chat");
}

/** A client that sends each request to Chat Completions or Responses by the model's route. */
export function openAIClient(options: OpenAICompatibleOptions, route: Route): ModelClient {
  const getSdk = sdkLoader(options);
  const rules = options.rules ?? {};
  const chat = openAICompatibleClient(
    route === "chat-none-with-tools" ? { ...options, effortWithTools: "none" } : options,
    getSdk,
  );
  const viaResponses = (req: CompletionRequest) =>
    route === "responses" ||
    (route === "chat-none-with-tools" && !!req.tools?.length && !!req.effort &&
      !!rules.effortLevels?.includes(req.effort));
  return {
    async complete(req) {
      if (!viaResponses(req)) return await chat.complete(req);
      const sdk = await getSdk();
      try {
        return await completeWithResponses(sdk, responsesBody(options.model, rules, req), req);
      } catch (error) {
        throw explainRefusal(options.model, error);
      }
    },
  };
}
