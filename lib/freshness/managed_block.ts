/**
 * The block deeprepo manages inside a file it shares with people (AGENTS.md, CLAUDE.md, ...):
 * text between two marker comments, with the analysis it came from and a hash of its body in
 * the opening marker. Replacing the block never touches text outside it; a block whose body no
 * longer matches its hash was edited by hand and is not overwritten.
 *
 * @module
 */
import { createHash } from "node:crypto";

function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

const BEGIN = /<!-- deeprepo:begin from=(\S+) hash=([0-9a-f]{16}) -->\n/;
const END = "<!-- deeprepo:end -->";

/** A block found in a file. */
export interface FoundBlock {
  /** The analysis the block was made from (its report's base name). */
  from: string;
  body: string;
  /** False when the body was changed after deeprepo wrote it. */
  intact: boolean;
}

/** Finds the managed block in `text`, if any. */
export function findBlock(text: string): FoundBlock | undefined {
  const m = BEGIN.exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  const end = text.indexOf(END, start);
  if (end < 0) return { from: m[1], body: text.slice(start), intact: false };
  const body = text.slice(start, end);
  return { from: m[1], body, intact: contentHash(body) === m[2] };
}

/** `text` with deeprepo's block (markers included) taken out. */
export function withoutBlock(text: string): string {
  const m = BEGIN.exec(text);
  if (!m) return text;
  const end = text.indexOf(END, m.index);
  const before = text.slice(0, m.index).replace(/\n+$/, "\n");
  const after = end < 0 ? "" : text.slice(end + END.length).replace(/^\n+/, "");
  return before === "\n" ? after : before + after;
}

/** The block's text, markers included. */
export function renderBlock(body: string, from: string): string {
  const text = body.endsWith("\n") ? body : `${body}\n`;
  return `<!-- deeprepo:begin from=${from} hash=${contentHash(text)} -->\n${text}${END}`;
}

/** Why a block cannot be replaced. */
export class EditedBlockError extends Error {
  override name = "EditedBlockError";
}

/**
 * Puts the block into `existing`: replaces the old block in place, or appends it (after a blank
 * line) when there is none. `header` is used only for a new file (e.g. Cursor's front matter).
 *
 * @throws {EditedBlockError} When the old block was edited by hand or lost its end marker.
 */
export function upsertBlock(
  existing: string | undefined,
  body: string,
  from: string,
  header = "",
): string {
  const block = renderBlock(body, from);
  if (existing === undefined || existing === "") return `${header}${block}\n`;
  const m = BEGIN.exec(existing);
  if (!m) return `${existing.replace(/\n*$/, "\n\n")}${block}\n`;
  const found = findBlock(existing)!;
  if (!found.intact) {
    throw new EditedBlockError(
      "its deeprepo block was edited by hand (or lost its end marker); move your edits " +
        "outside the block or delete the block, then run again",
    );
  }
  const end = existing.indexOf(END, m.index) + END.length;
  return existing.slice(0, m.index) + block + existing.slice(end);
}
