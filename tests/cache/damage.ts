/**
 * Test helper: damages a cache database the way a bad disk or an interrupted copy does, in the
 * one place Deno KV reads on its own (the expiry index its background thread sweeps).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/**
 * Overwrites the first page of the `kv_expiration_ms_idx` index in the SQLite file at `path`
 * with garbage, leaving the file header and schema intact (the file still opens).
 *
 * @param path A closed Deno KV database file.
 */
export async function damageExpiryIndex(path: string): Promise<void> {
  const db = new DatabaseSync(path);
  let root: number;
  let pageSize: number;
  try {
    // Move everything out of the write-ahead log so the page on disk is the page in use.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const row = db.prepare(
      "SELECT rootpage FROM sqlite_master WHERE name = 'kv_expiration_ms_idx'",
    ).get() as { rootpage: number } | undefined;
    if (!row) throw new Error(`no expiry index in ${path}`);
    root = Number(row.rootpage);
    pageSize = Number((db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
  } finally {
    db.close();
  }
  const file = await Deno.open(path, { write: true });
  try {
    await file.seek((root - 1) * pageSize, Deno.SeekMode.Start);
    await file.write(new Uint8Array(pageSize).fill(0xa5));
  } finally {
    file.close();
  }
}
