/**
 * Makes text that came from a repository, a model or REPL code safe to write to a terminal.
 * Control characters, escape sequences (CSI, OSC window titles and clipboard writes, ...) and
 * bidirectional overrides are shown visibly (`\x1b`, `\u202e`) instead of being interpreted, so
 * such text can neither drive the terminal nor forge a line of deeprepo's own output. Files on
 * disk keep the original bytes; only what is printed is changed.
 *
 * Neutralising the introducer is enough: once `ESC` (or the 8-bit `CSI`, U+009B) is shown as
 * text, the rest of a sequence (`]0;title`, `[2J`) is plain printable text.
 *
 * @module
 */

/**
 * Characters shown escaped by {@linkcode terminalText}: C0 controls except tab and newline, DEL,
 * C1 controls, bidirectional embeddings/overrides/isolates and marks, and the Unicode line and
 * paragraph separators (which some terminals treat as line breaks).
 */
const UNSAFE_CLASS = String.raw`\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029` +
  String.raw`\u202a-\u202e\u2066-\u2069`;
const UNSAFE = new RegExp(String.raw`\r\n|[${UNSAFE_CLASS}]`, "g");

/** As {@linkcode UNSAFE}, and tab and newline too: for text that must stay on one line. */
const UNSAFE_IN_LINE = new RegExp(String.raw`[\t\n${UNSAFE_CLASS}]`, "g");

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(char: string): string {
  if (char === "\r\n") return "\n"; // a Windows line end is a line end
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Text for a terminal, line breaks and tabs kept: every other control character, escape sequence
 * introducer and bidi control shown as a visible escape. `\r\n` becomes `\n`; a lone `\r` (which
 * would let text overwrite the start of its line) is shown as `\r`.
 *
 * @param text Any text from a repository, a model or the REPL.
 * @returns The text with nothing a terminal would interpret.
 *
 * @example
 * ```ts
 * import { terminalText } from "./terminal_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(terminalText("\x1b]0;pwned\x07ok\n"), "\\x1b]0;pwned\\x07ok\n");
 * ```
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * Text that must stay on one line (a file name in a listing, a path in an error, a status
 * line): like {@linkcode terminalText}, and newlines and tabs shown as `\n` and `\t` too, so a
 * name cannot start a line of its own (a forged `Estimated cost: $0.0000`).
 *
 * @param text A file name, path, model name or message.
 * @returns One line with nothing a terminal would interpret.
 *
 * @example
 * ```ts
 * import { terminalLine } from "./terminal_text.ts";
 * import assert from "node:assert/strict";
 * assert.equal(terminalLine("a\nEstimated cost: $0.0000"), "a\\nEstimated cost: $0.0000");
 * ```
 */
export function terminalLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, visible);
}
