/**
 * Number and money formatting for reports, prompts and terminals, in one place. Deliberately not
 * `toLocaleString`: its first call loads ICU data (~30 ms), which showed up in every `--dry-run`.
 *
 * @module
 */

/**
 * An integer with `,` thousands separators (rounded first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(formatInt(1234567.4), "1,234,567");
 * ```
 */
export function formatInt(value: number): string {
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return rounded < 0 ? `-${digits}` : digits;
}

/**
 * Dollars spent, always with four decimals (`$0.0123`, `$12.3400`): spend figures line up and a
 * sub-cent call never shows as `$0.00`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(formatUsd(0.01234), "$0.0123");
 * ```
 */
export function formatUsd(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

/**
 * A budget or an estimate in dollars for people: cents for a dollar or more, four decimals below,
 * so a `--max-cost 0.005` never shows as `$0.01` or `$0.00`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(formatBudgetUsd(2), "$2.00");
 * assert.equal(formatBudgetUsd(0.005), "$0.0050");
 * ```
 */
export function formatBudgetUsd(usd: number): string {
  return `$${usd >= 1 ? usd.toFixed(2) : usd.toFixed(4)}`;
}
