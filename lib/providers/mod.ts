/**
 * Model providers: plugin API v1 types, the registry that loads and resolves plugins, retries
 * and pricing. The engine and the CLI import from here only.
 *
 * @example
 * ```ts ignore
 * const registry = await loadRegistry({ cwd: Deno.cwd(), env: loadEnv(Deno.cwd()) });
 * const root = registry.resolve("sonnet");
 * const client = root.createClient({ onRetry: (r) => console.error(`[retry] ...`) });
 * const res = await client.complete({ messages: [{ role: "user", content: "hi" }], maxTokens: 100 });
 * const dollars = costOf(res.usage, root.pricing);
 * ```
 *
 * @module
 */
export type * from "./types.ts";
export {
  loadRegistry,
  type PluginLoadError,
  type Registry,
  type RegistryOptions,
  type ResolvedModel,
} from "./registry.ts";
export type { RetryInfo } from "./client.ts";
export { costOf, pricesFor, UNKNOWN_PRICING } from "./pricing.ts";
export { MODEL_TABLE_CHECKED } from "./builtins.ts";
export {
  CONSERVATIVE_RULES,
  EFFORT_LEVELS,
  isCutByLimit,
  isEffort,
  resolveRules,
} from "./rules.ts";
export { checkPluginModule, checkPluginShape, loadErrorMessage } from "./shape.ts";
export { importUrl } from "./sources.ts";
export { isUrlPlugin, loadUrlPlugin, type UrlPluginOptions } from "./url_plugin.ts";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";
export { type RequestTimeoutError, wrapClient, type WrapOptions } from "./client.ts";
export {
  checkResponse,
  CUT_OFF_STOP_REASONS,
  InvalidResponseError,
  KNOWN_STOP_REASONS,
} from "./response_check.ts";
export { importPlugin, provideToSelfContained } from "./self_contained.ts";
