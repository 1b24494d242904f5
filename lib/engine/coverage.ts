/**
 * The coverage ledger: which files' contents reached a sub-model prompt.
 *
 * Rule: a file counts as looked at when a sub-model prompt that got an answer (fresh or from
 * the cache) contains a recognisable piece of its content:
 * - longer files (more than {@linkcode WINDOW} characters after trimming): any one of four
 *   {@linkcode WINDOW}-character windows taken at 0, ¼, ½ and ¾ of the content. So a prompt with
 *   the whole file, its head (`content.slice(0, 8000)`) or a large excerpt counts; a prompt that
 *   only names the path does not. A window that several files share (a licence header, a
 *   generated preamble) identifies none of them and is dropped;
 * - shorter files: the start and the end of the trimmed content (each at least half of it, so
 *   together they cover it); files under {@linkcode TINY} characters also need their path in the
 *   prompt (a few characters of code are too common to identify a file on their own), and files
 *   under {@linkcode MIN_PIECE} characters need only the path;
 * - files whose trimmed text is identical to another file's are found through that text and
 *   count when the prompt also holds their path (so a prompt carrying every file verbatim with
 *   its path counts every file).
 * A path is "in the prompt" when it is one of the prompt's words (split at blanks, quotes,
 * brackets and `,;:|*=`; a leading `./` and a trailing `.` are ignored). Files whose `codebase`
 * entry is a placeholder (too large, read error) or blank never count.
 *
 * Scanning is linear in the prompt's length whatever the codebase: every piece of text the
 * ledger looks for has one of a few fixed lengths, each length is matched with a rolling hash
 * (random base, prime modulus, so crafted text cannot force collisions), each position is looked
 * up once per length, and a piece is compared character by character only the first time its
 * hash matches (then it is marked seen). {@linkcode CoverageLedger.scan} does the same in slices
 * that yield to the event loop, so timers, timeouts and Ctrl-C run during a long prompt.
 *
 * @module
 */
import type { FileRecord } from "../loader/mod.ts";

/** Characters of a probe window of a longer file. */
export const WINDOW = 200;
/** Files shorter than this (trimmed) also need their path in the prompt. */
export const TINY = 40;
/** Files shorter than this (trimmed) need only their path in the prompt. */
export const MIN_PIECE = 6;
/** The lengths pieces are cut to (longest first); each is matched in one rolling pass. */
const LENGTHS = [WINDOW, 100, 50, 25, 12, MIN_PIECE];
/** Prime modulus of the rolling hash (below 2^26, so products stay exact in a double). */
const MODULUS = 67_108_859;
/** Characters scanned between two yields of {@linkcode CoverageLedger.scan}. */
const SLICE = 1 << 18;

/** Who a piece of text identifies: one file, or a group of files with identical text. */
interface Owner {
  paths: string[];
  /** True when a path must be in the prompt too (tiny files, identical files). */
  needsPath: boolean;
  /** Pieces that must all be seen (a short file's start and end), or any one (windows). */
  pieces: Piece[];
  all: boolean;
}

interface Piece {
  text: string;
  /** Index into {@linkcode LENGTHS}. */
  lengthIndex: number;
  /** Owners using this piece; a window with several owners identifies none of them. */
  owners: Owner[];
}

/** Tracks which files have been looked at by a sub-model. */
export class CoverageLedger {
  /** Paths looked at so far, in the order first seen. */
  readonly covered = new Set<string>();
  /** Paths that can be looked at (included, non-blank content). */
  readonly eligible: string[] = [];
  readonly #owners: Owner[] = [];
  /** Pieces by `hash * LENGTHS.length + lengthIndex`. */
  readonly #index = new Map<number, Piece[]>();
  /** A 2^23-bit filter of the index keys: most positions need no map look-up. */
  readonly #filter = new Uint8Array(1 << 20);
  readonly #base = 257 + Math.floor(Math.random() * (MODULUS - 1024));
  /** Per length, `c * base^(length-1) mod MODULUS` for every UTF-16 code unit `c`: what the
   * character leaving the window weighs (filled for the lengths in use). */
  readonly #leaving: Float64Array[] = [];
  readonly #lengthsUsed: number[] = [];
  /** Paths that need a word of the prompt to match them. */
  readonly #pathWords = new Set<string>();

  /**
   * @param codebase Path → content, as the REPL sees it.
   * @param files The snapshot's file ledger; only `included` files are eligible. When omitted,
   *   every non-blank entry is.
   */
  constructor(codebase: Record<string, string>, files?: FileRecord[]) {
    const included = files
      ? files.filter((f) => f.status === "included").map((f) => f.path)
      : Object.keys(codebase);
    const byText = new Map<string, string[]>();
    for (const path of included) {
      const text = (codebase[path] ?? "").trim();
      if (!text) continue;
      this.eligible.push(path);
      const same = byText.get(text);
      if (same) same.push(path);
      else byText.set(text, [path]);
    }
    const pieces = new Map<string, Piece>();
    const pieceOf = (text: string, lengthIndex: number, owner: Owner) => {
      let piece = pieces.get(text);
      if (!piece) {
        piece = { text, lengthIndex, owners: [] };
        pieces.set(text, piece);
      }
      if (piece.owners.at(-1) !== owner) piece.owners.push(owner);
      owner.pieces.push(piece);
    };
    for (const [text, paths] of byText) {
      const owner: Owner = {
        paths,
        needsPath: paths.length > 1 || text.length < TINY,
        pieces: [],
        all: text.length <= WINDOW,
      };
      this.#owners.push(owner);
      if (owner.needsPath) { for (const path of paths) this.#pathWords.add(path); }
      if (text.length > WINDOW) {
        for (const at of [0, 0.25, 0.5, 0.75]) {
          const start = Math.min(Math.floor(text.length * at), text.length - WINDOW);
          pieceOf(text.slice(start, start + WINDOW), 0, owner);
        }
      } else if (text.length >= MIN_PIECE) {
        const lengthIndex = LENGTHS.findIndex((length) => length <= text.length);
        const length = LENGTHS[lengthIndex];
        pieceOf(text.slice(0, length), lengthIndex, owner);
        if (length < text.length) pieceOf(text.slice(text.length - length), lengthIndex, owner);
      }
    }
    const used = new Set<number>();
    for (const piece of pieces.values()) {
      used.add(piece.lengthIndex);
      const key = this.#hash(piece.text, 0, LENGTHS[piece.lengthIndex]) * LENGTHS.length +
        piece.lengthIndex;
      const list = this.#index.get(key);
      if (list) list.push(piece);
      else this.#index.set(key, [piece]);
      this.#filter[(key >>> 3) & 0xfffff] |= 1 << (key & 7);
    }
    this.#lengthsUsed = [...used].sort((a, b) => a - b);
    for (const lengthIndex of this.#lengthsUsed) {
      const top = powMod(this.#base, LENGTHS[lengthIndex] - 1);
      const table = new Float64Array(65536);
      for (let c = 0; c < 65536; c++) table[c] = (c * top) % MODULUS;
      this.#leaving[lengthIndex] = table;
    }
  }

  /** Number of eligible files not yet looked at. */
  get remaining(): number {
    return this.eligible.length - this.covered.size;
  }

  /**
   * Finds the files whose content appears in `prompt`, without recording them.
   *
   * @returns Paths found, each once.
   */
  filesIn(prompt: string): string[] {
    const steps = this.#search(prompt);
    let step = steps.next();
    while (!step.done) step = steps.next();
    return step.value;
  }

  /**
   * {@linkcode filesIn} in slices of {@linkcode SLICE} characters with a macrotask between them,
   * so a long prompt does not hold the event loop.
   *
   * @param signal When aborted, the scan stops and returns nothing.
   */
  async scan(prompt: string, signal?: AbortSignal): Promise<string[]> {
    const steps = this.#search(prompt);
    let step = steps.next();
    while (!step.done) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (signal?.aborted) return [];
      step = steps.next();
    }
    return step.value;
  }

  /**
   * Records the files in a prompt that got an answer.
   *
   * @returns The files found in the prompt (new or not).
   */
  record(prompt: string): string[] {
    return this.#keep(this.filesIn(prompt));
  }

  /** {@linkcode record} with a sliced {@linkcode scan}. */
  async recordSliced(prompt: string, signal?: AbortSignal): Promise<string[]> {
    return this.#keep(await this.scan(prompt, signal));
  }

  #keep(files: string[]): string[] {
    for (const f of files) this.covered.add(f);
    return files;
  }

  /** Polynomial hash of `text[at, at + length)` modulo {@linkcode MODULUS}. */
  #hash(text: string, at: number, length: number): number {
    let h = 0;
    for (let i = at; i < at + length; i++) h = (h * this.#base + text.charCodeAt(i)) % MODULUS;
    return h;
  }

  /** The scan; yields between slices, returns the paths found. */
  *#search(text: string): Generator<void, string[]> {
    const prompt = withoutLineNumbers(text);
    const seen = new Set<Piece>();
    for (const lengthIndex of this.#lengthsUsed) {
      const length = LENGTHS[lengthIndex];
      if (prompt.length < length) continue;
      const last = prompt.length - length;
      let h = this.#hash(prompt, 0, length);
      for (let from = 0; from <= last; from += SLICE) {
        h = this.#slice(prompt, lengthIndex, from, Math.min(last, from + SLICE - 1), h, seen);
        if (from + SLICE <= last) yield;
      }
    }
    const found = new Set<string>();
    let words: Set<string> | undefined;
    for (const owner of this.#owners) {
      if (!this.#identified(owner, seen)) continue;
      if (!owner.needsPath) {
        found.add(owner.paths[0]);
        continue;
      }
      words ??= yield* this.#wordsIn(prompt);
      for (const path of owner.paths) if (words.has(path)) found.add(path);
    }
    return [...found];
  }

  /**
   * Looks up the windows of `length` starting at `from` ..= `to` (`h` is the hash of the one at
   * `from`); marks the pieces found in `seen` and returns the hash of the window at `to + 1`.
   */
  #slice(
    prompt: string,
    lengthIndex: number,
    from: number,
    to: number,
    h: number,
    seen: Set<Piece>,
  ): number {
    const length = LENGTHS[lengthIndex];
    const leaving = this.#leaving[lengthIndex];
    const filter = this.#filter;
    const base = this.#base;
    const kinds = LENGTHS.length;
    for (let i = from; i <= to; i++) {
      const key = h * kinds + lengthIndex;
      if (filter[(key >>> 3) & 0xfffff] & (1 << (key & 7))) this.#match(prompt, i, key, seen);
      if (i + length >= prompt.length) break;
      h -= leaving[prompt.charCodeAt(i)];
      if (h < 0) h += MODULUS;
      h = (h * base + prompt.charCodeAt(i + length)) % MODULUS;
    }
    return h;
  }

  /** Marks the pieces with index key `key` that start at `at` in `prompt`. */
  #match(prompt: string, at: number, key: number, seen: Set<Piece>): void {
    for (const piece of this.#index.get(key) ?? []) {
      if (!seen.has(piece) && prompt.startsWith(piece.text, at)) seen.add(piece);
    }
  }

  /** True when the prompt held enough of the owner's pieces (no path check). */
  #identified(owner: Owner, seen: Set<Piece>): boolean {
    if (owner.pieces.length === 0) return true; // Shorter than MIN_PIECE: the path decides.
    // A piece several owners use identifies none of them, unless it is one of several pieces
    // that must all be seen (a short file's start and end).
    const usable = (p: Piece) => seen.has(p) && (owner.all || p.owners.length === 1);
    return owner.all ? owner.pieces.every(usable) : owner.pieces.some(usable);
  }

  /** The prompt's words that are paths the ledger checks (one linear pass). */
  *#wordsIn(prompt: string): Generator<void, Set<string>> {
    const words = new Set<string>();
    let start = 0;
    for (let i = 0; i <= prompt.length; i++) {
      if (i < prompt.length && !isWordBreak(prompt.charCodeAt(i))) continue;
      if (i > start) {
        let word = prompt.slice(start, i);
        if (word.startsWith("./")) word = word.slice(2);
        if (word.endsWith(".")) word = word.slice(0, -1);
        if (this.#pathWords.has(word)) words.add(word);
      }
      start = i + 1;
      if (i % SLICE === SLICE - 1) yield;
    }
    return words;
  }
}

/** Characters that end a word when looking for paths in a prompt. */
function isWordBreak(c: number): boolean {
  return c <= 32 || c === 0x22 || c === 0x27 || c === 0x60 || c === 0x28 || c === 0x29 ||
    c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x3c || c === 0x3e ||
    c === 0x2c || c === 0x3b || c === 0x3a || c === 0x7c || c === 0x2a || c === 0x3d ||
    c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029;
}

function powMod(base: number, exponent: number): number {
  let result = 1;
  for (let i = 0; i < exponent; i++) result = (result * base) % MODULUS;
  return result;
}

/** A line prefix as the REPL's `numbered()` writes it: optional padding, the number, `| `. */
const NUMBERED_LINE = /^ *\d+\| /m;

/**
 * The prompt with `numbered()` line prefixes removed, so numbered text (and excerpts of it) is
 * recognised as the file's own; a prompt without such lines is returned as it is.
 */
export function withoutLineNumbers(prompt: string): string {
  return NUMBERED_LINE.test(prompt) ? prompt.replace(/^ *\d+\| /gm, "") : prompt;
}
