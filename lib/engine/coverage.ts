/**
 * The coverage ledger: which files' contents reached a sub-model prompt.
 *
 * Rule: a file counts as looked at when a sub-model prompt that got an answer (fresh or from
 * the cache) contains a recognisable piece of its content:
 * - files of up to {@linkcode WINDOW} characters (after trimming): the whole trimmed content,
 *   and for files under {@linkcode TINY} characters also the file's path (a few characters of
 *   code are too common to identify a file on their own);
 * - longer files: any one of four {@linkcode WINDOW}-character windows taken at 0, ¼, ½ and ¾
 *   of the content. So a prompt with the whole file, its head (`content.slice(0, 8000)`) or a
 *   large excerpt counts; a prompt that only names the path does not.
 * A window shared by several files (a license header, a generated preamble) identifies none of
 * them and is dropped. Files whose `codebase` entry is a placeholder (too large, read error) or
 * blank never count.
 *
 * Scanning is linear in the prompt's length: every probe is indexed by a rolling hash of its
 * first {@linkcode KEY} characters, and each prompt position is looked up once.
 *
 * @module
 */
import type { FileRecord } from "../loader/mod.ts";

/** Characters of a probe window. */
export const WINDOW = 200;
/** Files shorter than this (trimmed) also need their path in the prompt. */
export const TINY = 40;
/** Index key length. */
const KEY = 32;
/** Base of the rolling hash over {@linkcode KEY} characters (arithmetic mod 2^32). */
const BASE = 0x01000193;
/** BASE^(KEY-1) mod 2^32: the weight of the character leaving the window. */
const TOP = (() => {
  let p = 1;
  for (let i = 0; i < KEY - 1; i++) p = Math.imul(p, BASE);
  return p;
})();

/** Hash of `text[at, at + KEY)`, the same value the rolling update produces. */
function hashAt(text: string, at: number): number {
  let h = 0;
  for (let i = at; i < at + KEY; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

interface Probe {
  path: string;
  text: string;
  needsPath: boolean;
}

/** Tracks which files have been looked at by a sub-model. */
export class CoverageLedger {
  /** Paths looked at so far, in the order first seen. */
  readonly covered = new Set<string>();
  /** Paths that can be looked at (included, non-blank content). */
  readonly eligible: string[] = [];
  /** Probes by the rolling hash of their first {@linkcode KEY} characters. */
  #index = new Map<number, Probe[]>();
  #short: Probe[] = [];

  /**
   * @param codebase Path → content, as the REPL sees it.
   * @param files The snapshot's file ledger; only `included` files are eligible. When omitted,
   *   every non-blank entry is.
   */
  constructor(codebase: Record<string, string>, files?: FileRecord[]) {
    const included = files
      ? files.filter((f) => f.status === "included").map((f) => f.path)
      : Object.keys(codebase);
    const byText = new Map<string, Probe | null>();
    const add = (p: Probe) => {
      const seen = byText.get(p.text);
      if (seen === undefined) byText.set(p.text, p);
      else if (seen && seen.path !== p.path) byText.set(p.text, null); // shared: not a fingerprint
    };
    for (const path of included) {
      const text = (codebase[path] ?? "").trim();
      if (!text) continue;
      this.eligible.push(path);
      if (text.length <= WINDOW) {
        add({ path, text, needsPath: text.length < TINY });
      } else {
        for (const at of [0, 0.25, 0.5, 0.75]) {
          const start = Math.min(Math.floor(text.length * at), text.length - WINDOW);
          add({ path, text: text.slice(start, start + WINDOW), needsPath: false });
        }
      }
    }
    for (const p of byText.values()) if (p) this.#addProbe(p);
  }

  #addProbe(p: Probe): void {
    if (p.text.length < KEY) {
      this.#short.push(p);
      return;
    }
    const key = hashAt(p.text, 0);
    const list = this.#index.get(key);
    if (list) list.push(p);
    else this.#index.set(key, [p]);
  }

  /** Number of eligible files not yet looked at. */
  get remaining(): number {
    return this.eligible.length - this.covered.size;
  }

  /**
   * Finds the files whose content appears in `prompt`, without recording them.
   *
   * @returns Paths found, each once, in order of first appearance.
   */
  filesIn(prompt: string): string[] {
    const found = new Set<string>();
    const hit = (p: Probe) => {
      if (found.has(p.path)) return;
      if (p.needsPath && !prompt.includes(p.path)) return;
      found.add(p.path);
    };
    if (this.#index.size > 0 && prompt.length >= KEY) {
      // One pass with a rolling hash: no string is made per position; a hash hit is confirmed
      // by comparing the text.
      let h = hashAt(prompt, 0);
      for (let i = 0;; i++) {
        const list = this.#index.get(h);
        if (list) {
          for (const p of list) {
            if (!found.has(p.path) && prompt.startsWith(p.text, i)) hit(p);
          }
        }
        if (i + KEY >= prompt.length) break;
        h = (Math.imul(h - Math.imul(prompt.charCodeAt(i), TOP), BASE) +
          prompt.charCodeAt(i + KEY)) | 0;
      }
    }
    for (const p of this.#short) if (!found.has(p.path) && prompt.includes(p.text)) hit(p);
    return [...found];
  }

  /**
   * Records the files in a prompt that got an answer.
   *
   * @returns The files found in the prompt (new or not).
   */
  record(prompt: string): string[] {
    const files = this.filesIn(prompt);
    for (const f of files) this.covered.add(f);
    return files;
  }
}
