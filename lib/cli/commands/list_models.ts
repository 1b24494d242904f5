/**
 * `deeprepo list-models [--json]`: every provider, model, alias, role default, price per 1M
 * tokens (input, output, cache read/write), context window, the key each provider needs and
 * whether it is set. Needs no key. Plugins that failed to load are listed with their error
 * (exit 2 after the listing). Shadowing is marked with `!` lines: an id or alias several plugins
 * list (which one a bare name picks, which ones it hides) and a plugin replacing another of the
 * same name.
 *
 * @module
 */
import { formatInt } from "../../format.ts";
import type { CliContext } from "../context.ts";
import { terminalLine } from "../terminal_text.ts";
import { fitLine } from "../width.ts";
import type { ListModelsOptions } from "../options.ts";
import { DEFAULTS } from "../../defaults.ts";
import { loadRegistry, MODEL_TABLE_CHECKED, type Registry } from "../../providers/mod.ts";
import type { Pricing, ProviderPlugin } from "../../providers/mod.ts";
import { type EndpointJson, endpointJson } from "../endpoints.ts";
import { registryOptions } from "../registry.ts";
import { redactUrl } from "../../redact.ts";

/** The `--json` document. */
export interface ModelListing {
  /** CLI defaults per role and what they resolve to (`provider:id`, or null when unresolved). */
  defaults: Record<"root" | "sub" | "baseline", { model: string; resolved: string | null }>;
  providers: {
    name: string;
    source: string;
    origin: string;
    keyVariable: string | null;
    keySet: boolean | null;
    /** Where requests go: the base URL and the variable and place that set it. */
    endpoint?: EndpointJson;
    /** The plugin's own defaults, used for `--root-model <provider>`. */
    defaults: { root?: string; sub?: string };
    /** True when the plugin claims ids it does not list. */
    claimsUnlisted: boolean;
    /** Price of unlisted ids, or null when they run at $1.00/$1.00 with a warning. */
    unlistedPricing: Pricing | null;
    /** Modules with the same plugin name that this one replaces (not used). */
    replaces: string[];
    models: {
      id: string;
      label: string;
      aliases: string[];
      /** CLI roles whose default is this model: `root`, `sub`, `baseline`. */
      defaultFor: string[];
      pricing: Pricing;
      contextWindow: number | null;
      /**
       * This model's id and aliases that a higher-precedence plugin also lists: the bare name
       * resolves to `winner` (`provider:id`), so this model is reached only as `label`.
       */
      shadowedBy: { name: string; winner: string }[];
      /** This model's id and aliases that lower-precedence plugins also list (`provider:id`). */
      shadows: { name: string; hidden: string[] }[];
    }[];
  }[];
  errors: { specifier: string; name: string | null; message: string }[];
  /** The day the built-in prices, limits and rules were checked (docs/MODELS.md). */
  checked: string;
}

/**
 * Builds the listing from a registry.
 *
 * @param registry Loaded plugins.
 * @param isSet Whether an environment variable is set.
 * @param endpointFor A provider's endpoint and its source (omitted: not listed).
 */
export function buildListing(
  registry: Registry,
  isSet: (name: string) => boolean,
  endpointFor?: (provider: string) => EndpointJson,
): ModelListing {
  const roles = {
    root: DEFAULTS.rootModel,
    sub: DEFAULTS.subModel,
    baseline: DEFAULTS.baselineModel,
  };
  const defaults = {} as ModelListing["defaults"];
  for (const [role, model] of Object.entries(roles) as [keyof typeof roles, string][]) {
    let resolved: string | null = null;
    try {
      resolved = registry.resolve(model, role === "sub" ? "sub" : "root").label;
    } catch {
      // Shown as unresolved; the error list says why.
    }
    defaults[role] = { model, resolved };
  }
  const shared = new Map(registry.shadows.map((s) => [s.name, s]));
  const replaces = new Map(registry.replacements.map((r) => [r.name, r.replaced]));
  const providers = registry.plugins.map((plugin: ProviderPlugin, i) => ({
    name: plugin.name,
    source: redactUrl(registry.origins[i]?.specifier ?? ""),
    origin: registry.origins[i]?.origin ?? "",
    keyVariable: plugin.keyVariable ?? null,
    keySet: plugin.keyVariable ? isSet(plugin.keyVariable) : null,
    ...(endpointFor ? { endpoint: endpointFor(plugin.name) } : {}),
    defaults: { ...plugin.defaults },
    claimsUnlisted: typeof plugin.handles === "function",
    unlistedPricing: plugin.unlistedPricing ?? null,
    replaces: replaces.get(plugin.name) ?? [],
    models: plugin.models.map((m) => {
      const label = `${plugin.name}:${m.id}`;
      const names = [m.id, ...(m.aliases ?? [])].flatMap((n) =>
        shared.has(n) ? [shared.get(n)!] : []
      );
      return {
        id: m.id,
        label,
        aliases: m.aliases ?? [],
        defaultFor: Object.entries(defaults).filter(([, d]) => d.resolved === label).map(([r]) =>
          r
        ),
        pricing: { ...m.pricing },
        contextWindow: m.contextWindow ?? null,
        shadowedBy: names.filter((s) => s.winner !== label).map((s) => ({
          name: s.name,
          winner: s.winner,
        })),
        shadows: names.filter((s) => s.winner === label).map((s) => ({
          name: s.name,
          hidden: s.shadowed,
        })),
      };
    }),
  }));
  const errors = registry.errors.map((e) => ({
    specifier: redactUrl(e.specifier),
    name: e.name ?? null,
    message: redactUrl(e.message),
  }));
  return { defaults, providers, errors, checked: MODEL_TABLE_CHECKED };
}

/** Renders the listing as text lines. */
export function renderListing(listing: ModelListing): string[] {
  const lines: string[] = [];
  const d = listing.defaults;
  lines.push(
    "Defaults: " +
      (["root", "sub", "baseline"] as const).map((role) =>
        `--${role === "sub" ? "sub" : role}-model ${d[role].model} → ${
          d[role].resolved ?? "(unresolved)"
        }`
      ).join(", "),
    `Built-in prices, limits and rules checked against the providers' pages on ` +
      `${listing.checked} (docs/MODELS.md).`,
  );
  for (const p of listing.providers) {
    const key = p.keyVariable
      ? `key ${p.keyVariable}: ${p.keySet ? "set" : "not set"}`
      : "no key needed";
    lines.push(
      "",
      `${p.name} (${p.origin}${p.origin === "built-in" ? "" : ` ${p.source}`}) — ${key}`,
    );
    if (p.endpoint) lines.push(`  endpoint: ${endpointText(p.endpoint)}`);
    const rows = [[
      "MODEL",
      "ALIASES",
      "IN $/1M",
      "OUT $/1M",
      "CACHE R/W $/1M",
      "CONTEXT",
      "DEFAULT FOR",
    ]];
    for (const m of p.models) {
      rows.push([
        m.id,
        m.aliases.join(", ") || "-",
        money(m.pricing.input),
        money(m.pricing.output),
        m.pricing.cacheRead === undefined && m.pricing.cacheWrite === undefined
          ? "-"
          : `${money(m.pricing.cacheRead ?? m.pricing.input)} / ${
            money(m.pricing.cacheWrite ?? m.pricing.input)
          }`,
        m.contextWindow ? formatInt(m.contextWindow) : "-",
        m.defaultFor.join(", ") || "-",
      ]);
    }
    if (p.models.length) lines.push(...table(rows).map((r) => `  ${r}`));
    lines.push(...shadowLines(p));
    const price = p.unlistedPricing
      ? `at $${money(p.unlistedPricing.input)}/$${money(p.unlistedPricing.output)} per 1M`
      : "at $1.00/$1.00 per 1M with a warning";
    if (p.claimsUnlisted) lines.push(`  + other ids it recognizes, ${price}`);
    lines.push(`  + any id as ${p.name}:<model>, ${price}`);
    const own = Object.entries(p.defaults).map(([r, m]) => `${r} ${m}`).join(", ");
    if (own) lines.push(`  --root-model/--sub-model ${p.name} picks: ${own}`);
  }
  if (listing.errors.length) {
    lines.push("", "Plugins that failed to load:");
    for (const e of listing.errors) lines.push(`  ${e.message}`);
  }
  return lines;
}

/** The `!` lines under a provider: what it replaces, hides, or loses to. */
function shadowLines(p: ModelListing["providers"][number]): string[] {
  const lines = p.replaces.map((spec) =>
    `  ! replaces the plugin "${p.name}" from ${spec} (same name; that one is not used)`
  );
  for (const m of p.models) {
    for (const s of m.shadowedBy) {
      lines.push(
        `  ! "${s.name}" resolves to ${s.winner} (higher precedence); use ${m.label} for this one`,
      );
    }
    for (const s of m.shadows) {
      lines.push(`  ! "${s.name}" resolves here, hiding ${s.hidden.join(", ")} (lower precedence)`);
    }
  }
  return lines;
}

/**
 * Runs `list-models`.
 *
 * @returns 0, or 2 when a plugin failed to load (after listing the rest).
 */
export async function run(options: ListModelsOptions, ctx: CliContext): Promise<number> {
  const registry = await loadRegistry(
    registryOptions(ctx, options.plugins, options.reloadPlugins),
  );
  const listing = buildListing(
    registry,
    (name) => ctx.env.get(name) !== undefined,
    (provider) => endpointJson(provider, ctx),
  );
  if (options.json) ctx.stdout(JSON.stringify(listing, null, 2));
  else {
    // On a terminal, table rows are cut to its width rather than wrapped into each other; in a
    // file or pipe they stay whole (`less -S` scrolls them; scripts use --json).
    for (const line of renderListing(listing)) {
      const safe = terminalLine(line);
      ctx.stdout(ctx.columns ? fitLine(safe, ctx.columns) : safe);
    }
  }
  for (const e of listing.errors) ctx.stderr(`deeprepo: ${e.message}\n`);
  return listing.errors.length ? 2 : 0;
}

/** `default (ANTHROPIC_BASE_URL not set)` or `<url> (ANTHROPIC_BASE_URL from <source>)`. */
function endpointText(e: EndpointJson): string {
  if (e.url === null) return `default (${e.variable} not set)`;
  return `${e.url} (${e.variable} from ${
    e.source === "environment" ? "the environment" : e.source
  })`;
}

/** A price with 2 or 3 decimals (`2.00`, `0.125`); no locale formatting (ICU start-up cost). */
export function money(value: number): string {
  const fixed = value.toFixed(3);
  return fixed.endsWith("0") ? fixed.slice(0, -1) : fixed;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const numeric = new Set([2, 3, 4, 5]);
  return rows.map((r) =>
    r.map((cell, c) => numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))
      .join("  ").trimEnd()
  );
}
