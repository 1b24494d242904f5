/**
 * Plugin API v1: the types a provider plugin implements. The engine talks only to these
 * normalized shapes; every vendor wire format stays inside its plugin.
 *
 * A plugin is an ES module whose default export is a {@linkcode ProviderPlugin}.
 *
 * @module
 */

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
}

/** One model a plugin lists. */
export interface ModelInfo {
  id: string;
  aliases?: string[];
  contextWindow?: number;
  pricing: Pricing;
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
  signal?: AbortSignal;
  /**
   * Extension to v1 (optional for plugins): ask the provider to cache the conversation prefix
   * (Anthropic `cache_control` breakpoints). Plugins that cache automatically ignore it.
   */
  promptCache?: boolean;
  /**
   * Extension to v1 (optional for plugins): `"required"` asks the model to call one of `tools`
   * instead of answering in text (Anthropic `tool_choice: {type: "any"}`, OpenAI `"required"`).
   * The engine sets it on the last turns so the model submits its answer. @default "auto"
   */
  toolChoice?: "auto" | "required";
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
  | { type: "tool_result"; id: string; content: string };

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
}

/** A normalized completion response. */
export interface CompletionResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  stopReason?: string;
}
