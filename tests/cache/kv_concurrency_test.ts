import { openKvCache } from "../../lib/cache/kv.ts";
import { expectedValue } from "./concurrent_values.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

const WRITER = new URL("./concurrent_writer.ts", import.meta.url).pathname;

Deno.test("two deeprepo processes sharing one cache both finish with whole entries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  // Enough work (~0.5 s per process) that the two processes overlap after start-up.
  const count = 150;
  try {
    const spawn = (name: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--unstable-kv",
          "--allow-read",
          "--allow-write",
          WRITER,
          dir,
          name,
          String(count),
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const outputs = await Promise.all([spawn("p1"), spawn("p2")]);
    for (const out of outputs) {
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      const report = JSON.parse(new TextDecoder().decode(out.stdout).trim());
      assertEquals(report, { warnings: [], wrong: 0 });
    }
    const cache = await openKvCache(dir);
    try {
      for (let i = 0; i < count; i++) {
        for (const key of [`p1-${i}`, `p2-${i}`, `shared-${i}`]) {
          const entry = await cache.get(key);
          assert(entry?.value === expectedValue(key), `entry ${key} is missing or wrong`);
        }
      }
      assertEquals((await cache.stats()).entries, 3 * count);
    } finally {
      cache.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
