/**
 * One sentence about secret masking, shared by the dry run, the run summary and the report
 * footer.
 *
 * @module
 */

/**
 * `secrets masked: 3 (aws 1, github 2)`, `secrets masked: none found`, or, with `--no-redact`
 * (`null`), `secrets NOT masked (--no-redact)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(redactionLine({ github: 2, aws: 1 }), "secrets masked: 3 (aws 1, github 2)");
 * ```
 */
export function redactionLine(counts: Readonly<Record<string, number>> | null | undefined): string {
  if (counts === null) return "secrets NOT masked (--no-redact)";
  const entries = Object.entries(counts ?? {}).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const total = entries.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return "secrets masked: none found";
  return `secrets masked: ${total} (${entries.map(([rule, n]) => `${rule} ${n}`).join(", ")})`;
}
