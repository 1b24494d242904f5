import { assertEquals, assertRejects } from "../_helpers/assert.ts";
import {
  backoffDelay,
  classifyError,
  MAX_RETRY_AFTER_MS,
  withRetries,
} from "../../lib/providers/retry.ts";

class HttpError extends Error {
  constructor(readonly status: number, readonly headers?: Headers | Record<string, string>) {
    super(`${status} failed`);
  }
}

function recorder() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

Deno.test("backoffDelay doubles from 1 s, adds up to 25% jitter and stops at 30 s", () => {
  assertEquals([1, 2, 3, 4].map((n) => backoffDelay(n, undefined, () => 0)), [
    1000,
    2000,
    4000,
    8000,
  ]);
  assertEquals(backoffDelay(1, undefined, () => 0.999), 1250);
  assertEquals(backoffDelay(6, undefined, () => 0), 30000);
  assertEquals(backoffDelay(5, undefined, () => 0.5), 18000);
  assertEquals(backoffDelay(6, undefined, () => 0.999), 30000);
});

Deno.test("classifyError retries 408, 409, 429 and 5xx but not other statuses", () => {
  const retryable = [408, 409, 429, 500, 502, 503, 529].map((s) =>
    classifyError(new HttpError(s)).retryable
  );
  assertEquals(retryable, [true, true, true, true, true, true, true]);
  const final = [400, 401, 403, 404, 422].map((s) => classifyError(new HttpError(s)).retryable);
  assertEquals(final, [false, false, false, false, false]);
});

Deno.test("classifyError reads retry-after-ms, Retry-After seconds and dates", () => {
  assertEquals(classifyError(new HttpError(429, { "retry-after-ms": "250" })).retryAfterMs, 250);
  assertEquals(
    classifyError(new HttpError(429, new Headers({ "retry-after": "2" }))).retryAfterMs,
    2000,
  );
  assertEquals(
    classifyError(new HttpError(503, { "retry-after": "9999" })).retryAfterMs,
    MAX_RETRY_AFTER_MS,
  );
  const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
  const fromDate = classifyError(new HttpError(503, { "retry-after": inFiveSeconds }))
    .retryAfterMs!;
  assertEquals(fromDate > 3_000 && fromDate <= 5_000, true);
});

Deno.test("classifyError treats timeouts and connection failures as retryable", () => {
  const timeout = Object.assign(new Error("Request timed out."), {
    name: "APIConnectionTimeoutError",
  });
  assertEquals([classifyError(timeout).retryable, classifyError(timeout).reason], [
    true,
    "timeout",
  ]);
  const refused = new TypeError("error sending request for url: Connection refused");
  assertEquals(classifyError(refused).reason, "connection error");
  assertEquals(classifyError(new SyntaxError("Unexpected token")).retryable, false);
});

Deno.test("withRetries waits as the server asks, else backs off, and reports each retry", async () => {
  const { waits, sleep } = recorder();
  const reports: string[] = [];
  let calls = 0;
  const result = await withRetries(() => {
    calls++;
    if (calls === 1) throw new HttpError(429, { "retry-after": "3" });
    if (calls === 2) throw new HttpError(500);
    return Promise.resolve("ok");
  }, {
    sleep,
    random: () => 0,
    onRetry: (attempt, delay, reason) => reports.push(`${attempt} ${delay} ${reason}`),
  });
  assertEquals(result, "ok");
  assertEquals(waits, [3000, 2000]);
  assertEquals(reports, ["1 3000 status 429", "2 2000 status 500"]);
});

Deno.test("withRetries gives up after 3 retries and rethrows the last failure", async () => {
  const { waits, sleep } = recorder();
  let calls = 0;
  const error = await assertRejects(
    () =>
      withRetries(() => {
        calls++;
        throw new HttpError(503);
      }, { sleep, random: () => 0 }),
    HttpError,
  );
  assertEquals(error.status, 503);
  assertEquals(calls, 4);
  assertEquals(waits, [1000, 2000, 4000]);
});

Deno.test("withRetries fails at once on a non-retryable error", async () => {
  const { waits, sleep } = recorder();
  let calls = 0;
  await assertRejects(
    () =>
      withRetries(() => {
        calls++;
        throw new HttpError(401);
      }, { sleep }),
    HttpError,
  );
  assertEquals([calls, waits.length], [1, 0]);
});

Deno.test("withRetries stops when the signal aborts during a wait", async () => {
  const controller = new AbortController();
  let calls = 0;
  await assertRejects(() =>
    withRetries(() => {
      calls++;
      throw new HttpError(500);
    }, {
      signal: controller.signal,
      sleep: () => (controller.abort(), Promise.resolve()),
    })
  );
  assertEquals(calls, 1);
});

Deno.test("withRetries adds jitter to its own backoff but not to a server-requested wait", async () => {
  const { waits, sleep } = recorder();
  let calls = 0;
  await withRetries(() => {
    calls++;
    if (calls === 1) throw new HttpError(500);
    if (calls === 2) throw new HttpError(429, { "retry-after-ms": "700" });
    if (calls === 3) throw new HttpError(502);
    return Promise.resolve("ok");
  }, { sleep, random: () => 0.5 });
  // 1000 * 1.125, then exactly what the server asked, then 4000 * 1.125 (third retry).
  assertEquals(waits, [1125, 700, 4500]);
});

Deno.test("withRetries never waits longer than the cap, whatever the base", async () => {
  const { waits, sleep } = recorder();
  await assertRejects(() =>
    withRetries(() => Promise.reject(new HttpError(500)), {
      sleep,
      random: () => 0.999,
      baseMs: 20_000,
      capMs: 30_000,
    })
  );
  assertEquals(waits, [24_995, 30_000, 30_000]);
});

Deno.test("classifyError: plugin marks win, statuses may be numeric strings, words never count", () => {
  assertEquals(classifyError({ status: "503" }).reason, "status 503");
  assertEquals(classifyError({ status: "soon" }).retryable, false);
  assertEquals(classifyError({ status: 503, retryable: false }).retryable, false);
  assertEquals(classifyError({ status: 400, retryable: true }).retryable, true);
  assertEquals(classifyError({ retryable: true, retryAfterMs: 99_999 }).retryAfterMs, 60_000);
  const config = classifyError({ kind: "config", status: 503, message: "bad region" });
  assertEquals([config.retryable, config.config], [false, true]);
  for (const words of ["invalid connection string in config", "timeout must be positive"]) {
    assertEquals(classifyError(new Error(words)).retryable, false, words);
  }
});

Deno.test("classifyError: error classes and codes, not messages, mark timeouts and network failures", () => {
  // The openai SDK leaves `name` as "Error"; its class name tells.
  class APIConnectionTimeoutError extends Error {}
  assertEquals(
    classifyError(new APIConnectionTimeoutError("Request timed out.")).reason,
    "timeout",
  );
  const reset = new Error("socket closed", {
    cause: Object.assign(new Error("x"), { code: "ECONNRESET" }),
  });
  assertEquals(classifyError(reset).reason, "connection error");
  assertEquals(
    classifyError(new DOMException("signal timed out", "TimeoutError")).reason,
    "timeout",
  );
  // Anthropic's documented body types, for a status-less SDK error raised mid-stream.
  const overloaded = {
    error: { type: "error", error: { type: "overloaded_error", message: "busy" } },
  };
  assertEquals([classifyError(overloaded).retryable, classifyError(overloaded).reason], [
    true,
    "overloaded_error",
  ]);
  assertEquals(classifyError(overloaded).message, "busy");
});
