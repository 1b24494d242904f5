/**
 * Reads the files the walk chose: size check, text decoding (invalid UTF-8 replaced), binary
 * detection, and read errors kept as values.
 *
 * Why two strategies: here a synchronous read of a cached file costs ~15 µs, while each
 * asynchronous Deno file operation adds ~30 µs (a thread-pool round trip) that concurrency does
 * not win back for cached files. When files are NOT cached (cold disk, network file system) a
 * read waits on the device, and many reads in flight hide that latency. So `auto` reads
 * synchronously, in chunks, and moves to a bounded pool of concurrent reads only while that is
 * measurably faster.
 *
 * Why batches: synchronous reads are decoded many files at a time (see `DecodeBatch`), which
 * keeps the garbage collector from copying every file's string.
 *
 * @module
 */
import { isAscii } from "node:buffer";
import { InterruptedError } from "../errors.ts";
import { EventLoopYielder } from "./yield_now.ts";

/** Files larger than this many bytes are not read (`[FILE TOO LARGE: ...]`). */
export const MAX_FILE_BYTES = 500_000;

/** A file whose first this many characters contain a NUL is binary. */
export const BINARY_PROBE_CHARS = 8_192;

/** Files of at least this many characters whose lines average over {@linkcode MINIFIED_LINE_CHARS}
 * are minified (or generated data): unreadable for a model and costly. */
export const MINIFIED_MIN_CHARS = 2_000;
/** Average line length above which a file counts as minified. */
export const MINIFIED_LINE_CHARS = 500;

/**
 * What the reader gets from the file system for one file: its size, and its bytes unless the
 * size is over the limit.
 */
export interface RawFile {
  bytes: number;
  /**
   * The content; absent when `bytes` is over the limit (the file was not read). Valid only until
   * the next read: synchronous reads share one buffer.
   */
  data?: Uint8Array;
  /** For a file over the limit: its first bytes (up to 8 KB), to tell binary from text. */
  head?: Uint8Array;
}

/** The file system calls the reader makes, replaceable in tests. Paths are absolute. */
export interface FileIo {
  /**
   * @param into Where to put the bytes: returns a buffer of exactly `size` bytes. Without it
   *   (or when an implementation ignores it) the returned `data` is wherever the reader chose.
   */
  readSync(path: string, maxBytes: number, into?: (size: number) => Uint8Array): RawFile;
  read(path: string, maxBytes: number): Promise<RawFile>;
}

/**
 * Deno's own file calls: open, `fstat` on the open file, read exactly that many bytes, close.
 * Measured ~20% faster than `lstat` + `readTextFile`, since the path is resolved once. The walk
 * already listed the path as a regular file, not a link.
 */
export const denoIo: FileIo = {
  readSync(path, maxBytes, into) {
    using file = Deno.openSync(path);
    const bytes = file.statSync().size;
    if (bytes > maxBytes) return { bytes, head: readHeadSync(file) };
    const data = into ? into(bytes) : scratch(bytes);
    let filled = 0;
    while (filled < bytes) {
      const n = file.readSync(data.subarray(filled));
      if (n === null || n === 0) break;
      filled += n;
    }
    return { bytes, data: data.subarray(0, filled) };
  },
  async read(path, maxBytes) {
    using file = await Deno.open(path);
    const bytes = (await file.stat()).size;
    if (bytes > maxBytes) return { bytes, head: readHeadSync(file) };
    const data = new Uint8Array(bytes); // reads overlap here: each needs its own buffer
    let filled = 0;
    while (filled < bytes) {
      const n = await file.read(data.subarray(filled));
      if (n === null || n === 0) break;
      filled += n;
    }
    return { bytes, data: data.subarray(0, filled) };
  },
};

/** The first bytes of an open file (up to {@linkcode BINARY_PROBE_CHARS}). */
function readHeadSync(file: Deno.FsFile): Uint8Array {
  const head = new Uint8Array(BINARY_PROBE_CHARS);
  const n = file.readSync(head) ?? 0;
  return head.subarray(0, n);
}

/**
 * One reused buffer for synchronous reads. A fresh `Uint8Array` per file made V8 count tens of
 * MB of external memory and run full garbage collections: 100 ms of a 500 ms load.
 */
let scratchBuffer = new Uint8Array(64 * 1024);

/** The scratch buffer, grown to hold `size` bytes. Valid until the next synchronous read. */
function scratch(size: number): Uint8Array {
  if (scratchBuffer.length < size) {
    scratchBuffer = new Uint8Array(Math.max(size, scratchBuffer.length * 2));
  }
  return scratchBuffer.subarray(0, size);
}

/** What reading one file produced. */
export type ReadOutcome =
  | { kind: "text"; text: string; bytes: number }
  | { kind: "too_large"; bytes: number }
  | { kind: "binary"; bytes: number }
  | { kind: "minified"; bytes: number }
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
  /**
   * Called after each chunk with its outcomes (`outcomes[start]` to `outcomes[end - 1]`), so
   * a consumer (the secret scanner) can work on them while later chunks are read.
   */
  onChunk?(start: number, end: number, outcomes: readonly ReadOutcome[]): void;
  /**
   * Milliseconds, for measuring each chunk's cost per file (tests pass a virtual clock so the
   * mode decisions do not depend on the machine's load).
   * @default {() => performance.now()}
   */
  clock?(): number;
}

/** Files per chunk: the unit of progress, of speed measurement and of mode decisions. */
const CHUNK = 256;
/**
 * A synchronous chunk slower than this per file, beyond the time its bytes explain, may be
 * waiting on a device: about 5× the cached cost, so ordinary noise does not trigger a probe.
 */
const SLOW_FILE_MS = 0.1;
/** Cached reading plus UTF-8 decoding runs well above 200 MB/s; this is the allowance per byte. */
const MS_PER_BYTE = 1 / 200_000;
/** Chunks before the mode that lost a comparison is tried again. */
const RETRY_AFTER = 16;

/** Statistics of one {@linkcode readFiles} call, for tests and benchmarks. */
export interface ReadStats {
  syncFiles: number;
  asyncFiles: number;
}

/**
 * Reads `paths` (relative to `root`, `/`-separated) and returns one outcome per path, in order.
 *
 * In `auto` mode the files are read in chunks of 256. Reading starts synchronously; a chunk that
 * is slow per file (more than 0.1 ms beyond what its bytes explain) makes the next chunk try
 * the asynchronous pool; whichever mode was faster per file continues, and the loser is tried
 * again 16 chunks later. A CPU-starved machine (slow in both modes) stays synchronous; a cold
 * disk or network file system moves to concurrent reads.
 *
 * @throws {InterruptedError} when `signal` is aborted.
 */
export async function readFiles(
  root: string,
  paths: readonly string[],
  options: ReadOptions,
  stats: ReadStats = { syncFiles: 0, asyncFiles: 0 },
): Promise<ReadOutcome[]> {
  const io = options.io ?? denoIo;
  const clock = options.clock ?? (() => performance.now());
  const adaptive = (options.mode ?? "auto") === "auto";
  const concurrency = Math.max(1, Math.floor(options.concurrency) || 1);
  const outcomes: ReadOutcome[] = new Array(paths.length);
  using yielder = new EventLoopYielder();
  const batch = new DecodeBatch();

  let mode: "sync" | "async" = options.mode === "async" ? "async" : "sync";
  let syncCost = Infinity;
  let asyncCost = Infinity;
  let probeAt = 0;
  let switchedAt = 0;
  for (let chunk = 0, next = 0; next < paths.length; chunk++) {
    throwIfAborted(options.signal);
    const end = Math.min(next + CHUNK, paths.length);
    const started = clock();
    let bytes = 0;
    if (mode === "sync") {
      for (let i = next; i < end; i++) {
        let raw: RawFile;
        try {
          raw = io.readSync(root + "/" + paths[i], MAX_FILE_BYTES, batch.reserve);
        } catch (error) {
          outcomes[i] = { kind: "error", bytes: 0, reason: describeError(error) };
          continue;
        }
        if (raw.data === undefined || raw.bytes > MAX_FILE_BYTES) {
          outcomes[i] = tooLarge(raw);
          continue;
        }
        bytes += raw.bytes;
        batch.add(i, raw.data, raw.bytes, outcomes);
        if (batch.size >= BATCH_BYTES) batch.decodeInto(outcomes);
      }
      batch.decodeInto(outcomes);
      stats.syncFiles += end - next;
    } else {
      let i = next;
      const worker = async () => {
        while (i < end) {
          throwIfAborted(options.signal);
          const index = i++;
          const outcome = await readOneAsync(io, root + "/" + paths[index]);
          outcomes[index] = outcome;
          if (outcome.kind !== "too_large") bytes += outcome.bytes;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, end - next) }, worker));
      stats.asyncFiles += end - next;
    }
    const cost = (clock() - started - bytes * MS_PER_BYTE) / (end - next);
    options.onChunk?.(next, end, outcomes);
    next = end;
    options.onProgress?.(next);

    if (adaptive && mode === "sync") {
      syncCost = cost;
      if (cost > SLOW_FILE_MS && (asyncCost < 0.8 * cost || chunk >= probeAt)) {
        mode = "async";
        switchedAt = chunk;
      }
    } else if (adaptive) {
      asyncCost = cost;
      if (asyncCost >= 0.8 * syncCost) {
        mode = "sync"; // concurrency did not help: CPU-bound, not waiting on a device
        probeAt = chunk + RETRY_AFTER;
      } else if (chunk - switchedAt >= RETRY_AFTER) {
        mode = "sync"; // the cache may have warmed up: measure again
        probeAt = chunk;
      }
    }
    if (mode === "sync" && yielder.due) await yielder.yield(); // let an interrupt in
  }
  return outcomes;
}

async function readOneAsync(io: FileIo, path: string): Promise<ReadOutcome> {
  try {
    return classify(await io.read(path, MAX_FILE_BYTES));
  } catch (error) {
    return { kind: "error", bytes: 0, reason: describeError(error) };
  }
}

/** Invalid UTF-8 becomes U+FFFD; a byte-order mark is dropped. */
const decoder = new TextDecoder("utf-8");

/** Decodes a file's bytes and tells text from binary. */
function classify(raw: RawFile): ReadOutcome {
  if (raw.data === undefined || raw.bytes > MAX_FILE_BYTES) return tooLarge(raw);
  return classifyText(decoder.decode(raw.data), raw.bytes);
}

/** A file over the size limit: `binary` when its first bytes hold a NUL, else `too_large`. */
function tooLarge({ bytes, head }: RawFile): ReadOutcome {
  return head?.includes(0) ? { kind: "binary", bytes } : { kind: "too_large", bytes };
}

/** Text; binary when a NUL appears near the start; minified when its lines are very long. */
function classifyText(text: string, bytes: number): ReadOutcome {
  const probe = text.length > BINARY_PROBE_CHARS ? text.slice(0, BINARY_PROBE_CHARS) : text;
  if (probe.includes("\0")) return { kind: "binary", bytes };
  if (isMinified(text)) return { kind: "minified", bytes };
  return { kind: "text", text, bytes };
}

/**
 * True for a text of at least {@linkcode MINIFIED_MIN_CHARS} characters whose lines average
 * over {@linkcode MINIFIED_LINE_CHARS}. Stops counting newlines as soon as there are enough
 * for a normal average, so ordinary files cost a few `indexOf` calls.
 */
export function isMinified(text: string): boolean {
  if (text.length < MINIFIED_MIN_CHARS) return false;
  const enough = Math.floor(text.length / MINIFIED_LINE_CHARS); // lines for an average ≤ 500
  let lines = 1;
  for (let i = text.indexOf("\n"); i !== -1 && lines <= enough; i = text.indexOf("\n", i + 1)) {
    lines++;
  }
  return lines <= enough ? text.length / lines > MINIFIED_LINE_CHARS : false;
}

/** Bytes collected before a batch is decoded. */
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Decodes many ASCII files with one `TextDecoder` call and hands each file a slice of the
 * result; other files are decoded one by one.
 *
 * Why: each file decoded on its own becomes a separate young-generation string that the
 * garbage collector then copies, twice, into the old generation — measured at a fifth of the
 * load time. One multi-megabyte string is allocated straight into V8's large-object space and
 * never copied; the slices share its characters.
 *
 * Slicing needs one character per byte, which only ASCII guarantees (a multi-byte character, a
 * byte-order mark or an invalid sequence changes the count, and a character could straddle two
 * files). `isAscii` (native, SIMD) sorts the files; in real repositories most files are ASCII,
 * while the others (a `©`, an arrow in a comment) are decoded on their own.
 */
class DecodeBatch {
  #buffer = new Uint8Array(BATCH_BYTES + MAX_FILE_BYTES);
  #used = 0;
  #items: { index: number; start: number; bytes: number }[] = [];

  /** Bytes waiting to be decoded. */
  get size(): number {
    return this.#used;
  }

  /**
   * Room for the next file's `size` bytes, so the reader can read straight into the batch
   * (a bound function: it is handed to `FileIo.readSync`).
   */
  readonly reserve = (size: number): Uint8Array => {
    if (this.#used + size > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#used + size));
      grown.set(this.#buffer.subarray(0, this.#used));
      this.#buffer = grown;
    }
    return this.#buffer.subarray(this.#used, this.#used + size);
  };

  /**
   * Adds one file's content (copied, unless it was read into `reserve`'s buffer). A file that
   * is not ASCII is decoded at once into `outcomes[index]` instead.
   */
  add(index: number, data: Uint8Array, bytes: number, outcomes: ReadOutcome[]): void {
    if (!isAscii(data)) {
      outcomes[index] = classifyText(decoder.decode(data), bytes);
      return;
    }
    const inPlace = data.buffer === this.#buffer.buffer && data.byteOffset === this.#used;
    if (!inPlace) this.reserve(data.length).set(data);
    this.#items.push({ index, start: this.#used, bytes });
    this.#used += data.length;
  }

  /** Decodes everything added and stores each file's outcome. */
  decodeInto(outcomes: ReadOutcome[]): void {
    const items = this.#items;
    if (items.length === 0) return;
    const total = this.#used;
    const all = decoder.decode(this.#buffer.subarray(0, total));
    for (let k = 0; k < items.length; k++) {
      const { index, start, bytes } = items[k];
      const end = k + 1 < items.length ? items[k + 1].start : total;
      const text = all.length === total // always, for ASCII; a safety net all the same
        ? all.slice(start, end)
        : decoder.decode(this.#buffer.subarray(start, end));
      outcomes[index] = classifyText(text, bytes);
    }
    this.#items = [];
    this.#used = 0;
  }
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
