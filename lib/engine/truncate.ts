/**
 * Bounds execution output shown to the root model.
 *
 * @module
 */

/** The most characters of one execution's output the root model sees. */
export const MAX_OUTPUT_CHARS = 8192;

/**
 * Cuts `text` to at most about `limit` characters, keeping the head and the tail (the end of a
 * log is usually where errors and summaries are), and says how long the output really was.
 *
 * @param text The captured output.
 * @param trueLength The real length when `text` is itself already bounded. @default text.length
 * @param limit Characters to keep. @default MAX_OUTPUT_CHARS
 * @returns `text` unchanged when it fits, else head + notice + tail.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(truncateOutput("x".repeat(10_000)).includes("10000 characters"));
 * ```
 */
export function truncateOutput(
  text: string,
  trueLength: number = text.length,
  limit: number = MAX_OUTPUT_CHARS,
): string {
  const total = Math.max(trueLength, text.length);
  if (total <= limit && text.length <= limit) return text;
  const head = Math.floor(limit * 0.75);
  const tail = limit - head;
  const shownHead = text.slice(0, head);
  const shownTail = text.length > head ? text.slice(Math.max(head, text.length - tail)) : "";
  const notice = `\n\n[OUTPUT TRUNCATED: ${total} characters in total; showing the first ` +
    `${shownHead.length} and the last ${shownTail.length}. Filter or summarise with code ` +
    `instead of printing everything.]\n\n`;
  return shownHead + notice + shownTail;
}
