import { isBusyError, withBusyRetry } from "../../lib/cache/kv_retry.ts";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";

Deno.test("withBusyRetry retries while the database is locked, then succeeds", async () => {
  let calls = 0;
  const value = await withBusyRetry(() => {
    calls++;
    if (calls < 3) return Promise.reject(new Error("database is locked"));
    return Promise.resolve("done");
  }, { initialDelayMs: 1 });
  assertEquals([value, calls], ["done", 3]);
});

Deno.test("withBusyRetry rethrows other errors at once", async () => {
  let calls = 0;
  await assertRejects(
    () =>
      withBusyRetry(() => {
        calls++;
        return Promise.reject(new Error("file is not a database"));
      }, { initialDelayMs: 1 }),
    Error,
    "not a database",
  );
  assertEquals(calls, 1);
});

Deno.test("withBusyRetry gives up after the given attempts", async () => {
  let calls = 0;
  await assertRejects(
    () =>
      withBusyRetry(() => {
        calls++;
        return Promise.reject(new Error("SQLITE_BUSY: database is locked"));
      }, { attempts: 4, initialDelayMs: 1 }),
    Error,
    "locked",
  );
  assertEquals(calls, 4);
});

Deno.test("isBusyError recognises SQLite lock messages only", () => {
  assert(isBusyError(new Error("database is locked")));
  assert(isBusyError(new Error("SQLITE_BUSY")));
  assert(!isBusyError(new Error("Value too large (max 65536 bytes)")));
});
