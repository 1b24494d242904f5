/**
 * Model rules as the engine sees them: a model's published rules with conservative defaults
 * filled in for whatever the plugin leaves out.
 *
 * @module
 */
import type { Effort, ModelRules } from "./types.ts";

/** Every effort level, lowest first. */
export const EFFORT_LEVELS: readonly Effort[] = Object.freeze(["low", "medium", "high", "max"]);

/**
 * Rules of a model nothing is known about: no forced tool call, no sampling parameters, no
 * thinking control, no effort control, no stated output maximum (0 = unknown), no prompt-cache
 * minimum (0 = unknown).
 */
export const CONSERVATIVE_RULES: Readonly<Required<ModelRules>> = Object.freeze({
  forcedToolChoice: false,
  samplingParameters: false,
  thinking: "none",
  effortLevels: Object.freeze([]) as unknown as Effort[],
  maxOutputTokens: 0,
  promptCacheMinTokens: 0,
});

/**
 * Fills every field of a model's rules: the model's own, then the plugin's `unlistedRules`
 * (for a model it serves without listing), then {@linkcode CONSERVATIVE_RULES}. Values of the
 * wrong type are ignored, so a sloppy plugin cannot loosen the defaults by accident.
 *
 * @param listed The model entry's `rules`, when the plugin lists the model.
 * @param unlisted The plugin's `unlistedRules`, used when the model is not listed.
 * @returns Rules with every field set (a fresh object).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(resolveRules(undefined, undefined).forcedToolChoice, false);
 * assert.equal(resolveRules({ forcedToolChoice: true }, undefined).thinking, "none");
 * ```
 */
export function resolveRules(
  listed: ModelRules | undefined,
  unlisted: ModelRules | undefined,
): Required<ModelRules> {
  const source = listed ?? unlisted ?? {};
  const bool = (v: unknown, d: boolean) => typeof v === "boolean" ? v : d;
  const count = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0 ? v : 0;
  const thinking = source.thinking === "budget" || source.thinking === "adaptive"
    ? source.thinking
    : "none";
  const effortLevels = Array.isArray(source.effortLevels)
    ? EFFORT_LEVELS.filter((level) => source.effortLevels!.includes(level))
    : [];
  return {
    forcedToolChoice: bool(source.forcedToolChoice, false),
    samplingParameters: bool(source.samplingParameters, false),
    thinking,
    effortLevels,
    maxOutputTokens: count(source.maxOutputTokens),
    promptCacheMinTokens: count(source.promptCacheMinTokens),
  };
}

/**
 * Whether a stop reason means the output limit cut the answer: `"max_tokens"` (normalized) or
 * `"length"` (OpenAI's word, which user plugins may pass through).
 */
export function isCutByLimit(stopReason: string | undefined): boolean {
  return stopReason === "max_tokens" || stopReason === "length";
}

/** Whether `value` is an effort level. */
export function isEffort(value: unknown): value is Effort {
  return typeof value === "string" && (EFFORT_LEVELS as readonly string[]).includes(value);
}

/**
 * Problems with a plugin's `rules` value (empty when it is valid or absent), named by field.
 *
 * @param value The `rules` (or `unlistedRules`) field of a plugin.
 * @param at Where it sits, e.g. `models[0].rules`.
 */
export function checkRulesShape(value: unknown, at: string): string[] {
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [`field ${at} must be an object when present`];
  }
  const r = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ["forcedToolChoice", "samplingParameters"]) {
    if (r[key] !== undefined && typeof r[key] !== "boolean") {
      problems.push(`field ${at}.${key} must be true or false when present`);
    }
  }
  if (r.thinking !== undefined && !["none", "budget", "adaptive"].includes(r.thinking as string)) {
    problems.push(`field ${at}.thinking must be "none", "budget" or "adaptive" when present`);
  }
  if (
    r.effortLevels !== undefined &&
    !(Array.isArray(r.effortLevels) && r.effortLevels.every(isEffort))
  ) {
    problems.push(`field ${at}.effortLevels must be an array of ${EFFORT_LEVELS.join(", ")}`);
  }
  for (const key of ["maxOutputTokens", "promptCacheMinTokens"]) {
    const v = r[key];
    if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v > 0)) {
      problems.push(`field ${at}.${key} must be a positive integer when present`);
    }
  }
  return problems;
}
