/**
 * Plugin API v1: the types a provider plugin implements. The engine talks only to these
 * normalized shapes; every vendor wire format stays inside its plugin.
 *
 * A plugin is an ES module whose default export is a {@linkcode ProviderPlugin}.
 *
 * @module
 */

/** Effort a request may ask for (how much the model thinks before answering). */
export type Effort = "low" | "medium" | "high" | "max";

/**
 * Extension to v1 (optional): what a model's API accepts, as its provider publishes it. The
 * engine reads these instead of assuming; a model without rules gets conservative defaults
 * (see `CONSERVATIVE_RULES` in `rules.ts`).
 */
export interface ModelRules {
  /** Whether `tool_choice` may force a tool call. @default false */
  forcedToolChoice?: boolean;
  /** Whether sampling parameters (`temperature`, `top_p`) are accepted. @default false */
  samplingParameters?: boolean;
  /**
   * How the model thinks: `"none"` (no thinking tokens), `"budget"` (a thinking token budget the
   * caller sets), `"adaptive"` (the model decides; thinking is always on). @default "none"
   */
  thinking?: "none" | "budget" | "adaptive";
  /** Accepted effort levels; absent or empty: no effort control. */
  effortLevels?: Effort[];
  /** The API's largest output limit (`max_tokens`); thinking tokens count inside it. */
  maxOutputTokens?: number;
  /** The shortest prompt prefix the provider will cache, in tokens. */
  promptCacheMinTokens?: number;
}

/**
 * One price band by prompt length: a call whose prompt (input + cache read + cache write tokens)
 * exceeds `aboveTokens` is billed wholly at these prices.
 */
export interface PriceTier {
  aboveTokens: number;
  input: number;
  output: number;
  /** @default this tier's input price */
  cacheRead?: number;
  /** @default this tier's input price */
  cacheWrite?: number;
}

/** Price of a model in USD per 1M tokens. */
export interface Pricing {
  /** Uncached input tokens. */
  input: number;
  /** Output tokens. */
  output: number;
  /** Input tokens read from the provider's prompt cache. @default input */
  cacheRead?: number;
  /** Input tokens written to the provider's prompt cache. @default input */
  cacheWrite?: number;
  /**
   * Extension to v1 (optional): prices for long prompts. The highest tier whose `aboveTokens`
   * the call's prompt exceeds applies to the whole call; below every tier the prices above do.
   */
  tiers?: PriceTier[];
}

/** One model a plugin lists. */
export interface ModelInfo {
  id: string;
  aliases?: string[];
  contextWindow?: number;
  pricing: Pricing;
  /** Extension to v1 (optional): what the model's API accepts. */
  rules?: ModelRules;
}

/** What a plugin's `createClient` receives. */
export interface ClientContext {
  /** The model id (without the `provider:` prefix and with aliases resolved). */
  model: string;
  /** Reads an environment variable (the real environment, then `.env`). */
  env(name: string): string | undefined;
}

/** The default export of a plugin module. */
export interface ProviderPlugin {
  /** Provider id, e.g. "openrouter". */
  name: string;
  models: ModelInfo[];
  defaults?: { root?: string; sub?: string };
  /** Claims model ids that are not listed in `models`. */
  handles?(model: string): boolean;
  createClient(ctx: ClientContext): ModelClient;
  /**
   * Extension to v1 (optional): the environment variable holding this provider's API key.
   * When set, deeprepo checks it before `createClient` and fails with exit 2 naming it (and
   * `.env`) when it is missing; `list-models` shows whether it is set. Omit it for providers
   * that need no key (a local server).
   */
  keyVariable?: string;
  /**
   * Extension to v1 (optional): the price of models this plugin serves without listing them
   * (claimed by `handles`, or asked for as `provider:model`). Without it such models run with a
   * warning at $1.00/$1.00 per 1M tokens. A local server sets `{ input: 0, output: 0 }`.
   */
  unlistedPricing?: Pricing;
  /**
   * Extension to v1 (optional): the rules of models this plugin serves without listing them.
   * Without it (and for fields it leaves out) conservative defaults apply.
   */
  unlistedRules?: ModelRules;
  /**
   * Extension to v1 (optional): how `deeprepo plugins check` exercises this plugin offline — a
   * sample environment, and a loopback fake of its wire format for a scripted conversation.
   */
  check?: PluginCheckSettings;
}

/** What `deeprepo plugins check` (and the plugin kit's conformance suite) may use. */
export interface PluginCheckSettings {
  /**
   * Variables for the check instead of generated placeholders, e.g.
   * `{ ACME_BASE_URL: "https://api.acme.example/v1", ACME_API_KEY: "sk-test" }`.
   */
  sampleEnv?: Record<string, string>;
  /** A loopback fake the scripted conversation runs against. */
  fake?: FakeAdapter;
}

/** One scripted reply, protocol-neutral; a {@linkcode FakeAdapter} renders it. */
export interface ScriptedReply {
  text: string;
  toolCalls: ToolCall[];
  /** Normalized: `end`, `tool_use` or `max_tokens`. */
  stopReason: "end" | "tool_use" | "max_tokens";
  usage: { inputTokens: number; outputTokens: number; cacheReadTokens?: number };
  /** Instead of a reply: an error. `inBody` puts it inside a 200 reply (or a stream). */
  error?: { status: number; message: string; retryAfterMs?: number; inBody?: boolean };
}

/**
 * A fake of a plugin's wire format on loopback. The check starts a server on `127.0.0.1`, sets
 * `baseUrlVariable` to its URL (plus `basePath`) and answers each request with the next
 * scripted reply, rendered by `render` — or, with `"openai"`, by deeprepo's own
 * OpenAI-compatible renderer (Chat Completions JSON and SSE).
 */
export interface FakeAdapter {
  /** The variable that points the plugin at its endpoint, e.g. `ACME_BASE_URL`. */
  baseUrlVariable: string;
  /** Appended to the fake's origin, e.g. `/v1`. @default "" */
  basePath?: string;
  /** `"openai"`, or a function rendering `reply` as the vendor would for `request`. */
  render: "openai" | ((reply: ScriptedReply, request: FakeRequest) => Response | Promise<Response>);
}

/** A request as the fake received it. */
export interface FakeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  headers: Headers;
  /** The raw body. */
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

/** A client bound to one model. */
export interface ModelClient {
  complete(req: CompletionRequest): Promise<CompletionResponse>;
}

/** A normalized completion request. */
export interface CompletionRequest {
  system?: string;
  messages: Message[];
  tools?: ToolSpec[];
  maxTokens: number;
  temperature?: number;
  /** Receives streamed text as it arrives; when set, the plugin streams. */
  onText?(chunk: string): void;
  /**
   * Extension to v1 (optional for plugins): receives streamed thinking / reasoning text as it
   * arrives (Anthropic `thinking_delta`, OpenRouter `reasoning` deltas), so progress can show
   * that the model is thinking instead of going silent. Plugins that stream thinking call it;
   * the final blocks still come back in `CompletionResponse.parts`.
   */
  onThinking?(chunk: string): void;
  signal?: AbortSignal;
  /**
   * Extension to v1 (optional for plugins): ask the provider to cache the conversation prefix
   * (Anthropic `cache_control` breakpoints). Plugins that cache automatically ignore it.
   */
  promptCache?: boolean;
  /**
   * Extension to v1 (optional for plugins): `"required"` asks the model to call one of `tools`
   * instead of answering in text (Anthropic `tool_choice: {type: "any"}`, OpenAI `"required"`).
   * The engine sets it only when the model's rules say `forcedToolChoice`. @default "auto"
   */
  toolChoice?: "auto" | "required";
  /**
   * Extension to v1 (optional for plugins): how hard the model should think. Plugins map it
   * (Claude `output_config.effort`, OpenAI reasoning effort) and leave it out for models
   * without effort control.
   */
  effort?: Effort;
}

/** One conversation message. */
export interface Message {
  role: "user" | "assistant";
  content: string | Part[];
}

/** One piece of a message. */
export type Part =
  | { type: "text"; text: string }
  | { type: "tool_call"; id: string; name: string; input: unknown }
  | { type: "tool_result"; id: string; content: string }
  | OpaquePart;

/**
 * Extension to v1: a provider block the engine must send back unchanged (thinking, redacted
 * thinking, OpenRouter `reasoning_details`, block types the plugin does not know). Only the
 * plugin named by `provider` reads `data`; other plugins drop the part.
 */
export interface OpaquePart {
  type: "opaque";
  /** The plugin that made it (its `name`). */
  provider: string;
  /** The block as received, for the plugin to send back. */
  data: unknown;
  /** Human-readable thinking text, when the block carries some (for progress output). */
  thinking?: string;
}

/** A tool the model may call; `inputSchema` is JSON Schema. */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** A tool call made by the model. */
export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

/** Token usage of one response. `inputTokens` excludes cache reads and writes. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** The provider's own cost figure for this call, when it reports one. */
  costUsd?: number;
  /** Thinking / reasoning tokens, already included in `outputTokens`. */
  reasoningTokens?: number;
}

/** A normalized completion response. */
export interface CompletionResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  /**
   * Why the model stopped, normalized by built-in plugins: `"end"`, `"tool_use"`,
   * `"max_tokens"` (cut by the output limit; legacy plugins may say `"length"`), `"refusal"`,
   * `"pause"`, or the provider's own word for anything else.
   */
  stopReason?: StopReason;
  /**
   * Extension to v1 (optional): the assistant turn exactly as received, in order (text,
   * tool_call and opaque parts). When present the engine stores it verbatim as the assistant
   * message and sends it back unchanged on every later request.
   */
  parts?: Part[];
}

/** A normalized stop reason (see {@linkcode CompletionResponse.stopReason}). */
export type StopReason =
  | "end"
  | "tool_use"
  | "max_tokens"
  | "refusal"
  | "pause"
  // deno-lint-ignore ban-types
  | (string & {});
