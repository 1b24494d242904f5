/**
 * How one cache entry is laid out in Deno KV, whose values are limited to 64 KiB.
 *
 * A short answer is one plain object `{ v, m, t, b }` under `["entry", key]`. A long answer
 * keeps the same header without `v`, plus `n` chunks of at most {@linkcode CHUNK_UNITS} UTF-16
 * code units under `["chunk", key, id, i]`; `id` is unique per write, so a reader never mixes
 * chunks of two writes, and `len` lets it prove the reassembled answer is whole.
 *
 * @module
 */

/**
 * Largest string slice stored in one KV value. V8 serializes a string with characters beyond
 * Latin-1 at 2 bytes per code unit, so 30,000 units stay under 60,000 bytes, leaving room for
 * the key and the serializer's framing inside KV's 65,536-byte limit.
 */
export const CHUNK_UNITS = 30_000;

/** The value stored under `["entry", key]`. */
export interface EntryHeader {
  /** The answer itself, when it fits in the header. */
  v?: string;
  /** Model id. */
  m: string;
  /** Stored at, milliseconds since the epoch. */
  t: number;
  /** UTF-8 bytes of the answer (for stats without reading chunks). */
  b: number;
  /** Number of chunks, when the answer is chunked. */
  n?: number;
  /** Write id shared by this write's chunks. */
  id?: string;
  /** Length of the whole answer in UTF-16 code units. */
  len?: number;
}

/**
 * Splits `value` into slices of at most `size` code units, never between the two halves of a
 * surrogate pair.
 *
 * @param value The text to split.
 * @param size Maximum slice length. @default CHUNK_UNITS
 * @returns The slices, in order; `slices.join("") === value`.
 */
export function splitChunks(value: string, size = CHUNK_UNITS): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < value.length) {
    let end = Math.min(start + size, value.length);
    const last = value.charCodeAt(end - 1);
    if (end < value.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    chunks.push(value.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Whether the answer (with its model id) fits inline in the header value. */
export function fitsInline(value: string, model: string): boolean {
  return value.length + model.length <= CHUNK_UNITS;
}

/**
 * Checks a value read from `["entry", key]`; anything else (a corrupt or foreign value) is
 * treated as a miss by the caller.
 */
export function isEntryHeader(value: unknown): value is EntryHeader {
  if (!value || typeof value !== "object") return false;
  const h = value as Record<string, unknown>;
  if (typeof h.m !== "string" || typeof h.t !== "number" || typeof h.b !== "number") return false;
  if (typeof h.v === "string") return true;
  return typeof h.n === "number" && typeof h.id === "string" && typeof h.len === "number";
}

/**
 * Joins chunks read back for a chunked header, or returns undefined if any is missing or
 * foreign (a write in progress or a racing clear): a miss, never a truncated answer.
 */
export function joinChunks(header: EntryHeader, chunks: unknown[]): string | undefined {
  if (chunks.length !== header.n) return undefined;
  if (!chunks.every((c) => typeof c === "string")) return undefined;
  const value = (chunks as string[]).join("");
  return value.length === header.len ? value : undefined;
}
