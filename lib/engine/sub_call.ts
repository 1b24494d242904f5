/**
 * One sub-model call: reserve its projected cost (or skip it for the budget), send it, settle
 * the spend, and turn every failure into an `[ERROR: ...]` item (never a thrown error).
 *
 * @module
 */
import type { ModelClient } from "../providers/mod.ts";
import type { SpendLedger } from "./spend.ts";
import type { SubStats } from "./types.ts";

/** The item a call cancelled by the end of the run comes back as. */
export const CANCELLED_TEXT = "[ERROR: cancelled]";

/** Text of a budget-skipped item. */
export const BUDGET_SKIP_TEXT =
  "[ERROR: budget exhausted — this prompt was not sent; finalize with what you have]";

/** What every sub call of a run is sent with. */
export interface SubCallSettings {
  client: ModelClient;
  spend: SpendLedger;
  system: string;
  maxTokens: number;
  /** Dollars that must stay free for a final root turn when a budget is set. */
  rootReserve?(): number;
  /** `calls` and `budgetSkipped` are counted here. */
  stats: SubStats;
}

/**
 * Sends one prompt to the sub-model.
 *
 * @returns The answer, or an `[ERROR: ...]` item (budget skip, cancelled, failed, empty).
 */
export async function sendSubCall(
  settings: SubCallSettings,
  prompt: string,
  signal: AbortSignal,
): Promise<string> {
  if (signal.aborted) return CANCELLED_TEXT;
  const { spend, stats, system } = settings;
  const projected = spend.projectSub(prompt.length + system.length);
  if (!spend.tryReserve(projected, settings.rootReserve?.() ?? 0)) {
    stats.budgetSkipped++;
    return BUDGET_SKIP_TEXT;
  }
  stats.calls++;
  try {
    const res = await settings.client.complete({
      system,
      messages: [{ role: "user", content: prompt }],
      maxTokens: settings.maxTokens,
      signal,
    });
    spend.addSub(res.usage);
    if (!res.text.trim()) return "[ERROR: the sub-model returned an empty answer]";
    return res.text;
  } catch (error) {
    if (signal.aborted) return CANCELLED_TEXT;
    return `[ERROR: ${oneLine(error)}]`;
  } finally {
    spend.release(projected);
  }
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim().slice(0, 300) || "unknown error";
}
