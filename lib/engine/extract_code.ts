/**
 * Finds runnable JavaScript/TypeScript in a root-model reply that did not use the
 * `execute_code` tool.
 *
 * Models build sub-model prompts with template literals that often contain Markdown fences, so a
 * line holding only three backticks is not always the end of a block. The scanner therefore
 * tracks just enough JS lexical state (strings, template literals with `${}` nesting, comments)
 * to tell a closing fence from a fence that sits inside a template literal. Fence lines found
 * inside a template literal are kept and their backticks escaped, so the code runs as intended.
 *
 * @module
 */

/** Languages whose fenced blocks are run. An unlabelled fence counts as code too. */
const CODE_LANGS = new Set(["js", "javascript", "ts", "typescript", "jsx", "tsx", "mjs", "mts"]);

const FENCE = /^\s*(`{3,})\s*([\w+-]*)\s*$/;

/** Words that start English sentences far more often than code lines. */
const PROSE_STARTERS = [
  "Let ",
  "Now ",
  "Here ",
  "The ",
  "This ",
  "That ",
  "I ",
  "I'll ",
  "I'm ",
  "We ",
  "It ",
  "Note ",
  "Next ",
  "First ",
  "Second ",
  "Finally ",
  "However ",
  "Also ",
];

/**
 * Whether a line reads like English prose rather than code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isProseLine("Let me look at the entry points."), true);
 * assert.equal(isProseLine("const files = Object.keys(codebase);"), false);
 * ```
 */
export function isProseLine(line: string): boolean {
  const s = line.trim();
  if (!s) return false;
  if (PROSE_STARTERS.some((p) => s.startsWith(p))) return true;
  if (/^(\*\s+|- |\d+\.\s|> |#{1,6} )/.test(s)) return true;
  return /^[A-Z][a-z]+ /.test(s);
}

interface Frame {
  kind: "template" | "expr";
  depth: number;
}

/** Line-by-line JS lexical state: are we inside a template literal or block comment? */
class JsLexState {
  #stack: Frame[] = [];
  #blockComment = false;

  /** True when a fence line here would be text inside a template literal or comment. */
  get insideLiteral(): boolean {
    return this.#blockComment || this.#top()?.kind === "template";
  }

  #top(): Frame | undefined {
    return this.#stack[this.#stack.length - 1];
  }

  /** Advances the state over one line of code. */
  feed(line: string): void {
    let i = 0;
    const n = line.length;
    while (i < n) {
      const ch = line[i];
      const next = line[i + 1];
      if (this.#blockComment) {
        if (ch === "*" && next === "/") {
          this.#blockComment = false;
          i += 2;
        } else i++;
        continue;
      }
      const top = this.#top();
      if (top?.kind === "template") {
        if (ch === "\\") i += 2;
        else if (ch === "`") {
          this.#stack.pop();
          i++;
        } else if (ch === "$" && next === "{") {
          this.#stack.push({ kind: "expr", depth: 0 });
          i += 2;
        } else i++;
        continue;
      }
      // Code (top level or inside `${ ... }`).
      if (ch === "/" && next === "/") return;
      if (ch === "/" && next === "*") {
        this.#blockComment = true;
        i += 2;
      } else if (ch === '"' || ch === "'") {
        // Ordinary strings cannot span lines, so an unmatched quote ends at the line's end.
        i++;
        while (i < n && line[i] !== ch) i += line[i] === "\\" ? 2 : 1;
        i++;
      } else if (ch === "`") {
        this.#stack.push({ kind: "template", depth: 0 });
        i++;
      } else if (ch === "{" && top) {
        top.depth++;
        i++;
      } else if (ch === "}" && top) {
        if (top.depth === 0) this.#stack.pop();
        else top.depth--;
        i++;
      } else i++;
    }
  }
}

/** Escapes the backticks of a fence line that belongs inside a template literal. */
function escapeFence(line: string): string {
  return line.replace(/`/g, "\\`");
}

/** Reads one fenced block starting after its opening line; returns the code and next index. */
function readBlock(lines: string[], start: number): { code: string[]; next: number } {
  const lex = new JsLexState();
  const code: string[] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      if (lex.insideLiteral) {
        code.push(escapeFence(line));
        continue;
      }
      if (fence[2] === "") return { code, next: i + 1 };
      // A labelled fence at top level: the model wrapped prose and blocks in one fence.
      code.push(line);
      continue;
    }
    code.push(line);
    lex.feed(line);
  }
  return { code, next: i };
}

/** Skips a fenced block in another language (```json, ```bash ...); returns the next index. */
function skipBlock(lines: string[], start: number): number {
  for (let i = start; i < lines.length; i++) {
    const fence = FENCE.exec(lines[i]);
    if (fence && fence[2] === "") return i + 1;
  }
  return lines.length;
}

function scanBlocks(lines: string[]): string[] {
  const blocks: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const fence = FENCE.exec(lines[i]);
    if (!fence) {
      i++;
      continue;
    }
    const lang = fence[2].toLowerCase();
    if (lang !== "" && !CODE_LANGS.has(lang)) {
      i = skipBlock(lines, i + 1);
      continue;
    }
    const { code, next } = readBlock(lines, i + 1);
    blocks.push(code.join("\n"));
    i = next;
  }
  return blocks;
}

/** A block that opens with prose and holds inner fences: keep only the inner code. */
function unwrap(block: string): string[] {
  const lines = block.split("\n");
  const first = lines.find((l) => l.trim() !== "") ?? "";
  const hasInner = lines.some((l) => FENCE.test(l));
  if (!isProseLine(first) || !hasInner) return [block];
  return scanBlocks(lines);
}

const CODE_SIGNAL =
  /[;{}()=]|^\s*(const|let|var|for|if|await|function|print|console|set_answer)\b/m;

/**
 * Extracts the code blocks to run from a reply without tool calls, in order.
 *
 * Rules: fenced blocks labelled js/javascript/ts/typescript (or jsx/tsx/mjs/mts) or unlabelled
 * are code; other languages are skipped. A fence line inside a template literal or block comment
 * does not close the block (and is escaped so it stays text). A block that begins with prose
 * and contains inner fences yields only those inner blocks. When there is no fence at all, the
 * whole reply is taken as code only if no line reads like prose and something looks like code.
 *
 * @param text The model's reply text.
 * @returns Code strings, possibly empty.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const fence = "`".repeat(3);
 * const reply = `Listing:\n${fence}js\nprint(Object.keys(codebase).length)\n${fence}`;
 * assert.deepEqual(extractCode(reply), ["print(Object.keys(codebase).length)"]);
 * ```
 */
export function extractCode(text: string): string[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const blocks = scanBlocks(lines).flatMap(unwrap).filter((b) => b.trim() !== "");
  if (blocks.length > 0) return blocks;
  if (lines.some((l) => FENCE.test(l))) return [];
  const body = text.trim();
  if (!body || lines.some(isProseLine) || !CODE_SIGNAL.test(body)) return [];
  return [body];
}
