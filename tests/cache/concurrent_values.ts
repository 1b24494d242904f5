/** Deterministic test values: every 10th one is long enough to be chunked. */
export function expectedValue(key: string): string {
  const n = Number(key.split("-").pop());
  const body = `answer for ${key} `;
  return n % 10 === 0 ? body.repeat(Math.ceil(100_000 / body.length)) : body;
}
