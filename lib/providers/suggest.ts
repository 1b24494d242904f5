/**
 * "Did you mean": the known name nearest to a mistyped model string.
 *
 * @module
 */

/**
 * The provider name, id or alias nearest to a mistyped model string (at most 2 edits, or 1 for
 * short names), for the "did you mean" hint.
 *
 * @param wanted What the user typed.
 * @param names Provider names, ids and aliases.
 * @returns The nearest name, or undefined when none is close.
 */
export function closest(wanted: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = wanted.length <= 4 ? 2 : 3;
  for (const name of names) {
    const d = editDistance(wanted.toLowerCase(), name.toLowerCase(), bestDistance);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it reaches `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    if (Math.min(...row) >= limit) return limit;
    previous = row;
  }
  return Math.min(previous[b.length], limit);
}
