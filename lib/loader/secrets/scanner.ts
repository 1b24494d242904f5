/**
 * Secret scanning alongside reading: each chunk of files is scanned right after it is read,
 * while its text is still in the processor's caches.
 *
 * Why not a worker thread: handing the texts to a worker copies them (structured clone: about
 * 100 ms of the main thread's time for 7 MB, more than the scan itself, ~55 ms, once triggers
 * skip the rules a chunk cannot match).
 *
 * @module
 */
import { type Finding, type SecretRule, secretRules } from "./rules.ts";
import { findSecrets } from "./scan.ts";

export type { Finding } from "./rules.ts";
export { redactSecrets } from "./scan.ts";

/**
 * Collects the secrets of the files it is shown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const scanner = new SecretScanner();
 * scanner.submit([4], ["nothing secret here"], ["a.ts"]);
 * assert.equal(scanner.results().size, 0); // file index → findings, when any
 * ```
 */
export class SecretScanner {
  readonly #rules: readonly SecretRule[];
  readonly #byFile = new Map<number, Finding[]>();

  constructor(rules: readonly SecretRule[] = secretRules()) {
    this.#rules = rules;
  }

  /** Scans files now: their indices (the keys of the results), contents and paths. */
  submit(indices: readonly number[], texts: readonly string[], paths: readonly string[]): void {
    if (indices.length === 0) return;
    findSecrets(texts, paths, this.#rules).forEach((found, k) => {
      if (found.length > 0) this.#byFile.set(indices[k], found);
    });
  }

  /** File index → its findings (files without any are absent). */
  results(): Map<number, Finding[]> {
    return this.#byFile;
  }
}
