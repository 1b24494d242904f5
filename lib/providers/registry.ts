/**
 * The plugin registry: loads built-in and user plugins, checks their shape, and resolves model
 * strings to a plugin, a price and a client factory.
 *
 * @module
 */
import type { Env } from "../config/env.ts";
import { EnvironmentError, UsageError } from "../errors.ts";
import { type RetryInfo, wrapClient } from "./client.ts";
import { UNKNOWN_PRICING } from "./pricing.ts";
import { checkPluginShape } from "./shape.ts";
import { type PluginOrigin, type PluginSource, userPluginSources } from "./sources.ts";
import type { ModelClient, ModelInfo, Pricing, ProviderPlugin } from "./types.ts";

/** What {@linkcode loadRegistry} needs. */
export interface RegistryOptions {
  cwd: string;
  env: Env;
  /** `--plugin` values: absolute paths or URLs. */
  plugins?: string[];
  /** Replaces the built-in plugin list (tests). */
  builtins?: PluginSource[];
}

/** A plugin that could not be used. */
export interface PluginLoadError {
  /** Path or URL of the module (or of the config file that named it). */
  specifier: string;
  /** The plugin's `name`, when the module got far enough to have one. */
  name?: string;
  /** One line, e.g. `plugin ./x.ts: field models[0].pricing.input must be a number`. */
  message: string;
}

/** A model string resolved to one plugin and model. */
export interface ResolvedModel {
  provider: string;
  /** Model id as the provider knows it (aliases resolved). */
  id: string;
  /** `provider:id` */
  label: string;
  pricing: Pricing;
  /** False when neither the model nor its plugin has a price ($1.00/$1.00 is used). */
  pricingKnown: boolean;
  /** Set when the caller should warn (unknown price); one line for stderr. */
  warning?: string;
  contextWindow?: number;
  /** Env var holding the key, or undefined when none is needed (ollama). */
  keyVariable?: string;
  /**
   * Creates a client wrapped with retries.
   *
   * @throws EnvironmentError naming the variable and `.env` when the key is missing.
   */
  createClient(options?: { onRetry?(info: RetryInfo): void; signal?: AbortSignal }): ModelClient;
}

/** Loaded plugins plus the ones that failed. */
export interface Registry {
  /** Usable plugins, built-ins first, then user plugins in precedence order. */
  plugins: ProviderPlugin[];
  /** Where each usable plugin came from (same order as `plugins`). */
  origins: { specifier: string; origin: PluginOrigin }[];
  /** Failed plugins (listed by `list-models`). */
  errors: PluginLoadError[];
  /**
   * Resolves a model string: `provider:model`, a bare provider name (its default for `role`),
   * an alias or listed id, or an id some plugin's `handles` claims. Later plugins win.
   *
   * @throws UsageError naming `deeprepo list-models` when nothing claims the model, or the
   * load error of the plugin that would have served it.
   */
  resolve(model: string, role?: "root" | "sub"): ResolvedModel;
}

/** Per-plugin information kept for failed plugins, to tell whether a model was theirs. */
interface Failure extends PluginLoadError {
  claims(model: string): boolean;
}

/**
 * Loads every plugin (built-ins, config files, `DEEPREPO_PLUGINS`, `--plugin`). Never throws for
 * a bad plugin: it lands in `errors` and only commands that need it fail.
 *
 * @param options Working directory, environment, extra plugins.
 * @returns The registry.
 */
export async function loadRegistry(options: RegistryOptions): Promise<Registry> {
  const builtins = options.builtins ?? (await import("./builtins.ts")).BUILTIN_PLUGINS;
  const user = await userPluginSources(options.cwd, options.env, options.plugins ?? []);
  const failures: Failure[] = user.problems.map((p) => ({ ...p, claims: () => false }));
  const loaded: { plugin: ProviderPlugin; specifier: string; origin: PluginOrigin }[] = [];
  const results = await Promise.all(
    [...builtins, ...user.sources].map(async (source) => ({
      source,
      outcome: await loadOne(source),
    })),
  );
  for (const { source, outcome } of results) {
    if ("failure" in outcome) {
      failures.push(outcome.failure);
      continue;
    }
    // A later plugin with the same name replaces the earlier one (override a built-in).
    const same = loaded.findIndex((l) => l.plugin.name === outcome.plugin.name);
    if (same >= 0) loaded.splice(same, 1);
    loaded.push({ plugin: outcome.plugin, specifier: source.specifier, origin: source.origin });
  }
  const plugins = loaded.map((l) => l.plugin);
  return {
    plugins,
    origins: loaded.map(({ specifier, origin }) => ({ specifier, origin })),
    errors: failures.map(({ specifier, name, message }) => ({ specifier, name, message })),
    resolve: (model, role) => resolveModel(model, role, plugins, failures, options),
  };
}

async function loadOne(
  source: PluginSource,
): Promise<{ plugin: ProviderPlugin } | { failure: Failure }> {
  const fail = (message: string, name?: string, claims: Failure["claims"] = () => false) => ({
    failure: { specifier: source.specifier, name, message, claims },
  });
  let module: unknown;
  try {
    module = await source.load();
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return fail(`plugin ${source.specifier}: cannot load: ${message}`);
  }
  const value = (module as { default?: unknown } | null)?.default;
  const problems = checkPluginShape(value);
  if (problems.length) {
    const raw = (value ?? {}) as Record<string, unknown>;
    const name = typeof raw.name === "string" ? raw.name : undefined;
    return fail(
      `plugin ${source.specifier}${name ? ` (${name})` : ""}: ${problems.join("; ")}`,
      name,
      (model) => rawClaims(raw, model),
    );
  }
  return { plugin: value as ProviderPlugin };
}

/** Whether a plugin that failed the shape check would have served `model`. */
function rawClaims(raw: Record<string, unknown>, model: string): boolean {
  const models = Array.isArray(raw.models) ? raw.models as Record<string, unknown>[] : [];
  const listed = models.some((m) =>
    m && (m.id === model || (Array.isArray(m.aliases) && m.aliases.includes(model)))
  );
  if (listed) return true;
  try {
    return typeof raw.handles === "function" && raw.handles(model) === true;
  } catch {
    return false;
  }
}

function resolveModel(
  model: string,
  role: "root" | "sub" | undefined,
  plugins: ProviderPlugin[],
  failures: Failure[],
  options: RegistryOptions,
): ResolvedModel {
  const wanted = model.trim();
  if (!wanted) throw new UsageError("empty model name; run `deeprepo list-models` to see models");
  const byPrecedence = [...plugins].reverse();
  const failedNamed = (name: string) => failures.find((f) => f.name === name);

  // 1. provider:model, or a bare provider name.
  const colon = wanted.indexOf(":");
  const prefix = colon > 0 ? wanted.slice(0, colon) : wanted;
  const explicit = byPrecedence.find((p) => p.name === prefix);
  if (explicit || failedNamed(prefix)) {
    const rest = colon > 0 ? wanted.slice(colon + 1) : "";
    if (!explicit) throw new UsageError(failedNamed(prefix)!.message);
    if (!rest) {
      const fallback = explicit.defaults?.[role ?? "root"] ?? explicit.defaults?.root ??
        explicit.defaults?.sub;
      if (!fallback) {
        throw new UsageError(
          `provider ${explicit.name} has no default ${role ?? "root"} model; use ` +
            `${explicit.name}:<model> (see \`deeprepo list-models\`)`,
        );
      }
      return build(explicit, fallback, options);
    }
    return build(explicit, rest, options);
  }

  // 2. A listed id or alias; 3. a plugin that handles it.
  const listed = byPrecedence.find((p) => findModel(p, wanted));
  if (listed) return build(listed, wanted, options);
  const failed = failures.find((f) => f.claims(wanted));
  if (failed) throw new UsageError(failed.message);
  const handler = byPrecedence.find((p) => safeHandles(p, wanted));
  if (handler) return build(handler, wanted, options);

  const broken = failures.length
    ? ` (${failures.length} plugin${failures.length > 1 ? "s" : ""} failed to load: ${
      failures.map((f) => f.name ?? f.specifier).join(", ")
    })`
    : "";
  throw new UsageError(
    `unknown model ${JSON.stringify(wanted)}: no plugin lists or handles it; run ` +
      `\`deeprepo list-models\` to see the models${broken}`,
  );
}

function findModel(plugin: ProviderPlugin, model: string): ModelInfo | undefined {
  return plugin.models.find((m) => m.id === model) ??
    plugin.models.find((m) => m.aliases?.includes(model));
}

function safeHandles(plugin: ProviderPlugin, model: string): boolean {
  try {
    return plugin.handles?.(model) === true;
  } catch {
    return false;
  }
}

function build(plugin: ProviderPlugin, model: string, options: RegistryOptions): ResolvedModel {
  const info = findModel(plugin, model);
  const id = info?.id ?? model;
  const label = `${plugin.name}:${id}`;
  const known = info?.pricing ?? plugin.unlistedPricing;
  const keyVariable = plugin.keyVariable;
  return {
    provider: plugin.name,
    id,
    label,
    pricing: known ?? { ...UNKNOWN_PRICING },
    pricingKnown: known !== undefined,
    warning: known ? undefined : `model ${label} has no listed price; costs are estimated at ` +
      "$1.00/$1.00 per 1M tokens",
    contextWindow: info?.contextWindow,
    keyVariable,
    createClient(clientOptions = {}) {
      if (keyVariable && !options.env.get(keyVariable)) {
        throw new EnvironmentError(
          `${keyVariable} is not set: model ${label} needs it. Set it in the environment or in ` +
            `a .env file in ${options.cwd}`,
        );
      }
      let inner: ModelClient;
      try {
        inner = plugin.createClient({ model: id, env: (name) => options.env.get(name) });
      } catch (error) {
        if (error && typeof error === "object" && "exitCode" in error) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new EnvironmentError(`${label}: cannot create a client: ${message}`);
      }
      if (!inner || typeof inner.complete !== "function") {
        throw new UsageError(
          `plugin ${plugin.name}: createClient must return an object with a complete() method`,
        );
      }
      const baseMs = numberVariable(options.env, "DEEPREPO_RETRY_BASE_MS");
      return wrapClient(inner, {
        provider: plugin.name,
        model: id,
        onRetry: clientOptions.onRetry,
        signal: clientOptions.signal,
        timeoutMs: numberVariable(options.env, "DEEPREPO_REQUEST_TIMEOUT_MS") || undefined,
        policy: baseMs === undefined ? undefined : { baseMs },
      });
    },
  };
}

/** A non-negative number from the environment, or undefined when unset or invalid. */
function numberVariable(env: Env, name: string): number | undefined {
  const raw = env.get(name);
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
