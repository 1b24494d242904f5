/**
 * Helper process for the concurrency test: writes and reads entries in a shared cache folder.
 * Usage: deno run --allow-read --allow-write concurrent_writer.ts <dir> <name> <count>
 * Prints one JSON line: { warnings, wrong } (entries this process read back incorrectly).
 */
import { openKvCache } from "../../lib/cache/kv.ts";
import { expectedValue } from "./concurrent_values.ts";

const [dir, name, countText] = Deno.args;
const count = Number(countText);
const warnings: string[] = [];
const cache = await openKvCache(dir, { onWarning: (m) => warnings.push(m) });
let wrong = 0;
for (let i = 0; i < count; i++) {
  // Own keys, and shared keys both processes write with the same content.
  await cache.set(`${name}-${i}`, expectedValue(`${name}-${i}`), "m");
  await cache.set(`shared-${i}`, expectedValue(`shared-${i}`), "m");
  const own = await cache.get(`${name}-${i}`);
  if (own?.value !== expectedValue(`${name}-${i}`)) wrong++;
  const shared = await cache.get(`shared-${i}`);
  // A shared key may be mid-rewrite by the other process (a miss), but never wrong.
  if (shared && shared.value !== expectedValue(`shared-${i}`)) wrong++;
}
cache.close();
console.log(JSON.stringify({ warnings, wrong }));
