/**
 * What the CLI edge knows about the screen, without loading anything heavy at start-up: its
 * width, and the live progress line to clear before an error line is printed.
 *
 * @module
 */

/** Width used when the output is not a terminal (a file, a pipe, a test). */
export const DEFAULT_COLUMNS = 80;

/**
 * The terminal's width when `isTerminal`, else {@linkcode DEFAULT_COLUMNS}.
 *
 * @param isTerminal Whether the output goes to a terminal.
 */
export function terminalColumns(isTerminal: boolean): number {
  if (!isTerminal) return DEFAULT_COLUMNS;
  try {
    return Deno.consoleSize().columns || DEFAULT_COLUMNS;
  } catch {
    return DEFAULT_COLUMNS;
  }
}

/** The live lines on screen, by context, so an error can clear one first. */
const liveLines = new WeakMap<object, () => void>();

/** Registers how to remove the live line a progress display keeps for `ctx`. */
export function registerLiveLine(ctx: object, clear: () => void): void {
  liveLines.set(ctx, clear);
}

/**
 * Removes the live progress line of `ctx`, if one is shown, so that an error line printed next
 * starts on a line of its own (not `scanning 0/0deeprepo: ...`).
 */
export function clearLiveLine(ctx: object): void {
  liveLines.get(ctx)?.();
}
