/**
 * Secret scanning alongside reading: chunks of files go to a worker as they are read, and the
 * findings come back while the next chunks are read. Without worker support (or if the worker
 * fails to start) the same scan runs in this thread.
 *
 * @module
 */
import { InterruptedError } from "../../errors.ts";
import { type Finding, secretRules } from "./rules.ts";
import { findSecrets } from "./scan.ts";

export type { Finding } from "./rules.ts";
export { redactSecrets } from "./scan.ts";

interface Chunk {
  indices: number[];
  texts: string[];
  paths: string[];
}

/**
 * Scans files for secrets, in a worker when one can be started.
 *
 * @example
 * ```ts
 * using scanner = SecretScanner.start();
 * scanner.submit([0], ['token = "ghp_…"'], ["a.ts"]);
 * const findings = await scanner.results(); // Map: file index → findings
 * ```
 */
export class SecretScanner implements Disposable {
  #worker: Worker | undefined;
  #pending = new Map<number, { chunk: Chunk; done: Promise<Finding[][]> }>();
  #inline: Chunk[] = [];
  #nextId = 0;
  #failure: Error | undefined;
  #settlers = new Map<number, { resolve(f: Finding[][]): void; reject(e: Error): void }>();

  private constructor(worker: Worker | undefined) {
    this.#worker = worker;
    if (!worker) return;
    worker.onmessage = (event) => {
      const { id, findings, error } = event.data as {
        id: number;
        findings?: Finding[][];
        error?: string;
      };
      const settle = this.#settlers.get(id);
      this.#settlers.delete(id);
      if (findings) settle?.resolve(findings);
      else settle?.reject(new Error(error ?? "secret scan failed"));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failure = new Error(`secret scanner stopped: ${event.message}`);
      for (const settle of this.#settlers.values()) settle.reject(this.#failure);
      this.#settlers.clear();
    };
  }

  /**
   * A scanner; the worker's module loading starts at once, in parallel with the caller's work.
   * @param useWorker `false` scans in this thread (tests, or where workers are unavailable).
   */
  static start(useWorker = true): SecretScanner {
    if (!useWorker) return new SecretScanner(undefined);
    try {
      const url = new URL("./scan_worker.ts", import.meta.url);
      return new SecretScanner(new Worker(url, { type: "module" }));
    } catch {
      return new SecretScanner(undefined);
    }
  }

  /** Queues files for scanning: their indices (returned as keys), contents and paths. */
  submit(indices: number[], texts: string[], paths: string[]): void {
    if (indices.length === 0) return;
    const chunk = { indices, texts, paths };
    if (!this.#worker || this.#failure) {
      this.#inline.push(chunk);
      return;
    }
    const id = this.#nextId++;
    const done = new Promise<Finding[][]>((resolve, reject) => {
      this.#settlers.set(id, { resolve, reject });
    });
    done.catch(() => {}); // awaited in results(); a failure falls back to an inline scan there
    this.#pending.set(id, { chunk, done });
    this.#worker.postMessage({ id, texts, paths });
  }

  /**
   * Waits for every submitted chunk. A chunk the worker could not scan is scanned in this
   * thread, so every file is scanned whatever happens to the worker.
   *
   * @returns File index → its findings (files without any are absent).
   * @throws {InterruptedError} when `signal` is aborted while waiting.
   */
  async results(signal?: AbortSignal): Promise<Map<number, Finding[]>> {
    const byFile = new Map<number, Finding[]>();
    const keep = (chunk: Chunk, findings: Finding[][]) => {
      findings.forEach((f, k) => {
        if (f.length > 0) byFile.set(chunk.indices[k], f);
      });
    };
    for (const { chunk, done } of this.#pending.values()) {
      try {
        keep(chunk, await abortable(done, signal));
      } catch (error) {
        if (error instanceof InterruptedError) throw error;
        this.#inline.push(chunk);
      }
    }
    this.#pending.clear();
    if (this.#inline.length > 0) {
      const rules = secretRules();
      for (const chunk of this.#inline.splice(0)) {
        if (signal?.aborted) throw new InterruptedError();
        keep(chunk, findSecrets(chunk.texts, chunk.paths, rules));
      }
    }
    return byFile;
  }

  /** Stops the worker. */
  [Symbol.dispose](): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}

/** `promise`, or an InterruptedError as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new InterruptedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new InterruptedError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
