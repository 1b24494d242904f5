import { runClear, runStats } from "../../../lib/cli/commands/cache.ts";
import { kvPath, openKvCache } from "../../../lib/cache/kv.ts";
import { EnvironmentError, UsageError } from "../../../lib/errors.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { LOCKED_NO_CONFIG, MAIN, runCliProcess, runDeno } from "../../_helpers/run_cli.ts";
import { damageExpiryIndex } from "../../cache/damage.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotMatch,
  assertRejects,
} from "../../_helpers/assert.ts";

const T0 = Date.UTC(2026, 10, 20, 8, 30, 0);
const DAY = 24 * 3600 * 1000;

/** A cache folder with entries stored 3 days, 1 day and 0 days before `base + 3 days`. */
async function seeded(base = T0): Promise<{ dir: string; now: number }> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_cachecmd_" });
  const clock = { now: base };
  const cache = await openKvCache(dir, { now: () => clock.now });
  await cache.set("a", "héllo", "minimax/minimax-m2.5"); // 6 bytes
  clock.now = base + 2 * DAY;
  await cache.set("b", "x".repeat(2000), "minimax/minimax-m2.5");
  clock.now = base + 3 * DAY;
  await cache.set("c", "abc", "openai/gpt-4o-mini");
  cache.close();
  return { dir, now: base + 3 * DAY };
}

Deno.test("cache stats prints path, entries, size, ages and entries per model", async () => {
  const { dir, now } = await seeded();
  try {
    const ctx = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    assertEquals(await runStats({ json: false }, ctx, { now: () => now }), 0);
    const text = ctx.out.join("\n");
    assertMatch(text, new RegExp(`path +${kvPath(dir).replace(/[.]/g, "\\.")}`));
    assertMatch(text, /entries +3\n/);
    assertMatch(text, /size +2\.0 KiB of answers; file /);
    assertMatch(text, /oldest +2026-11-20 08:30:00 UTC \(3 days ago\)/);
    assertMatch(text, /newest +2026-11-23 08:30:00 UTC \(just now\)/);
    assertMatch(text, /per model\n {2}minimax\/minimax-m2\.5 {2}2\n {2}openai\/gpt-4o-mini {4}1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache stats --json prints one object with snake_case fields", async () => {
  const { dir, now } = await seeded();
  try {
    const ctx = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await runStats({ json: true }, ctx, { now: () => now });
    const stats = JSON.parse(ctx.out.join("\n"));
    assertEquals(stats.path, kvPath(dir));
    assertEquals(stats.entries, 3);
    assertEquals(stats.total_bytes, 6 + 2000 + 3);
    assert(stats.file_bytes > 0);
    assertEquals(stats.oldest, "2026-11-20T08:30:00.000Z");
    assertEquals(stats.newest, "2026-11-23T08:30:00.000Z");
    assertEquals(stats.expired, 0);
    assertEquals(stats.models, { "minimax/minimax-m2.5": 2, "openai/gpt-4o-mini": 1 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache stats on a cache that does not exist reports 0 and creates nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "deeprepo_cachecmd_" });
  try {
    const ctx = capturedContext(root, { XDG_CACHE_HOME: `${root}/xdg` });
    await runStats({ json: true }, ctx);
    const stats = JSON.parse(ctx.out.join("\n"));
    assertEquals([stats.path, stats.entries, stats.oldest], [
      `${root}/xdg/deeprepo/subcalls.kv`,
      0,
      null,
    ]);
    assertEquals(await Array.fromAsync(Deno.readDir(root)), []);
    const human = capturedContext(root, { XDG_CACHE_HOME: `${root}/xdg` });
    await runStats({ json: false }, human);
    assertEquals(human.out, [
      `path     ${root}/xdg/deeprepo/subcalls.kv (not created yet)`,
      "entries  0",
      "size     0 B of answers",
    ]);
    const clear = capturedContext(root, { XDG_CACHE_HOME: `${root}/xdg` });
    await runClear({ json: false }, clear);
    assertEquals(clear.out, [`Removed 0 cache entries from ${root}/xdg/deeprepo/subcalls.kv`]);
    assertEquals(await Array.fromAsync(Deno.readDir(root)), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cache stats on a corrupt file fails with an EnvironmentError naming the fix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_cachecmd_" });
  try {
    await Deno.writeTextFile(kvPath(dir), "garbage ".repeat(100));
    const ctx = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await assertRejects(() => runStats({ json: false }, ctx), EnvironmentError, "cache clear");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache clear removes every entry and prints how many", async () => {
  const { dir } = await seeded();
  try {
    const ctx = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    assertEquals(await runClear({ json: false }, ctx), 0);
    assertEquals(ctx.out, [`Removed 3 cache entries from ${kvPath(dir)}`]);
    const again = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await runStats({ json: true }, again);
    assertEquals(JSON.parse(again.out.join("")).entries, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache clear --older-than DAYS keeps younger entries", async () => {
  const { dir, now } = await seeded();
  try {
    const ctx = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await runClear({ json: false, olderThanDays: 2 }, ctx, { now: () => now });
    assertEquals(ctx.out, [`Removed 1 cache entry older than 2 days from ${kvPath(dir)}`]);
    const after = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await runStats({ json: true }, after, { now: () => now });
    assertEquals(JSON.parse(after.out.join("")).entries, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache clear --json prints what was removed as one object", async () => {
  const { dir, now } = await seeded();
  try {
    const some = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await runClear({ json: true, olderThanDays: 2 }, some, { now: () => now });
    assertEquals(JSON.parse(some.out.join("\n")), {
      removed: 1,
      path: kvPath(dir),
      older_than_days: 2,
    });
    const all = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await runClear({ json: true }, all, { now: () => now });
    assertEquals(JSON.parse(all.out.join("\n")), { removed: 2, path: kvPath(dir) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache clear rejects a negative --older-than", async () => {
  const ctx = capturedContext("/", { DEEPREPO_CACHE_DIR: "/nonexistent/deeprepo" });
  await assertRejects(() => runClear({ json: false, olderThanDays: -1 }, ctx), UsageError);
});

Deno.test("cache clear removes a corrupt cache file so the next run can cache again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_cachecmd_" });
  try {
    await Deno.writeTextFile(kvPath(dir), "garbage ".repeat(100));
    const ctx = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    assertEquals(await runClear({ json: false }, ctx), 0);
    assertMatch(
      ctx.out.join("\n"),
      /^Removed damaged cache file .*subcalls\.kv \(.*not a database/,
    );
    const warnings: string[] = [];
    const cache = await openKvCache(dir, { onWarning: (m) => warnings.push(m) });
    await cache.set("k", "v", "m");
    assertEquals((await cache.get("k"))?.value, "v");
    cache.close();
    assertEquals(warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache stats and clear on a database damaged inside: stats names the fix, clear repairs", async () => {
  const { dir } = await seeded();
  try {
    await damageExpiryIndex(kvPath(dir));
    const stats = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    const error = await assertRejects(() => runStats({ json: false }, stats), EnvironmentError);
    assertMatch(
      error.message,
      /is damaged \(database disk image is malformed.*deeprepo cache clear/,
    );
    const clear = capturedContext(dir, { DEEPREPO_CACHE_DIR: dir });
    await runClear({ json: true }, clear);
    assertEquals(JSON.parse(clear.out.join("\n")).removed_file, true);
    const cache = await openKvCache(dir);
    await cache.set("k", "v", "m");
    assertEquals((await cache.get("k"))?.value, "v");
    cache.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache clear without Deno KV enabled exits 2 and deletes nothing", async () => {
  const { dir } = await seeded(Date.now() - 3 * DAY);
  try {
    const before = await Deno.readFile(kvPath(dir));
    const env = { DEEPREPO_CACHE_DIR: dir };
    // --no-config drops deno.json's "unstable": ["kv"], as running from a URL without the flag;
    // the lockfile keeps the child on the versions already fetched (nothing is downloaded, so
    // stderr is the one line also on a fresh machine).
    for (const command of ["clear", "stats"]) {
      const out = await runDeno(["run", ...LOCKED_NO_CONFIG, "-A", MAIN, "cache", command], {
        cwd: dir,
        env,
      });
      assertEquals(out.code, 2, out.stderr);
      assertEquals(out.stdout, "");
      assertEquals(out.stderr.trim().split("\n").length, 1, out.stderr);
      assertMatch(out.stderr, /--unstable-kv/);
      assertNotMatch(out.stderr, /cache clear/);
    }
    assertEquals(await Deno.readFile(kvPath(dir)), before);
    const stats = await runCliProcess(["cache", "stats", "--json"], { cwd: dir, env });
    assertEquals(JSON.parse(stats.stdout).entries, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deeprepo cache stats --json and cache clear work end to end", async () => {
  // The subprocess reads the real clock, so the entries are stored relative to it.
  const { dir } = await seeded(Date.now() - 3 * DAY);
  try {
    const env = { DEEPREPO_CACHE_DIR: dir };
    const stats = await runCliProcess(["cache", "stats", "--json"], { cwd: dir, env });
    assertEquals(stats.code, 0, stats.stderr);
    assertEquals(JSON.parse(stats.stdout).entries, 3);
    const clear = await runCliProcess(["cache", "clear"], { cwd: dir, env });
    assertEquals(clear.code, 0, clear.stderr);
    assertEquals(clear.stdout.trim(), `Removed 3 cache entries from ${kvPath(dir)}`);
    const again = await runCliProcess(["cache", "clear", "--json"], { cwd: dir, env });
    assertEquals(again.code, 0, again.stderr);
    assertEquals(JSON.parse(again.stdout), { removed: 0, path: kvPath(dir) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
