/**
 * What the engine derives from a model's published rules (`ResolvedModel.rules`): the output
 * limit to ask for (with room for thinking, never above the API's maximum), whether a tool call
 * may be forced, which effort to send, and how far a cut sub answer may be retried.
 *
 * @module
 */
import { resolveRules } from "../providers/mod.ts";
import type { CompletionResponse, Effort, ModelRules } from "../providers/mod.ts";

/** Rules with every field set; omitted fields get the conservative defaults. */
export type Rules = Required<ModelRules>;

/** Fills a model's rules (conservative defaults for whatever is missing or unknown). */
export function rulesOf(rules: ModelRules | undefined): Rules {
  return resolveRules(rules, undefined);
}

/**
 * Extra output tokens asked for when a model thinks, so thinking (billed as output and counted
 * inside `max_tokens`) does not crowd out the answer: the root's 16,000 for code and the
 * report, and the sub-model's 4,096 for its review.
 */
export const THINKING_ROOM = { root: 16_000, sub: 4_096 } as const;

/**
 * The largest sub-model limit a retry asks for. Anthropic's SDK refuses a non-streaming request
 * whose `max_tokens` could take over ten minutes (above about 21,333), and sub calls do not
 * stream.
 */
export const SUB_RETRY_CAP = 16_384;

/** Whether the model spends thinking tokens (its rules say `budget` or `adaptive`). */
export function thinks(rules: Rules): boolean {
  return rules.thinking !== "none";
}

/**
 * The output limit to request: `base`, plus `room` for a model that thinks, capped by the
 * model's published maximum when it has one.
 */
export function outputLimit(base: number, rules: Rules, room: number): number {
  const wanted = thinks(rules) ? base + room : base;
  return rules.maxOutputTokens > 0 ? Math.min(wanted, rules.maxOutputTokens) : wanted;
}

/** The effort to send: the asked level when the model accepts it, else none. */
export function effortFor(effort: Effort | undefined, rules: Rules): Effort | undefined {
  return effort !== undefined && rules.effortLevels.includes(effort) ? effort : undefined;
}

/**
 * The larger limit for one retry of an answer cut at `current` tokens, or undefined when the
 * model's published maximum (unknown = no retry) leaves no room above it.
 */
export function retryLimit(current: number, rules: Rules): number | undefined {
  const next = Math.min(rules.maxOutputTokens, current * 2, SUB_RETRY_CAP);
  return next > current ? next : undefined;
}

/**
 * The reply's visible text: its text parts, or — when a model put its prose inside thinking
 * blocks and sent no text — the thinking text.
 */
export function replyText(response: CompletionResponse): string {
  return response.text.trim() ? response.text : thinkingText(response);
}

/** The thinking text the reply's opaque parts carry ("" when none). */
export function thinkingText(response: CompletionResponse): string {
  const texts: string[] = [];
  for (const part of response.parts ?? []) {
    if (part.type === "opaque" && part.thinking?.trim()) texts.push(part.thinking);
  }
  return texts.join("\n\n");
}

/**
 * The one warning for an effort the model does not accept (undefined when it does, or when
 * none was asked for). The run continues without sending it.
 *
 * @param flag The option, e.g. `--effort`.
 * @param label The model's `provider:id`.
 */
export function effortWarning(
  flag: string,
  label: string,
  rules: ModelRules,
  effort: Effort | undefined,
): string | undefined {
  if (effort === undefined) return undefined;
  const levels = rulesOf(rules).effortLevels;
  if (levels.includes(effort)) return undefined;
  return levels.length === 0
    ? `${flag} ${effort} ignored: ${label} has no effort levels`
    : `${flag} ${effort} ignored: ${label} accepts ${levels.join(", ")}`;
}
