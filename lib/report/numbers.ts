/**
 * Number formatting for reports and terminals. Deliberately not `toLocaleString`: its first call
 * loads ICU data (~30 ms), which showed up in every `--dry-run`.
 *
 * @module
 */

/**
 * An integer with `,` thousands separators (rounded first).
 *
 * @example
 * ```ts
 * formatInt(1234567.4); // "1,234,567"
 * ```
 */
export function formatInt(value: number): string {
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return rounded < 0 ? `-${digits}` : digits;
}
