/**
 * Helper process: opens the cache in a folder, stores and reads one entry, and prints one JSON
 * line `{ warnings, value }`. A crash of Deno KV shows as a non-zero exit instead.
 * Usage: deno run --allow-read --allow-write open_cache_process.ts <dir>
 */
import { openKvCache } from "../../lib/cache/kv.ts";

const warnings: string[] = [];
const cache = await openKvCache(Deno.args[0], { onWarning: (m) => warnings.push(m) });
await cache.set("probe", "stored", "m");
const value = (await cache.get("probe"))?.value ?? null;
cache.close();
console.log(JSON.stringify({ warnings, value }));
