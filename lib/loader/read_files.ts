/**
 * Reads the files the walk chose: size check, text decoding (invalid UTF-8 replaced), binary
 * detection, and read errors kept as values.
 *
 * Why two strategies: on this project's machines a synchronous read of a file in the page cache
 * costs ~15 µs, while each asynchronous Deno file operation costs ~30 µs more (a thread-pool
 * round trip) and concurrency does not win it back for cached files. When the files are NOT in
 * the cache (cold disk, network file system) a read waits on the device, and issuing many reads
 * at once is what hides that latency. So `auto` starts synchronously, in chunks, and switches to
 * a bounded pool of concurrent asynchronous reads as soon as a chunk shows device-bound
 * latency.
 *
 * @module
 */
import { InterruptedError } from "../errors.ts";
import { EventLoopYielder } from "./yield_now.ts";

/** Files larger than this many bytes are not read (`[FILE TOO LARGE: ...]`). */
export const MAX_FILE_BYTES = 500_000;

/** A file whose first this many characters contain a NUL is binary. */
export const BINARY_PROBE_CHARS = 8_192;

/** The file system calls the reader makes, replaceable in tests. Paths are absolute. */
export interface FileIo {
  sizeSync(path: string): number;
  readTextSync(path: string): string;
  size(path: string): Promise<number>;
  readText(path: string): Promise<string>;
}

/** Deno's own file system calls. Sizes come from `lstat`: links are never followed. */
export const denoIo: FileIo = {
  sizeSync: (path) => Deno.lstatSync(path).size,
  readTextSync: (path) => Deno.readTextFileSync(path),
  size: async (path) => (await Deno.lstat(path)).size,
  readText: (path) => Deno.readTextFile(path),
};

/** What reading one file produced. */
export type ReadOutcome =
  | { kind: "text"; text: string; bytes: number }
  | { kind: "too_large"; bytes: number }
  | { kind: "binary"; bytes: number }
  | { kind: "error"; bytes: number; reason: string };

/** How `readFiles` reads. */
export type ReadMode = "auto" | "sync" | "async";

/** Options of {@linkcode readFiles}. */
export interface ReadOptions {
  /** Most asynchronous reads in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
  /** @default {"auto"} */
  mode?: ReadMode;
  /** @default {denoIo} */
  io?: FileIo;
  /** Called after each chunk with the number of files read so far. */
  onProgress?(done: number): void;
}

/** Files read synchronously between two event-loop turns (and between two speed checks). */
const CHUNK = 256;
/**
 * A synchronous chunk slower than this per file, beyond the time its bytes explain, means the
 * reads wait on a device: about 5× the cached cost, so scheduling noise does not trigger it.
 */
const SLOW_FILE_MS = 0.1;
/** Cached reading plus UTF-8 decoding runs well above 200 MB/s; this is the allowance per byte. */
const MS_PER_BYTE = 1 / 200_000;

/**
 * Reads `paths` (relative to `root`, `/`-separated) and returns one outcome per path, in order.
 *
 * @throws {InterruptedError} when `signal` is aborted.
 */
export async function readFiles(
  root: string,
  paths: readonly string[],
  options: ReadOptions,
): Promise<ReadOutcome[]> {
  const io = options.io ?? denoIo;
  const mode = options.mode ?? "auto";
  const outcomes: ReadOutcome[] = new Array(paths.length);
  let next = 0;

  if (mode !== "async") {
    using yielder = new EventLoopYielder();
    while (next < paths.length) {
      throwIfAborted(options.signal);
      const end = Math.min(next + CHUNK, paths.length);
      const started = performance.now();
      let bytes = 0;
      for (let i = next; i < end; i++) {
        const outcome = readOneSync(io, root + "/" + paths[i]);
        outcomes[i] = outcome;
        bytes += outcome.kind === "too_large" ? 0 : outcome.bytes;
      }
      const elapsed = performance.now() - started;
      const count = end - next;
      next = end;
      options.onProgress?.(next);
      if (mode === "auto" && elapsed - bytes * MS_PER_BYTE > count * SLOW_FILE_MS) break;
      await yielder.yield();
    }
  }

  const start = next;
  let done = start;
  const worker = async () => {
    while (next < paths.length) {
      throwIfAborted(options.signal);
      const i = next++;
      outcomes[i] = await readOneAsync(io, root + "/" + paths[i]);
      if (++done % CHUNK === 0) options.onProgress?.(done);
    }
  };
  if (start < paths.length) {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    options.onProgress?.(paths.length);
  }
  return outcomes;
}

function readOneSync(io: FileIo, path: string): ReadOutcome {
  let bytes = 0;
  try {
    bytes = io.sizeSync(path);
    if (bytes > MAX_FILE_BYTES) return { kind: "too_large", bytes };
    return classify(io.readTextSync(path), bytes);
  } catch (error) {
    return { kind: "error", bytes, reason: describeError(error) };
  }
}

async function readOneAsync(io: FileIo, path: string): Promise<ReadOutcome> {
  let bytes = 0;
  try {
    bytes = await io.size(path);
    if (bytes > MAX_FILE_BYTES) return { kind: "too_large", bytes };
    return classify(await io.readText(path), bytes);
  } catch (error) {
    return { kind: "error", bytes, reason: describeError(error) };
  }
}

/** Drops a byte-order mark and tells text from binary (a NUL near the start). */
function classify(text: string, bytes: number): ReadOutcome {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const probe = text.length > BINARY_PROBE_CHARS ? text.slice(0, BINARY_PROBE_CHARS) : text;
  if (probe.includes("\0")) return { kind: "binary", bytes };
  return { kind: "text", text, bytes };
}

/**
 * An OS error as a short reason: `Permission denied (os error 13): readfile '/tmp/x'` becomes
 * `Permission denied` (the path is the file's own and would only leak the temp folder).
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const short = message.replace(/\s*\(os error \d+\)/, "").replace(/:\s*[\w ]+ '.*'$/s, "");
  return short.trim() || (error instanceof Error ? error.name : "unknown error");
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}
