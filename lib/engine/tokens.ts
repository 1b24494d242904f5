/**
 * Cheap token estimates for budget projection (never for billing: billing uses reported usage).
 *
 * @module
 */

/**
 * Estimates tokens from characters. Code tokenizes at roughly 3.5–4 characters per token; 3.5
 * errs high, which is the safe side for a spending limit.
 */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 3.5);
}
