/**
 * The shape check of a plugin's default export: every problem, named by field, so an author can
 * fix them all in one pass.
 *
 * @module
 */
import { checkRulesShape } from "./rules.ts";

/** Provider names: letters, digits, `-`, `_` (no `:`, which separates provider and model). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * Lists what is wrong with a plugin module's default export (empty when it is a valid
 * `ProviderPlugin`).
 *
 * @param value The module's default export.
 * @returns Problems like `field models[0].pricing.input must be a number`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(checkPluginShape({ name: "x", models: [], createClient: 1 }), [
 *   "field createClient must be a function, got number",
 * ]);
 * ```
 */
export function checkPluginShape(value: unknown): string[] {
  if (value === undefined) return ["the module has no default export"];
  if (typeof value === "function") {
    return [
      "the default export must be the plugin object, got a function (export the object " +
      "itself: `export default { name, models, createClient }`)",
    ];
  }
  if (!isObject(value)) return [`the default export must be an object, got ${kind(value)}`];
  const problems: string[] = [];
  const p = value as Record<string, unknown>;
  if (typeof p.name !== "string" || !p.name) {
    problems.push("field name must be a non-empty string");
  } else if (!NAME.test(p.name)) {
    problems.push(
      `field name must use only letters, digits, "-" and "_" (got ${JSON.stringify(p.name)})`,
    );
  }
  if (typeof p.createClient !== "function") {
    problems.push(`field createClient must be a function, got ${kind(p.createClient)}`);
  }
  if (p.handles !== undefined && typeof p.handles !== "function") {
    problems.push(`field handles must be a function when present, got ${kind(p.handles)}`);
  }
  if (p.keyVariable !== undefined && (typeof p.keyVariable !== "string" || !p.keyVariable)) {
    problems.push("field keyVariable must be a non-empty string when present");
  }
  if (p.unlistedPricing !== undefined) {
    problems.push(...checkPricing(p.unlistedPricing, "unlistedPricing"));
  }
  problems.push(...checkRulesShape(p.unlistedRules, "unlistedRules"));
  problems.push(...checkCheckSettings(p.check));
  const names = new Set<string>();
  if (!Array.isArray(p.models)) {
    problems.push(`field models must be an array, got ${kind(p.models)}`);
  } else {
    p.models.forEach((model, i) => {
      const at = `models[${i}]`;
      if (!isObject(model)) {
        problems.push(`field ${at} must be an object, got ${kind(model)}`);
        return;
      }
      const m = model as Record<string, unknown>;
      if (typeof m.id !== "string" || !m.id) {
        problems.push(`field ${at}.id must be a non-empty string`);
      } else if (names.has(m.id)) {
        problems.push(`field ${at}.id repeats ${JSON.stringify(m.id)}`);
      } else names.add(m.id);
      if (m.aliases !== undefined) {
        if (!Array.isArray(m.aliases)) {
          problems.push(`field ${at}.aliases must be an array of strings`);
        } else {
          m.aliases.forEach((alias, j) => {
            if (typeof alias !== "string" || !alias) {
              problems.push(`field ${at}.aliases[${j}] must be a non-empty string`);
            } else if (names.has(alias)) {
              problems.push(`field ${at}.aliases[${j}] repeats ${JSON.stringify(alias)}`);
            } else names.add(alias);
          });
        }
      }
      if (
        m.contextWindow !== undefined &&
        !(typeof m.contextWindow === "number" && Number.isInteger(m.contextWindow) &&
          m.contextWindow > 0)
      ) {
        problems.push(`field ${at}.contextWindow must be a positive integer when present`);
      }
      problems.push(...checkPricing(m.pricing, `${at}.pricing`));
      problems.push(...checkRulesShape(m.rules, `${at}.rules`));
    });
  }
  if (p.defaults !== undefined) {
    if (!isObject(p.defaults)) {
      problems.push(`field defaults must be an object, got ${kind(p.defaults)}`);
    } else {
      for (const role of ["root", "sub"]) {
        const d = (p.defaults as Record<string, unknown>)[role];
        if (d === undefined) continue;
        if (typeof d !== "string" || !d) {
          problems.push(`field defaults.${role} must be a non-empty string`);
        } else if (!names.has(d) && !claims(p, d)) {
          problems.push(
            `field defaults.${role} names ${JSON.stringify(d)}, which the plugin neither lists ` +
              "nor handles",
          );
        }
      }
    }
  }
  return problems;
}

/**
 * Checks an imported plugin module: its default export's shape, and a hint when the plugin was
 * exported under a name instead of as the default.
 *
 * @param module The imported module namespace.
 * @returns The plugin's `name` (only when the default export is an object with a string name)
 * and every problem.
 */
export function checkPluginModule(module: unknown): { name?: string; problems: string[] } {
  const namespace = (module ?? {}) as Record<string, unknown>;
  const value = namespace.default;
  const problems = checkPluginShape(value);
  if (value === undefined) {
    const named = Object.keys(namespace);
    if (named.length) {
      problems[0] += ` (it exports ${named.map((n) => JSON.stringify(n)).join(", ")}; ` +
        "the plugin must be `export default`)";
    }
  }
  const raw = isObject(value) ? value as Record<string, unknown> : {};
  const name = typeof raw.name === "string" && raw.name ? raw.name : undefined;
  return { name, problems };
}

/**
 * One line describing why a module could not be imported, keeping the source location of a
 * syntax error or a missing import (`... at file:///x.ts:1:40`).
 *
 * @param error What `import()` threw.
 */
export function loadErrorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const first = lines[0] ?? "unknown error";
  const at = lines.slice(1).findLast((l) => /^at \S+:\d+:\d+$/.test(l));
  return at && !first.includes(at.slice(3)) ? `${first} ${at}` : first;
}

/** The optional `check` field: a sample environment and a fake adapter. */
function checkCheckSettings(value: unknown): string[] {
  if (value === undefined) return [];
  if (!isObject(value)) return [`field check must be an object when present, got ${kind(value)}`];
  const problems: string[] = [];
  const c = value as Record<string, unknown>;
  if (c.sampleEnv !== undefined) {
    const env = c.sampleEnv as Record<string, unknown>;
    if (!isObject(env) || Object.values(env).some((v) => typeof v !== "string")) {
      problems.push("field check.sampleEnv must be an object of strings");
    }
  }
  if (c.fake !== undefined) {
    const f = c.fake as Record<string, unknown>;
    if (!isObject(f)) {
      problems.push(`field check.fake must be an object, got ${kind(f)}`);
    } else {
      if (typeof f.baseUrlVariable !== "string" || !f.baseUrlVariable) {
        problems.push("field check.fake.baseUrlVariable must be a non-empty string");
      }
      if (f.basePath !== undefined && typeof f.basePath !== "string") {
        problems.push("field check.fake.basePath must be a string when present");
      }
      if (f.render !== "openai" && typeof f.render !== "function") {
        problems.push(
          `field check.fake.render must be "openai" or a function, got ${kind(f.render)}`,
        );
      }
    }
  }
  return problems;
}

function checkPricing(value: unknown, at: string): string[] {
  if (!isObject(value)) return [`field ${at} must be an object, got ${kind(value)}`];
  const problems: string[] = [];
  const pricing = value as Record<string, unknown>;
  for (const key of ["input", "output", "cacheRead", "cacheWrite"]) {
    const price = pricing[key];
    const optional = key === "cacheRead" || key === "cacheWrite";
    if (optional && price === undefined) continue;
    if (typeof price !== "number" || !Number.isFinite(price)) {
      problems.push(`field ${at}.${key} must be a number (USD per 1M tokens), got ${kind(price)}`);
    } else if (price < 0) {
      problems.push(`field ${at}.${key} must not be negative`);
    }
  }
  if (pricing.tiers !== undefined) {
    if (!Array.isArray(pricing.tiers)) {
      problems.push(`field ${at}.tiers must be an array when present`);
    } else {
      pricing.tiers.forEach((tier, i) => {
        const t = `${at}.tiers[${i}]`;
        if (!isObject(tier)) {
          return problems.push(`field ${t} must be an object, got ${kind(tier)}`);
        }
        const above = (tier as Record<string, unknown>).aboveTokens;
        if (!(typeof above === "number" && Number.isInteger(above) && above >= 0)) {
          problems.push(`field ${t}.aboveTokens must be a non-negative integer`);
        }
        problems.push(...checkPricing({ ...tier, tiers: undefined }, t));
      });
    }
  }
  return problems;
}

function claims(plugin: Record<string, unknown>, model: string): boolean {
  if (typeof plugin.handles !== "function") return false;
  try {
    return plugin.handles(model) === true;
  } catch {
    return false;
  }
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string (${JSON.stringify(value.slice(0, 40))})`;
  return typeof value === "object" ? "an object" : typeof value;
}
