/**
 * One sub-model call: reserve its projected cost (or skip it for the budget), send it, settle
 * the spend, retry once with a larger limit when the answer was cut by the output limit (where
 * the model's published maximum allows), and turn every failure into an `[ERROR: ...]` item
 * (never a thrown error). An answer still cut comes back marked `[TRUNCATED: ...]`.
 *
 * @module
 */
import { markTruncated } from "../cache/mod.ts";
import { isCutByLimit } from "../providers/mod.ts";
import type { Effort, ModelClient, ModelRules } from "../providers/mod.ts";
import {
  effortFor,
  outputLimit,
  retryLimit,
  type Rules,
  rulesOf,
  THINKING_ROOM,
} from "./model_rules.ts";
import { SUB_MAX_TOKENS } from "./prompts.ts";
import type { SpendLedger } from "./spend.ts";
import type { SubStats } from "./types.ts";

/** The item a call cancelled by the end of the run comes back as. */
export const CANCELLED_TEXT = "[ERROR: cancelled]";

/** Text of a budget-skipped item. */
export const BUDGET_SKIP_TEXT =
  "[ERROR: budget exhausted — this prompt was not sent; finalize with what you have]";

/** How the sub-model is asked: output limit and effort, from its rules. */
export interface SubRequestSettings {
  /** {@linkcode SUB_MAX_TOKENS}, plus room for thinking, within the model's maximum. */
  maxTokens: number;
  /** `--sub-effort` when the model accepts it. */
  effort?: Effort;
  rules: Rules;
}

/**
 * The settings every sub call of a run is sent with (the cache key uses the same ones).
 *
 * @param rules The sub-model's rules (conservative defaults when omitted).
 * @param effort `--sub-effort`.
 */
export function subRequestSettings(rules?: ModelRules, effort?: Effort): SubRequestSettings {
  const resolved = rulesOf(rules);
  return {
    maxTokens: outputLimit(SUB_MAX_TOKENS, resolved, THINKING_ROOM.sub),
    effort: effortFor(effort, resolved),
    rules: resolved,
  };
}

/** What every sub call of a run is sent with. */
export interface SubCallSettings {
  client: ModelClient;
  spend: SpendLedger;
  system: string;
  maxTokens: number;
  effort?: Effort;
  /** The model's rules: how far a cut answer may be retried. @default conservative (no retry) */
  rules?: Rules;
  /** Dollars that must stay free for a final root turn when a budget is set. */
  rootReserve?(): number;
  /** `calls`, `budgetSkipped` and `truncated` are counted here. */
  stats: SubStats;
}

/** One attempt's outcome: an answer or item, and whether the output limit cut it. */
interface Attempt {
  text: string;
  cut: boolean;
}

/**
 * Sends one prompt to the sub-model (twice at most: once more with a larger limit when the
 * first answer was cut by the output limit and the model allows a larger one).
 *
 * @returns The answer, the answer marked `[TRUNCATED: ...]`, or an `[ERROR: ...]` item (budget
 *   skip, cancelled, failed, empty).
 */
export async function sendSubCall(
  settings: SubCallSettings,
  prompt: string,
  signal: AbortSignal,
): Promise<string> {
  if (signal.aborted) return CANCELLED_TEXT;
  const first = await attempt(settings, prompt, signal, settings.maxTokens);
  if (!first.cut) return first.text;
  let cut = first;
  let limit = settings.maxTokens;
  const larger = retryLimit(limit, settings.rules ?? rulesOf(undefined));
  if (larger !== undefined) {
    const again = await attempt(settings, prompt, signal, larger);
    // A retry skipped for the budget or failed keeps the first, partial answer.
    if (!again.cut && !again.text.startsWith("[ERROR")) return again.text;
    if (again.cut) [cut, limit] = [again, larger];
  }
  if (!cut.text.trim()) {
    return `[ERROR: the sub-model's output limit (${limit} tokens) ran out before any answer]`;
  }
  settings.stats.truncated++;
  return markTruncated(
    cut.text,
    `the answer reached the sub-model's output limit (${limit} tokens)`,
  );
}

/** One request: reserve, send, settle. */
async function attempt(
  settings: SubCallSettings,
  prompt: string,
  signal: AbortSignal,
  maxTokens: number,
): Promise<Attempt> {
  const { spend, stats, system } = settings;
  const retrying = maxTokens > settings.maxTokens;
  const projected = spend.projectSub(
    prompt.length + system.length,
    retrying ? maxTokens : undefined,
  );
  if (!spend.tryReserve(projected, settings.rootReserve?.() ?? 0)) {
    if (!retrying) stats.budgetSkipped++; // a skipped retry keeps the first answer
    return { text: BUDGET_SKIP_TEXT, cut: false };
  }
  stats.calls++;
  try {
    const res = await settings.client.complete({
      system,
      messages: [{ role: "user", content: prompt }],
      maxTokens,
      signal,
      ...(settings.effort ? { effort: settings.effort } : {}),
    });
    spend.addSub(res.usage);
    if (isCutByLimit(res.stopReason)) return { text: res.text, cut: true };
    if (!res.text.trim()) {
      return { text: "[ERROR: the sub-model returned an empty answer]", cut: false };
    }
    return { text: res.text, cut: false };
  } catch (error) {
    if (signal.aborted) return { text: CANCELLED_TEXT, cut: false };
    return { text: `[ERROR: ${oneLine(error)}]`, cut: false };
  } finally {
    spend.release(projected);
  }
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim().slice(0, 300) || "unknown error";
}
