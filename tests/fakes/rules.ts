/**
 * The published request rules of the built-in models, as the fake model server enforces them:
 * a request the real API refuses gets the real status and error body (see docs/MODELS.md for
 * the pages). Models the fake does not know accept everything, as before.
 *
 * @module
 */
import type { Api, RecordedRequest } from "./wire.ts";

/** What the fake knows about one model id. */
export interface FakeModelRules {
  /** Thinking / reasoning happens on every call (thinking blocks, reasoning tokens). */
  alwaysThinks: boolean;
  /** Forced tool choice (`tool_choice` any/tool/required) is refused. */
  refusesForcedTools: boolean;
  /** Sampling parameters are refused. */
  refusesSampling: boolean;
  /** Anthropic: thinking blocks are bound to their conversation prefix (preserved thinking). */
  preservedThinking: boolean;
  /** Accepted effort values (`output_config.effort`, `reasoning_effort`, `reasoning.effort`). */
  effort?: string[];
  /** OpenAI: function tools in Chat Completions need `reasoning_effort: "none"`. */
  chatToolsNeedNoReasoning?: boolean;
  /** OpenAI: function tools are refused in Chat Completions whatever the effort. */
  chatToolsRefused?: boolean;
  /** OpenRouter: reasoning cannot be turned off. */
  reasoningMandatory?: boolean;
  /** Which output-limit field the API takes (OpenAI reasoning models refuse `max_tokens`). */
  limitField?: "max_completion_tokens";
  /**
   * Anthropic: when `thinking: {type: "disabled"}` is accepted on a model that thinks by
   * default: never (the default), only at effort high or below, or at any effort.
   */
  disableThinking?: "never" | "up-to-high" | "any-effort";
  /** Anthropic: `thinking: {type: "between_tools"}` is the lowest setting (low…high effort). */
  betweenTools?: boolean;
  /** The API's largest output limit; a request asking for more is refused. */
  maxOutputTokens?: number;
}

// Claude Opus 5 / Sonnet 5: forced tool use was accepted (it is a breaking change of the 5.5
// models, per their "What's new" pages); see tests/fakes/published_rules_test.ts.
const CLAUDE_ADAPTIVE: FakeModelRules = {
  alwaysThinks: true,
  refusesForcedTools: false,
  refusesSampling: true,
  preservedThinking: false,
  effort: ["low", "medium", "high", "xhigh", "max"],
  maxOutputTokens: 128_000,
};
const CLAUDE_5_5: FakeModelRules = {
  ...CLAUDE_ADAPTIVE,
  refusesForcedTools: true,
  preservedThinking: true,
};
const GPT_6: FakeModelRules = {
  alwaysThinks: true,
  refusesForcedTools: false,
  refusesSampling: true,
  preservedThinking: false,
  effort: ["none", "low", "medium", "high", "xhigh", "max"],
  chatToolsNeedNoReasoning: true,
  limitField: "max_completion_tokens",
  maxOutputTokens: 128_000,
};

const KNOWN: Record<string, FakeModelRules> = {
  "claude-opus-5-5": CLAUDE_5_5,
  "claude-sonnet-5-5": { ...CLAUDE_5_5, betweenTools: true },
  "claude-haiku-5-5": { ...CLAUDE_5_5, disableThinking: "up-to-high" },
  "claude-opus-5": { ...CLAUDE_ADAPTIVE, disableThinking: "up-to-high" },
  "claude-sonnet-5": { ...CLAUDE_ADAPTIVE, disableThinking: "any-effort" },
  "gpt-6.1-sol": {
    ...GPT_6,
    effort: ["low", "medium", "high", "xhigh", "max"],
    chatToolsRefused: true,
  },
  "gpt-6.1-terra": { ...GPT_6, chatToolsRefused: true },
  "gpt-6-sol": GPT_6,
  "gpt-6-luna": GPT_6,
  "minimax/minimax-m2.5": {
    alwaysThinks: true,
    refusesForcedTools: false,
    refusesSampling: false,
    preservedThinking: false,
    reasoningMandatory: true,
  },
};

/** The fake's rules for a model id, or undefined for a model it lets do anything. */
export function fakeRulesOf(model: string): FakeModelRules | undefined {
  return KNOWN[model];
}

/** A refusal: the HTTP status and the error body the real API sends. */
export interface Refusal {
  status: number;
  body: unknown;
  /** One line for the server's refusal log. */
  summary: string;
}

/**
 * Checks one request against its model's published rules (not preserved thinking, which needs
 * the conversation ledger; see `thinking_ledger.ts`).
 *
 * @returns The refusal the real API would send, or undefined when the request is accepted.
 */
export function checkRequest(req: RecordedRequest): Refusal | undefined {
  const rules = fakeRulesOf(req.model);
  if (!rules) return undefined;
  const b = req.body;
  if (req.api === "messages") return checkMessages(req.model, b, rules);
  return checkOpenAI(req.model, req.api, b, rules);
}

function checkMessages(
  model: string,
  b: Record<string, unknown>,
  rules: FakeModelRules,
): Refusal | undefined {
  const choice = (b.tool_choice ?? {}) as { type?: unknown };
  if (rules.refusesForcedTools && (choice.type === "any" || choice.type === "tool")) {
    return anthropicError(
      `\`tool_choice.type\` "${choice.type}" is not supported for this model. Forced tool use ` +
        'is not compatible with thinking; use "auto" or "none".',
    );
  }
  for (const key of ["temperature", "top_p", "top_k"]) {
    if (rules.refusesSampling && b[key] !== undefined) {
      return anthropicError(
        `\`${key}\` is not supported for this model. Remove sampling parameters and use ` +
          '"output_config.effort" instead.',
      );
    }
  }
  const thinking = (b.thinking ?? {}) as { type?: unknown };
  const effort = ((b.output_config ?? {}) as { effort?: unknown }).effort;
  const aboveHigh = effort === "xhigh" || effort === "max";
  const canDisable = rules.disableThinking === "any-effort" ||
    (rules.disableThinking === "up-to-high" && !aboveHigh);
  if (
    rules.alwaysThinks &&
    (thinking.type === "enabled" || (thinking.type === "disabled" && !canDisable))
  ) {
    const use = rules.betweenTools && thinking.type === "disabled"
      ? '"thinking.type.between_tools" to turn off up-front thinking, or '
      : "";
    return anthropicError(
      `"thinking.type.${thinking.type}" is not supported for this model. Use ${use}` +
        '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
    );
  }
  if (rules.betweenTools && thinking.type === "between_tools" && aboveHigh) {
    return anthropicError(
      `"thinking.type.between_tools" is not supported with "output_config.effort" "${effort}". ` +
        'Use "thinking.type.adaptive" at xhigh or max effort.',
    );
  }
  if (effort !== undefined && !rules.effort?.includes(String(effort))) {
    return anthropicError(`output_config.effort: "${effort}" is not supported for ${model}.`);
  }
  const limit = b.max_tokens;
  if (rules.maxOutputTokens && typeof limit === "number" && limit > rules.maxOutputTokens) {
    return anthropicError(
      `max_tokens: ${limit} > ${rules.maxOutputTokens}, which is the maximum allowed number of ` +
        `output tokens for ${model}`,
    );
  }
  const messages = Array.isArray(b.messages) ? b.messages as { role?: unknown }[] : [];
  if (rules.alwaysThinks && messages.at(-1)?.role === "assistant") {
    return anthropicError(
      "This model does not support assistant message prefill. The conversation must end " +
        "with a user message.",
    );
  }
  return undefined;
}

function checkOpenAI(
  model: string,
  api: Api,
  b: Record<string, unknown>,
  rules: FakeModelRules,
): Refusal | undefined {
  if (rules.limitField && api === "chat" && b.max_tokens !== undefined) {
    return openaiError(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use " +
        "'max_completion_tokens' instead.",
      "max_tokens",
      "unsupported_parameter",
    );
  }
  const limit = api === "responses" ? b.max_output_tokens : b.max_completion_tokens ?? b.max_tokens;
  if (rules.maxOutputTokens && typeof limit === "number" && limit > rules.maxOutputTokens) {
    return openaiError(
      `max_tokens is too large: ${limit}. This model supports at most ` +
        `${rules.maxOutputTokens} completion tokens, whereas you provided ${limit}.`,
      api === "responses" ? "max_output_tokens" : "max_tokens",
      "invalid_value",
    );
  }
  const reasoning = (b.reasoning ?? {}) as { effort?: unknown; enabled?: unknown };
  const effort = api === "chat" ? b.reasoning_effort ?? reasoning.effort : reasoning.effort;
  if (rules.reasoningMandatory && (reasoning.enabled === false || effort === "none")) {
    // OpenRouter's error shape: {error: {code, message, metadata?}} (openrouter.ai/docs/errors).
    const message = "Reasoning is mandatory for this endpoint and cannot be disabled.";
    return {
      status: 400,
      body: { error: { message, code: 400, metadata: { provider_name: null } } },
      summary: message,
    };
  }
  if (effort !== undefined && rules.effort && !rules.effort.includes(String(effort))) {
    return openaiError(
      `Unsupported value: 'reasoning_effort' does not support '${effort}' with this model. ` +
        `Supported values are: ${rules.effort.map((e) => `'${e}'`).join(", ")}.`,
      "reasoning_effort",
      "unsupported_value",
    );
  }
  const tools = Array.isArray(b.tools) && b.tools.length > 0;
  if (api === "chat" && tools && rules.chatToolsRefused) {
    return openaiError(
      `Function tools are not supported for ${model} in /v1/chat/completions. To use ` +
        "function tools, use /v1/responses.",
      "tools",
      null,
    );
  }
  if (
    api === "chat" && tools && rules.chatToolsNeedNoReasoning && (effort ?? "medium") !== "none"
  ) {
    return openaiError(
      `Function tools with reasoning_effort are not supported for ${model} in ` +
        "/v1/chat/completions. To use function tools, use /v1/responses or set " +
        "reasoning_effort to 'none'.",
      "reasoning_effort",
      null,
    );
  }
  const reasons = (effort ?? "medium") !== "none";
  for (const key of ["temperature", "top_p"]) {
    if (rules.refusesSampling && reasons && b[key] !== undefined) {
      return openaiError(
        `Unsupported parameter: '${key}' is not supported with this model.`,
        key,
        "unsupported_parameter",
      );
    }
  }
  if (rules.refusesForcedTools && (b.tool_choice === "required" || isObject(b.tool_choice))) {
    return openaiError("Forced tool choice is not supported for this model.", "tool_choice", null);
  }
  return undefined;
}

/** Whether a request makes the model reason (so reasoning tokens are spent and reported). */
export function reasons(req: RecordedRequest): boolean {
  const rules = fakeRulesOf(req.model);
  if (!rules?.alwaysThinks) return false;
  if (req.api === "messages") {
    return (req.body.thinking as { type?: unknown } | undefined)?.type !== "disabled";
  }
  const reasoning = (req.body.reasoning ?? {}) as { effort?: unknown };
  const effort = req.api === "chat"
    ? req.body.reasoning_effort ?? reasoning.effort
    : reasoning.effort;
  return effort !== "none";
}

/** The output limit a request set, in the field its API uses. */
export function outputLimit(req: RecordedRequest): number | undefined {
  const b = req.body;
  const value = req.api === "messages"
    ? b.max_tokens
    : req.api === "responses"
    ? b.max_output_tokens
    : b.max_completion_tokens ?? b.max_tokens;
  return typeof value === "number" ? value : undefined;
}

/** A 400 with Anthropic's error body. */
export function anthropicError(message: string): Refusal {
  return {
    status: 400,
    body: { type: "error", error: { type: "invalid_request_error", message } },
    summary: message,
  };
}

function openaiError(message: string, param: string, code: string | number | null): Refusal {
  return {
    status: 400,
    body: { error: { message, type: "invalid_request_error", param, code } },
    summary: message,
  };
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}
