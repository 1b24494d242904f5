import { KvCache, kvPath, openKvCache, tryOpenKvCache } from "../../lib/cache/kv.ts";
import { findDamage } from "../../lib/cache/kv_integrity.ts";
import { DisabledCache } from "../../lib/cache/disabled.ts";
import { LOCKED_NO_CONFIG, runDeno } from "../_helpers/run_cli.ts";
import { damageExpiryIndex } from "./damage.ts";
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_helpers/assert.ts";

const OPEN_CACHE = new URL("./open_cache_process.ts", import.meta.url).pathname;

/** A cache folder holding a few entries, closed. */
async function cacheWithEntries(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  const cache = await openKvCache(dir);
  for (let i = 0; i < 5; i++) await cache.set(`k${i}`, `answer ${i}`, "m");
  cache.close();
  return dir;
}

Deno.test("openKvCache on a corrupt database warns once and returns a cache that stores nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    await Deno.writeFile(kvPath(dir), new TextEncoder().encode("not a database ".repeat(200)));
    const warnings: string[] = [];
    const cache = await openKvCache(dir, { onWarning: (m) => warnings.push(m) });
    assert(cache instanceof DisabledCache);
    await cache.set("k", "v", "m");
    assertEquals(await cache.get("k"), undefined);
    assertEquals((await cache.stats()).entries, 0);
    cache.close();
    assertEquals(warnings.length, 1);
    assertMatch(warnings[0], /cache disabled/);
    assertMatch(warnings[0], /subcalls\.kv/);
    assertMatch(warnings[0], /not a database/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openKvCache in a folder that cannot be created warns once and never throws", async () => {
  const root = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    // A regular file where a folder should be: mkdir fails even for root.
    await Deno.writeTextFile(`${root}/blocker`, "");
    const warnings: string[] = [];
    const cache = await openKvCache(`${root}/blocker/cache`, {
      onWarning: (m) => warnings.push(m),
    });
    await cache.set("k", "v", "m");
    assertEquals(await cache.get("k"), undefined);
    cache.close();
    assertEquals(warnings.length, 1);
    // The fix is another folder, not `cache clear` (which would find nothing to clear).
    assertMatch(warnings[0], /DEEPREPO_CACHE_DIR/);
    assertNotMatch(warnings[0], /cache clear/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("openKvCache on a database damaged inside warns once instead of crashing the process", async () => {
  // Deno KV's expiry sweeper panics (aborting the process) on this file; the check before
  // opening must turn it into a warning. A subprocess, so a regression fails this test only.
  const dir = await cacheWithEntries();
  try {
    await damageExpiryIndex(kvPath(dir));
    const out = await runDeno([
      "run",
      "--unstable-kv",
      "--allow-read",
      "--allow-write",
      OPEN_CACHE,
      dir,
    ]);
    assertEquals(out.code, 0, out.stderr);
    const report = JSON.parse(out.stdout);
    assertEquals(report.value, null);
    assertEquals(report.warnings.length, 1);
    assertMatch(report.warnings[0], /subcalls\.kv is damaged \(database disk image is malformed/);
    assertMatch(report.warnings[0], /deeprepo cache clear/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openKvCache without Deno KV enabled warns once how to enable it and leaves the file alone", async () => {
  const dir = await cacheWithEntries();
  try {
    const before = await Deno.readFile(kvPath(dir));
    // --no-config: no deno.json "unstable" setting, as when deeprepo runs from a URL.
    const out = await runDeno([
      "run",
      ...LOCKED_NO_CONFIG,
      "--allow-read",
      "--allow-write",
      OPEN_CACHE,
      dir,
    ]);
    assertEquals(out.code, 0, out.stderr);
    const report = JSON.parse(out.stdout);
    assertEquals(report.value, null);
    assertEquals(report.warnings.length, 1);
    assertMatch(report.warnings[0], /--unstable-kv/);
    assertNotMatch(report.warnings[0], /cache clear/);
    assertEquals(await Deno.readFile(kvPath(dir)), before);
    const cache = await openKvCache(dir);
    assertEquals((await cache.get("k3"))?.value, "answer 3");
    cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tryOpenKvCache tells a damaged file from one it cannot open", async () => {
  const root = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    await Deno.mkdir(`${root}/garbage`);
    await Deno.writeTextFile(kvPath(`${root}/garbage`), "not a database ".repeat(200));
    const garbage = await tryOpenKvCache(`${root}/garbage`);
    assertEquals(garbage.ok ? "ok" : garbage.kind, "corrupt");
    // A folder where the database file should be: nothing to repair by deleting.
    await Deno.mkdir(kvPath(`${root}/folder`), { recursive: true });
    const folder = await tryOpenKvCache(`${root}/folder`);
    assertEquals(folder.ok ? "ok" : folder.kind, "unusable");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findDamage passes sound, empty and missing files and names damage", async () => {
  const dir = await cacheWithEntries();
  try {
    const path = kvPath(dir);
    assertEquals(await findDamage(path), undefined);
    assertEquals(await findDamage(`${dir}/missing.kv`), undefined);
    await Deno.writeTextFile(`${dir}/empty.kv`, "");
    assertEquals(await findDamage(`${dir}/empty.kv`), undefined);
    await Deno.writeTextFile(`${dir}/garbage.kv`, "not a database ".repeat(200));
    assertMatch((await findDamage(`${dir}/garbage.kv`)) ?? "", /not a database/);
    await damageExpiryIndex(path);
    const damage = await findDamage(path);
    assertMatch(damage ?? "", /^database disk image is malformed: \S/);
    assert(!damage!.includes("\n"), "one line");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvCache warns once when the database fails mid-run, then stops reading and writing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_kv_" });
  try {
    const kv = await Deno.openKv(kvPath(dir));
    const warnings: string[] = [];
    const cache = new KvCache(kv, kvPath(dir), { onWarning: (m) => warnings.push(m) });
    await cache.set("k", "v", "m");
    assertEquals((await cache.get("k"))?.value, "v");
    kv.close(); // the database goes away underneath the cache
    assertEquals(await cache.get("k"), undefined);
    await cache.set("k2", "v2", "m");
    assertEquals(await cache.get("k2"), undefined);
    assertEquals(warnings.length, 1);
    assertMatch(warnings[0], /continuing without cache/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
