/**
 * Built-in plugin `anthropic`: Claude through the Messages API (`@anthropic-ai/sdk`) at
 * `ANTHROPIC_BASE_URL` (default `https://api.anthropic.com`) with `ANTHROPIC_API_KEY`. The
 * default root model.
 *
 * - Aliases `opus`, `sonnet`, `haiku` name the current Claude models; prices per 1M tokens as
 *   published in November 2026 (cache write = 5-minute cache).
 * - Tool use: `tool_call` ↔ `tool_use`, `tool_result` ↔ `tool_result` blocks.
 * - Streaming through `onText` keeps the exact final usage (`finalMessage()`).
 * - Prompt caching (`promptCache`): `cache_control: {type: "ephemeral"}` on the system prompt,
 *   the last tool and the last block of the latest user message.
 * - Usage: Anthropic's `input_tokens` already excludes cache reads and writes.
 * - `temperature` is not sent: the current Messages API no longer takes sampling parameters.
 * - Thinking blocks the model returns are kept per tool call and sent back with that turn, as
 *   the API requires when thinking and tool use meet.
 *
 * @module
 */
// Types only at load time: the SDK itself is imported on the first call, so listing models,
// resolving them and --dry-run never pay for loading it.
import type Anthropic from "npm:@anthropic-ai/sdk@1.13.0";
import type {
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelClient,
  ProviderPlugin,
  ToolSpec,
} from "../lib/providers/types.ts";
import { requestTimeout, requireKey } from "./_openai_compatible.ts";

type Params = Anthropic.Messages.MessageCreateParamsNonStreaming;
type BlockParam = Anthropic.Messages.ContentBlockParam;
type ResponseBlock = Anthropic.Messages.ContentBlock;

const EPHEMERAL = { type: "ephemeral" } as const;

const plugin: ProviderPlugin = {
  name: "anthropic",
  keyVariable: "ANTHROPIC_API_KEY",
  models: [
    {
      id: "claude-opus-5-5",
      aliases: ["opus"],
      contextWindow: 1_000_000,
      pricing: { input: 4.00, output: 20.00, cacheRead: 0.20, cacheWrite: 5.00 },
    },
    {
      id: "claude-sonnet-5-5",
      aliases: ["sonnet"],
      contextWindow: 1_000_000,
      pricing: { input: 2.00, output: 10.00, cacheRead: 0.10, cacheWrite: 2.50 },
    },
    {
      // Prompts over 100K tokens are billed at $0.50/$2.50; this price is the lower band.
      id: "claude-haiku-5-5",
      aliases: ["haiku"],
      contextWindow: 1_000_000,
      pricing: { input: 0.10, output: 0.50, cacheRead: 0.01, cacheWrite: 0.125 },
    },
    {
      id: "claude-opus-5",
      contextWindow: 1_000_000,
      pricing: { input: 5.00, output: 25.00, cacheRead: 0.50, cacheWrite: 6.25 },
    },
    {
      id: "claude-sonnet-5",
      contextWindow: 1_000_000,
      pricing: { input: 2.00, output: 10.00, cacheRead: 0.20, cacheWrite: 2.50 },
    },
    {
      id: "claude-haiku-4-5",
      contextWindow: 200_000,
      pricing: { input: 1.00, output: 5.00, cacheRead: 0.10, cacheWrite: 1.25 },
    },
  ],
  defaults: { root: "claude-sonnet-5-5", sub: "claude-haiku-5-5" },
  handles: (model) => model.startsWith("claude-"),
  createClient(ctx) {
    const settings = {
      apiKey: requireKey(ctx.env, "ANTHROPIC_API_KEY", "anthropic"),
      baseURL: (ctx.env("ANTHROPIC_BASE_URL") ?? "https://api.anthropic.com").replace(/\/+$/, ""),
      // Retries are deeprepo's (lib/providers/retry.ts), so the SDK must not retry too.
      maxRetries: 0,
      timeout: requestTimeout(ctx.env),
    };
    let sdk: Promise<Anthropic> | undefined;
    const getSdk = () =>
      sdk ??= import("npm:@anthropic-ai/sdk@1.13.0").then((m) => new m.default(settings));
    // Start loading the SDK now, while the codebase loads (see _openai_compatible.ts).
    getSdk().catch(() => {});
    return anthropicClient(getSdk, ctx.model);
  },
};

export default plugin;

/** A client for one Claude model over an SDK instance. */
export function anthropicClient(getSdk: () => Promise<Anthropic>, model: string): ModelClient {
  // Raw assistant content (with thinking blocks) by tool-call id, to send back unchanged.
  const turns = new Map<string, BlockParam[]>();
  return {
    async complete(req: CompletionRequest): Promise<CompletionResponse> {
      const params: Params = {
        model,
        max_tokens: req.maxTokens,
        messages: toAnthropicMessages(req.messages, req.promptCache === true, turns),
      };
      if (req.system) {
        params.system = req.promptCache
          ? [{ type: "text", text: req.system, cache_control: EPHEMERAL }]
          : req.system;
      }
      if (req.tools?.length) {
        params.tools = toAnthropicTools(req.tools, req.promptCache === true);
        if (req.toolChoice === "required") params.tool_choice = { type: "any" };
      }
      const sdk = await getSdk();
      const options = { signal: req.signal };
      let message: Anthropic.Messages.Message;
      if (req.onText) {
        const onText = req.onText;
        const stream = sdk.messages.stream(params, options);
        stream.on("text", (chunk) => onText(chunk));
        message = await stream.finalMessage();
      } else {
        message = await sdk.messages.create(params, options);
      }
      if (!Array.isArray((message as { content?: unknown }).content)) throw notAMessage(message);
      return fromAnthropicMessage(message, turns);
    },
  };
}

/**
 * A 200 body that is not a message: an error object (`{type: "error", error: {type, message}}`)
 * keeps its body, so `overloaded_error` and the like are retried; anything else fails at once.
 */
function notAMessage(body: unknown): Error {
  const b = (body ?? {}) as { type?: unknown; error?: { message?: unknown } };
  if (b.type === "error" && b.error) {
    const message = typeof b.error.message === "string" ? b.error.message : "unknown error";
    return Object.assign(new Error(message), { error: b });
  }
  return new Error("the API answered with something that is not a message (no content)");
}

function toAnthropicTools(tools: ToolSpec[], cache: boolean): Anthropic.Messages.Tool[] {
  return tools.map((t, i) => ({
    name: t.name,
    description: t.description,
    input_schema: t.inputSchema as Anthropic.Messages.Tool.InputSchema,
    ...(cache && i === tools.length - 1 ? { cache_control: EPHEMERAL } : {}),
  }));
}

/** Converts normalized messages; marks the latest user message's last block when caching. */
export function toAnthropicMessages(
  messages: Message[],
  cache: boolean,
  turns: Map<string, BlockParam[]> = new Map(),
): Anthropic.Messages.MessageParam[] {
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  return messages.map((message, index) => {
    let blocks: BlockParam[];
    if (typeof message.content === "string") {
      blocks = [{ type: "text", text: message.content }];
    } else {
      const firstCall = message.content.find((p) => p.type === "tool_call");
      const kept = message.role === "assistant" && firstCall?.type === "tool_call"
        ? turns.get(firstCall.id)
        : undefined;
      blocks = kept ?? message.content.flatMap((part): BlockParam[] => {
        switch (part.type) {
          case "text":
            return part.text ? [{ type: "text", text: part.text }] : [];
          case "tool_call":
            return [{
              type: "tool_use",
              id: part.id,
              name: part.name,
              input: part.input ?? {},
            }];
          case "tool_result":
            return [{ type: "tool_result", tool_use_id: part.id, content: part.content }];
          case "opaque":
            return part.provider === "anthropic" ? [part.data as BlockParam] : [];
        }
      });
    }
    if (blocks.length === 0) blocks = [{ type: "text", text: "(empty)" }];
    if (cache && index === lastUser) {
      const last = blocks.length - 1;
      blocks = blocks.map((b, i) =>
        i === last ? { ...b, cache_control: EPHEMERAL } as BlockParam : b
      );
    }
    return { role: message.role, content: blocks };
  });
}

/** Normalizes a response; remembers its raw blocks by tool-call id. */
function fromAnthropicMessage(
  message: Anthropic.Messages.Message,
  turns: Map<string, BlockParam[]>,
): CompletionResponse {
  const text = message.content.flatMap((b) => b.type === "text" ? [b.text] : []).join("");
  const toolCalls = message.content.flatMap((b) =>
    b.type === "tool_use" ? [{ id: b.id, name: b.name, input: b.input }] : []
  );
  if (toolCalls.length && message.content.some((b) => b.type.includes("thinking"))) {
    turns.set(toolCalls[0].id, message.content.flatMap(toParam));
  }
  const u = message.usage;
  return {
    text,
    toolCalls,
    usage: {
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
      cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
    },
    stopReason: message.stop_reason ?? undefined,
  };
}

function toParam(block: ResponseBlock): BlockParam[] {
  switch (block.type) {
    case "text":
      return block.text ? [{ type: "text", text: block.text }] : [];
    case "tool_use":
      return [{ type: "tool_use", id: block.id, name: block.name, input: block.input }];
    case "thinking":
      return [{ type: "thinking", thinking: block.thinking, signature: block.signature }];
    case "redacted_thinking":
      return [{ type: "redacted_thinking", data: block.data }];
    default:
      return [];
  }
}
