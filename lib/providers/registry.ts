/**
 * The plugin registry: loads built-in and user plugins, checks their shape, and resolves model
 * strings to a plugin, a price and a client factory.
 *
 * @module
 */
import type { Env } from "../config/env.ts";
import type { ProjectConfig } from "../config/settings.ts";
import { EnvironmentError, UsageError } from "../errors.ts";
import { type RetryInfo, wrapClient } from "./client.ts";
import { costOf, UNKNOWN_PRICING } from "./pricing.ts";
import { resolveRules } from "./rules.ts";
import {
  findModelShadows,
  type ModelShadow,
  type PluginReplacement,
  replacementWarning,
  shadowWarning,
} from "./shadowing.ts";
import { checkPluginModule, loadErrorMessage } from "./shape.ts";
import { closest } from "./suggest.ts";
import { type PluginOrigin, type PluginSource, userPluginSources } from "./sources.ts";
import type { UrlPluginOptions } from "./url_plugin.ts";
import type {
  ModelClient,
  ModelInfo,
  ModelRules,
  Pricing,
  ProviderPlugin,
  Usage,
} from "./types.ts";

/** What {@linkcode loadRegistry} needs. */
export interface RegistryOptions {
  cwd: string;
  env: Env;
  /** `--plugin` values: absolute paths or URLs. */
  plugins?: string[];
  /**
   * The working folder's `deeprepo.json`, only when the user trusted it (see
   * `lib/config/settings.ts`); omitted, no project config is read.
   */
  projectConfig?: ProjectConfig;
  /** How `http(s):` plugins are fetched and kept (never through Deno's lockfile). */
  urlPlugins?: UrlPluginOptions;
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
  /**
   * Set when the caller should warn: an unknown price, or a model string other plugins offer
   * too (or a plugin that replaced one of the same name). One line for stderr.
   */
  warning?: string;
  contextWindow?: number;
  /**
   * What the model's API accepts: the plugin's rules for it with conservative defaults for
   * every field left out (`maxOutputTokens` / `promptCacheMinTokens` 0 = not known).
   */
  rules: Required<ModelRules>;
  /** Cost of one response in USD at this model's prices, tiers included. */
  costOf(usage: Usage): number;
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
  /** Ids and aliases listed by more than one usable plugin, with the one a bare name picks. */
  shadows: ModelShadow[];
  /** Plugins replaced by a later plugin with the same name. */
  replacements: PluginReplacement[];
  /**
   * Resolves a model string: `provider:model`, a bare provider name (its default for `role`),
   * an alias or listed id, or an id some plugin's `handles` claims. Later plugins win.
   *
   * @throws UsageError naming `deeprepo list-models` when nothing claims the model, or the
   * load error of the plugin that would have served it.
   */
  resolve(model: string, role?: "root" | "sub"): ResolvedModel;
}

/**
 * A failed plugin as resolution sees it: it keeps its place in the precedence order, so a model
 * it would have served (listed, handled, or served by the plugin it replaced) fails with its
 * error instead of silently going to a lower-precedence plugin.
 */
interface Failure extends PluginLoadError {
  lists(model: string): boolean;
  handles(model: string): boolean;
}

/** One plugin slot in precedence order: a usable plugin or a failed one. */
type Entry =
  | { plugin: ProviderPlugin; specifier: string; origin: PluginOrigin }
  | { failure: Failure };

const entryName = (e: Entry) => "plugin" in e ? e.plugin.name : e.failure.name;

/**
 * Loads every plugin (built-ins, config files, `DEEPREPO_PLUGINS`, `--plugin`). Never throws for
 * a bad plugin: it lands in `errors` and only commands that need it fail.
 *
 * @param options Working directory, environment, extra plugins.
 * @returns The registry.
 */
export async function loadRegistry(options: RegistryOptions): Promise<Registry> {
  const builtins = options.builtins ?? (await import("./builtins.ts")).BUILTIN_PLUGINS;
  const user = userPluginSources(options.cwd, options.env, options.plugins ?? [], {
    projectConfig: options.projectConfig,
    urlPlugins: options.urlPlugins,
  });
  const errors: PluginLoadError[] = user.problems.map((p) => ({ ...p }));
  const entries: Entry[] = [];
  const replacements = new Map<string, PluginReplacement>();
  const results = await Promise.all(
    [...builtins, ...user.sources].map(async (source) => ({
      source,
      outcome: await loadOne(source),
    })),
  );
  for (const { source, outcome } of results) {
    const name = "plugin" in outcome ? outcome.plugin.name : outcome.failure.name;
    // A later plugin with the same name replaces the earlier one (override a built-in). A
    // broken override replaces it too, taking over its models: using them reports the error.
    const same = name === undefined ? -1 : entries.findIndex((e) => entryName(e) === name);
    const replaced = same >= 0 ? entries.splice(same, 1)[0] : undefined;
    if ("plugin" in outcome) {
      entries.push({ plugin: outcome.plugin, specifier: source.specifier, origin: source.origin });
      if (replaced) {
        const lost = "plugin" in replaced ? replaced.specifier : replaced.failure.specifier;
        const before = replacements.get(outcome.plugin.name)?.replaced ?? [];
        replacements.set(outcome.plugin.name, {
          name: outcome.plugin.name,
          winner: source.specifier,
          replaced: [lost, ...before],
        });
      } else replacements.delete(outcome.plugin.name);
      continue;
    }
    if (name !== undefined) replacements.delete(name);
    const failure = outcome.failure;
    errors.push({ specifier: failure.specifier, name: failure.name, message: failure.message });
    if (replaced && "plugin" in replaced) {
      const { lists, handles } = failure;
      failure.lists = (m) => lists(m) || findModel(replaced.plugin, m) !== undefined;
      failure.handles = (m) => handles(m) || safeHandles(replaced.plugin, m);
    }
    entries.push({ failure });
  }
  const usable = entries.flatMap((e) => "plugin" in e ? [e] : []);
  const plugins = usable.map((e) => e.plugin);
  const specifiers = new Map(usable.map((e) => [e.plugin, e.specifier]));
  const context: ResolveContext = { entries, errors, specifiers, replacements, options };
  return {
    plugins,
    origins: usable.map(({ specifier, origin }) => ({ specifier, origin })),
    errors,
    shadows: findModelShadows(usable),
    replacements: [...replacements.values()],
    resolve: (model, role) => resolveModel(model, role, context),
  };
}

async function loadOne(
  source: PluginSource,
): Promise<{ plugin: ProviderPlugin } | { failure: Failure }> {
  let module: unknown;
  try {
    module = await source.load();
  } catch (error) {
    return {
      failure: {
        specifier: source.specifier,
        message: `${who(source)}: cannot load: ${loadErrorMessage(error)}`,
        lists: () => false,
        handles: () => false,
      },
    };
  }
  const { name, problems } = checkPluginModule(module);
  if (problems.length) {
    const raw = (module as { default?: unknown }).default as Record<string, unknown>;
    return {
      failure: {
        specifier: source.specifier,
        name,
        message: `${who(source, name)}: ${problems.join("; ")}`,
        lists: (model) => rawLists(raw, model),
        handles: (model) => rawHandles(raw, model),
      },
    };
  }
  return { plugin: (module as { default: ProviderPlugin }).default };
}

/** `plugin <specifier> (<name>; listed in <config file>)`, leaving out what is unknown. */
function who(source: PluginSource, name?: string): string {
  const tags = [name, source.via && `listed in ${source.via}`].filter(Boolean);
  return `plugin ${source.specifier}${tags.length ? ` (${tags.join("; ")})` : ""}`;
}

/** Whether a plugin that failed the shape check lists `model` (as an id or alias). */
function rawLists(raw: Record<string, unknown> | undefined, model: string): boolean {
  const models = Array.isArray(raw?.models) ? raw.models as Record<string, unknown>[] : [];
  return models.some((m) =>
    m && (m.id === model || (Array.isArray(m.aliases) && m.aliases.includes(model)))
  );
}

/** Whether a plugin that failed the shape check would claim `model` with its `handles`. */
function rawHandles(raw: Record<string, unknown> | undefined, model: string): boolean {
  try {
    return typeof raw?.handles === "function" && raw.handles(model) === true;
  } catch {
    return false;
  }
}

/** What resolution reads besides the model string. */
interface ResolveContext {
  entries: Entry[];
  errors: PluginLoadError[];
  specifiers: Map<ProviderPlugin, string>;
  replacements: Map<string, PluginReplacement>;
  options: RegistryOptions;
}

function resolveModel(
  model: string,
  role: "root" | "sub" | undefined,
  { entries, errors, specifiers, replacements, options }: ResolveContext,
): ResolvedModel {
  const wanted = model.trim();
  if (!wanted) throw new UsageError("empty model name; run `deeprepo list-models` to see models");
  const byPrecedence = [...entries].reverse();
  /** Uses `entry` for `id`; `rivals` are lower-precedence plugins that offer `wanted` too. */
  const use = (entry: Entry, id: string, rivals: Entry[] = []) => {
    if ("failure" in entry) throw new UsageError(entry.failure.message);
    const specifier = specifiers.get(entry.plugin) ?? entry.plugin.name;
    const resolved = build(entry.plugin, id, specifier, options);
    const others = rivals.flatMap((r) =>
      "plugin" in r ? [`${r.plugin.name}:${findModel(r.plugin, wanted)?.id ?? wanted}`] : []
    );
    const replacement = replacements.get(entry.plugin.name);
    const warnings = [
      resolved.warning,
      shadowWarning(wanted, resolved.label, others, specifier),
      replacement && replacementWarning(replacement),
    ].filter(Boolean);
    resolved.warning = warnings.length ? warnings.join("; ") : undefined;
    return resolved;
  };

  // 1. provider:model, or a bare provider name.
  const colon = wanted.indexOf(":");
  const prefix = colon > 0 ? wanted.slice(0, colon) : wanted;
  const named = byPrecedence.find((e) => entryName(e) === prefix);
  if (named) {
    if ("failure" in named) throw new UsageError(named.failure.message);
    const plugin = named.plugin;
    const rest = colon > 0 ? wanted.slice(colon + 1) : "";
    if (!rest) {
      const fallback = plugin.defaults?.[role ?? "root"] ?? plugin.defaults?.root ??
        plugin.defaults?.sub;
      if (!fallback) {
        throw new UsageError(
          `provider ${plugin.name} has no default ${role ?? "root"} model; use ` +
            `${plugin.name}:<model> (see \`deeprepo list-models\`)`,
        );
      }
      return use(named, fallback);
    }
    return use(named, rest);
  }

  // 2. A listed id or alias; 3. a plugin that handles it. The first in precedence order wins,
  // failed plugins included.
  const lists = (e: Entry) =>
    "plugin" in e ? findModel(e.plugin, wanted) !== undefined : e.failure.lists(wanted);
  const listed = byPrecedence.find(lists);
  if (listed) return use(listed, wanted, byPrecedence.filter((e) => e !== listed && lists(e)));
  const claims = (e: Entry) =>
    "plugin" in e ? safeHandles(e.plugin, wanted) : e.failure.handles(wanted);
  const handler = byPrecedence.find(claims);
  if (handler) return use(handler, wanted, byPrecedence.filter((e) => e !== handler && claims(e)));

  const suggestion = closest(
    wanted,
    entries.flatMap((e) =>
      "plugin" in e
        ? [e.plugin.name, ...e.plugin.models.flatMap((m) => [m.id, ...(m.aliases ?? [])])]
        : []
    ),
  );
  const broken = errors.length
    ? ` (${errors.length} plugin${errors.length > 1 ? "s" : ""} failed to load: ${
      errors.map((f) => f.name ?? f.specifier).join(", ")
    })`
    : "";
  const unknownProvider = colon > 0 ? `; there is no provider ${JSON.stringify(prefix)}` : "";
  throw new UsageError(
    `unknown model ${JSON.stringify(wanted)}${
      suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ""
    }: no plugin lists or handles it${unknownProvider}; run ` +
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

function build(
  plugin: ProviderPlugin,
  model: string,
  specifier: string,
  options: RegistryOptions,
): ResolvedModel {
  const info = findModel(plugin, model);
  const id = info?.id ?? model;
  const label = `${plugin.name}:${id}`;
  const known = info?.pricing ?? plugin.unlistedPricing;
  const keyVariable = plugin.keyVariable;
  const pricing = known ?? { ...UNKNOWN_PRICING };
  return {
    provider: plugin.name,
    id,
    label,
    pricing,
    pricingKnown: known !== undefined,
    warning: known ? undefined : `model ${label} has no listed price; costs are estimated at ` +
      "$1.00/$1.00 per 1M tokens unless the provider reports each call's cost",
    contextWindow: info?.contextWindow,
    rules: resolveRules(info ? info.rules : undefined, info ? undefined : plugin.unlistedRules),
    costOf: (usage) => costOf(usage, pricing),
    keyVariable,
    createClient(clientOptions = {}) {
      if (keyVariable && !options.env.get(keyVariable)) {
        throw new EnvironmentError(
          `${keyVariable} is not set: model ${label} needs it. Set it in the environment or in ` +
            `a .env file in ${options.cwd} (then run \`deeprepo trust .env\` there)`,
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
        const got = inner instanceof Promise
          ? "got a Promise (createClient must not be async)"
          : `got ${inner === null ? "null" : typeof inner}`;
        throw new UsageError(
          `plugin ${specifier} (${plugin.name}): createClient must return an object with a ` +
            `complete() method, ${got}`,
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
