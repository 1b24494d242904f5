/**
 * Fitting text to the terminal's width: by display width (wide CJK characters count two
 * columns, combining marks none), with sindresorhus' `string-width`, `cli-truncate` and
 * `wrap-ansi`. Output that is not going to a terminal is fitted to 80 columns.
 *
 * @module
 */
import stringWidth from "npm:string-width@9.0.0";
import cliTruncate from "npm:cli-truncate@6.2.0";
import wrapAnsi from "npm:wrap-ansi@10.0.2";

export { DEFAULT_COLUMNS, terminalColumns } from "./screen.ts";

/** Columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * `line` cut to `columns` display columns, ending in `…` when cut. One column is kept free so
 * that a line exactly as wide as the terminal never wraps on terminals that wrap early.
 *
 * @example
 * ```ts
 * import { fitLine } from "./width.ts";
 * fitLine("src/a/very/long/path/name.ts", 12); // "src/a/very…"
 * ```
 */
export function fitLine(line: string, columns: number): string {
  const room = Math.max(columns - 1, 8);
  return displayWidth(line) <= room ? line : cliTruncate(line, room);
}

/**
 * `line` wrapped at word boundaries to `columns`, continuation lines indented under the text
 * after the line's own indentation and list marker (`  - `), long words broken.
 *
 * @example
 * ```ts
 * import { wrapLine } from "./width.ts";
 * wrapLine("  - one two three four five six", 22); // ["  - one two three", "    four five six"]
 * ```
 */
export function wrapLine(line: string, columns: number): string[] {
  const room = Math.max(columns - 1, 20);
  if (displayWidth(line) <= room) return [line];
  const lead = line.match(/^\s*(?:[-*] )?/)![0];
  const hang = " ".repeat(lead.length);
  const body = wrapAnsi(line.slice(lead.length), room - lead.length, { hard: true });
  return body.split("\n").map((text, i) => `${i === 0 ? lead : hang}${text}`);
}
