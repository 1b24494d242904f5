/**
 * Built-in plugin `anthropic`: Claude through the Messages API (`@anthropic-ai/sdk`) at
 * `ANTHROPIC_BASE_URL` (default `https://api.anthropic.com`) with `ANTHROPIC_API_KEY`. The
 * default root model.
 *
 * - Aliases `opus`, `sonnet`, `haiku` name the current Claude models. Prices, limits and rules
 *   are the published ones (docs/MODELS.md names each page and the day it was checked); cache
 *   write = 5-minute cache; Haiku 5.5 bills a whole call at its upper band above 100K prompt
 *   tokens.
 * - Each model's `rules` decide what is sent: `tool_choice: {type: "any"}` only where forcing
 *   is allowed, `output_config.effort` only where effort is, never sampling parameters, never a
 *   `thinking` field (the 5.x models think adaptively by default and refuse budgets or
 *   `disabled`).
 * - Responses come back as `parts`, block for block: text, tool calls, and every other block
 *   (thinking, redacted thinking, block types this plugin does not know) as `opaque` parts that
 *   are sent back unchanged, as preserved thinking requires.
 * - Prompt caching (`promptCache`): `cache_control: {type: "ephemeral"}` on the system prompt,
 *   the last tool and the last block of the latest user message.
 * - Usage: Anthropic's `input_tokens` already excludes cache reads and writes; thinking tokens
 *   are inside `output_tokens` (the API reports no separate count).
 * - Stop reasons are normalized: `end_turn`/`stop_sequence` → `end`, `pause_turn` → `pause`,
 *   `model_context_window_exceeded` → `max_tokens`.
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
  ModelRules,
  Part,
  ProviderPlugin,
  ToolSpec,
} from "../lib/providers/types.ts";
import { requestTimeout, requireKey } from "./_openai_compatible.ts";
import { explainRefusal } from "./_refusals.ts";

type Params = Anthropic.Messages.MessageCreateParamsNonStreaming;
type BlockParam = Anthropic.Messages.ContentBlockParam;
type ResponseBlock = Anthropic.Messages.ContentBlock;

const EPHEMERAL = { type: "ephemeral" } as const;
/** How many turns with opaque blocks a client keeps for callers that send turns back rebuilt. */
const MAX_REMEMBERED_TURNS = 256;
const ALL_EFFORT: ModelRules["effortLevels"] = ["low", "medium", "high", "max"];

/** The Claude 5.5 generation: adaptive thinking always on, no forcing, no sampling. */
const CLAUDE_5_5: ModelRules = {
  forcedToolChoice: false,
  samplingParameters: false,
  thinking: "adaptive",
  effortLevels: ALL_EFFORT,
  maxOutputTokens: 128_000,
  promptCacheMinTokens: 512,
};

const plugin: ProviderPlugin = {
  name: "anthropic",
  keyVariable: "ANTHROPIC_API_KEY",
  models: [
    {
      id: "claude-opus-5-5",
      aliases: ["opus"],
      contextWindow: 1_000_000,
      pricing: { input: 4.00, output: 20.00, cacheRead: 0.20, cacheWrite: 5.00 },
      rules: CLAUDE_5_5,
    },
    {
      id: "claude-sonnet-5-5",
      aliases: ["sonnet"],
      contextWindow: 1_000_000,
      pricing: { input: 2.00, output: 10.00, cacheRead: 0.10, cacheWrite: 2.50 },
      rules: CLAUDE_5_5,
    },
    {
      id: "claude-haiku-5-5",
      aliases: ["haiku"],
      contextWindow: 1_000_000,
      pricing: {
        input: 0.10,
        output: 0.50,
        cacheRead: 0.01,
        cacheWrite: 0.125,
        tiers: [{
          aboveTokens: 100_000,
          input: 0.50,
          output: 2.50,
          cacheRead: 0.05,
          cacheWrite: 0.625,
        }],
      },
      rules: CLAUDE_5_5,
    },
    {
      // Thinking is on by default (adaptive), and thinking excludes forced tool use.
      id: "claude-opus-5",
      contextWindow: 1_000_000,
      pricing: { input: 5.00, output: 25.00, cacheRead: 0.50, cacheWrite: 6.25 },
      rules: { ...CLAUDE_5_5 },
    },
    {
      id: "claude-sonnet-5",
      contextWindow: 1_000_000,
      pricing: { input: 2.00, output: 10.00, cacheRead: 0.20, cacheWrite: 2.50 },
      rules: { ...CLAUDE_5_5, promptCacheMinTokens: 1_024 },
    },
    {
      // Extended thinking is opt-in (a budget), so without it tools can be forced.
      id: "claude-haiku-4-5",
      contextWindow: 200_000,
      pricing: { input: 1.00, output: 5.00, cacheRead: 0.10, cacheWrite: 1.25 },
      rules: {
        forcedToolChoice: true,
        samplingParameters: true,
        thinking: "budget",
        effortLevels: [],
        maxOutputTokens: 64_000,
        promptCacheMinTokens: 4_096,
      },
    },
  ],
  defaults: { root: "claude-sonnet-5-5", sub: "claude-haiku-5-5" },
  handles: (model) => model.startsWith("claude-"),
  // Unlisted Claude ids: assume the current generation's restrictions, but no effort levels.
  unlistedRules: { ...CLAUDE_5_5, effortLevels: [] },
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
    return anthropicClient(getSdk, ctx.model, rulesOf(ctx.model));
  },
};

export default plugin;

/** The rules of a Claude id: its listed rules, else the plugin's unlisted rules. */
export function rulesOf(model: string): ModelRules {
  return plugin.models.find((m) => m.id === model)?.rules ?? plugin.unlistedRules ?? {};
}

/** A client for one Claude model over an SDK instance, following the model's `rules`. */
export function anthropicClient(
  getSdk: () => Promise<Anthropic>,
  model: string,
  rules: ModelRules = rulesOf(model),
): ModelClient {
  // Raw assistant content (with thinking blocks) by turn key, for callers that send back
  // rebuilt turns instead of `parts`.
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
        if (req.toolChoice === "required" && rules.forcedToolChoice) {
          params.tool_choice = { type: "any" };
        }
      }
      if (req.effort && rules.effortLevels?.includes(req.effort)) {
        (params as unknown as Record<string, unknown>).output_config = { effort: req.effort };
      }
      const sdk = await getSdk();
      const options = { signal: req.signal };
      let message: Anthropic.Messages.Message;
      try {
        if (req.onText || req.onThinking) {
          const { onText, onThinking } = req;
          const stream = sdk.messages.stream(params, options);
          if (onText) stream.on("text", (chunk) => onText(chunk));
          if (onThinking) stream.on("thinking", (chunk) => chunk && onThinking(chunk));
          message = await stream.finalMessage();
        } else {
          message = await sdk.messages.create(params, options);
        }
      } catch (error) {
        throw explainRefusal(model, error);
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

/**
 * Converts normalized messages; marks the latest user message's last block when caching.
 * Assistant turns carrying `opaque` parts (from `parts`) go back block for block.
 */
export function toAnthropicMessages(
  messages: Message[],
  cache: boolean,
  turns: Map<string, BlockParam[]> = new Map(),
): Anthropic.Messages.MessageParam[] {
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  return messages.map((message, index) => {
    let blocks: BlockParam[];
    if (typeof message.content === "string") {
      const kept = message.role === "assistant"
        ? turns.get(turnKey([{ type: "text", text: message.content }]))
        : undefined;
      blocks = kept ?? [{ type: "text", text: message.content }];
    } else {
      const verbatim = message.content.some((p) => p.type === "opaque");
      const kept = message.role === "assistant" && !verbatim
        ? turns.get(turnKey(message.content))
        : undefined;
      blocks = kept ?? message.content.flatMap(toBlock);
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

/**
 * How a turn is recognised when a caller sends it back rebuilt (without its opaque parts): by
 * its first tool call, else by its text.
 */
function turnKey(parts: Part[]): string {
  const call = parts.find((p) => p.type === "tool_call");
  if (call?.type === "tool_call") return `tool:${call.id}`;
  return `text:${parts.flatMap((p) => p.type === "text" ? [p.text] : []).join("")}`;
}

function toBlock(part: Part): BlockParam[] {
  switch (part.type) {
    case "text":
      return part.text ? [{ type: "text", text: part.text }] : [];
    case "tool_call":
      return [{ type: "tool_use", id: part.id, name: part.name, input: part.input ?? {} }];
    case "tool_result":
      return [{ type: "tool_result", tool_use_id: part.id, content: part.content }];
    case "opaque":
      // Another provider's block means nothing here (a model switch mid-conversation).
      return part.provider === "anthropic" ? [part.data as BlockParam] : [];
  }
}

/** Normalizes a response; keeps every block in `parts` (and by turn key in `turns`). */
function fromAnthropicMessage(
  message: Anthropic.Messages.Message,
  turns: Map<string, BlockParam[]>,
): CompletionResponse {
  const parts = message.content.map(toPart);
  const text = message.content.flatMap((b) => b.type === "text" ? [b.text] : []).join("");
  const toolCalls = message.content.flatMap((b) =>
    b.type === "tool_use" ? [{ id: b.id, name: b.name, input: b.input }] : []
  );
  if (parts.some((p) => p.type === "opaque")) {
    turns.set(turnKey(parts), message.content.map((b) => b as unknown as BlockParam));
    // Only the latest turns can come back rebuilt; a long-lived sub-model client must not grow.
    if (turns.size > MAX_REMEMBERED_TURNS) turns.delete(turns.keys().next().value!);
  }
  const u = message.usage;
  return {
    text,
    toolCalls,
    parts,
    usage: {
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? 0,
      cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
    },
    stopReason: normalizeStop(message.stop_reason),
  };
}

/** One response block as a part: plain text and tool calls as such, anything else opaque. */
function toPart(block: ResponseBlock): Part {
  const raw = block as unknown as Record<string, unknown>;
  if (block.type === "text" && Object.keys(raw).every((k) => k === "type" || k === "text")) {
    return { type: "text", text: block.text };
  }
  if (block.type === "tool_use") {
    return { type: "tool_call", id: block.id, name: block.name, input: block.input };
  }
  const part: Part = { type: "opaque", provider: "anthropic", data: structuredClone(raw) };
  if (typeof raw.thinking === "string") part.thinking = raw.thinking;
  return part;
}

function normalizeStop(reason: string | null | undefined): string | undefined {
  switch (reason) {
    case null:
    case undefined:
      return undefined;
    case "end_turn":
    case "stop_sequence":
      return "end";
    case "pause_turn":
      return "pause";
    case "model_context_window_exceeded":
      return "max_tokens";
    default:
      return reason;
  }
}
