import { resolveCacheDir } from "../../lib/cache/dir.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { EnvironmentError } from "../../lib/errors.ts";
import { assertEquals, assertThrows } from "../_helpers/assert.ts";

Deno.test("resolveCacheDir prefers DEEPREPO_CACHE_DIR, then XDG_CACHE_HOME, then HOME", () => {
  const all = { DEEPREPO_CACHE_DIR: "/c/dr", XDG_CACHE_HOME: "/c/xdg", HOME: "/home/ada" };
  assertEquals(resolveCacheDir(envFromRecord(all)), "/c/dr");
  assertEquals(
    resolveCacheDir(envFromRecord({ ...all, DEEPREPO_CACHE_DIR: undefined })),
    "/c/xdg/deeprepo",
  );
  assertEquals(resolveCacheDir(envFromRecord({ HOME: "/home/ada/" })), "/home/ada/.cache/deeprepo");
});

Deno.test("resolveCacheDir resolves a relative DEEPREPO_CACHE_DIR against cwd", () => {
  assertEquals(
    resolveCacheDir(envFromRecord({ DEEPREPO_CACHE_DIR: "./tmp/cache" }), "/work/project"),
    "/work/project/tmp/cache",
  );
});

Deno.test("resolveCacheDir throws EnvironmentError when no variable names a place", () => {
  assertThrows(() => resolveCacheDir(envFromRecord({})), EnvironmentError, "DEEPREPO_CACHE_DIR");
});
