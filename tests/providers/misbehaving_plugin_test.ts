/**
 * Plugins that break the contract: the host's wrapper (lib/providers/client.ts) must hold the
 * line whatever the plugin does — ignore the signal, return nonsense, mark errors oddly.
 * No timing assertions: waits are recorded through the injected `sleep`.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { wrapClient } from "../../lib/providers/client.ts";
import { EnvironmentError, RunError } from "../../lib/errors.ts";
import type { RetryInfo } from "../../lib/providers/client.ts";
import type { CompletionRequest, CompletionResponse } from "../../lib/providers/types.ts";

const REQ: CompletionRequest = { messages: [{ role: "user", content: "q" }], maxTokens: 10 };
const OK: CompletionResponse = {
  text: "fine",
  toolCalls: [],
  usage: { inputTokens: 1, outputTokens: 1 },
};

/** A wrapped plugin whose `complete` is `fn`; records calls, retries and waits. */
function harness(
  fn: (req: CompletionRequest, call: number) => Promise<unknown> | unknown,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
) {
  const retries: RetryInfo[] = [];
  const waits: number[] = [];
  let calls = 0;
  const client = wrapClient({
    complete: (req) => fn(req, ++calls) as Promise<CompletionResponse>,
  }, {
    provider: "rogue",
    model: "r1",
    onRetry: (info) => retries.push(info),
    sleep: (ms) => (waits.push(ms), Promise.resolve()),
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  return { client, retries, waits, calls: () => calls };
}

const never = () => new Promise<never>(() => {});

Deno.test("a plugin that ignores the signal still times out and is retried on schedule", async () => {
  const seen: (AbortSignal | undefined)[] = [];
  const h = harness((req) => {
    seen.push(req.signal);
    return never();
  }, { timeoutMs: 20 });
  const error = await assertRejects(() => h.client.complete(REQ), RunError);
  assertEquals(error.message, "rogue r1: request timed out after 20 ms");
  assertEquals(h.calls(), 4);
  assertEquals(h.retries.map((r) => r.reason), ["timeout", "timeout", "timeout"]);
  // The default backoff: 1 s, 2 s, 4 s, each plus at most 25% jitter.
  h.waits.forEach((ms, i) => assert(ms >= 1000 * 2 ** i && ms <= 1250 * 2 ** i, `wait ${ms}`));
  // The plugin was told (its signal fired), even though it did not listen.
  assert(seen.every((s) => s?.aborted));
});

Deno.test("Ctrl-C ends a call whose plugin ignores the signal, and late text is dropped", async () => {
  const controller = new AbortController();
  const shown: string[] = [];
  let late: ((chunk: string) => void) | undefined;
  const h = harness((req) => {
    req.onText?.("before ");
    late = req.onText;
    return never();
  }, { signal: controller.signal });
  const pending = h.client.complete({ ...REQ, onText: (t) => shown.push(t) });
  const reason = new Error("interrupted");
  await Promise.resolve();
  controller.abort(reason);
  assertEquals(await assertRejects(() => pending), reason);
  late?.("after the abort");
  assertEquals(shown, ["before "]);
  assertEquals(h.retries, []);
});

Deno.test("a reply that arrives after the deadline is dropped, not used", async () => {
  let release: (r: CompletionResponse) => void = () => {};
  const h = harness(
    (_req, call) =>
      call === 1 ? new Promise((resolve) => release = resolve) : { ...OK, text: "second" },
    {
      timeoutMs: 10,
    },
  );
  const res = await h.client.complete(REQ);
  release({ ...OK, text: "too late" });
  assertEquals(res.text, "second");
  assertEquals(h.retries.map((r) => r.reason), ["timeout"]);
});

Deno.test("negative, infinite or non-numeric usage is an invalid reply, retried, then named", async () => {
  for (
    const [usage, field] of [
      [{ inputTokens: -5, outputTokens: 1 }, "usage.inputTokens"],
      [{ inputTokens: 1, outputTokens: Infinity }, "usage.outputTokens"],
      [{ inputTokens: 1, outputTokens: 1, costUsd: -0.0005 }, "usage.costUsd"],
      [{ inputTokens: 1, outputTokens: 1, cacheReadTokens: "3" }, "usage.cacheReadTokens"],
    ] as const
  ) {
    const h = harness(() => ({ ...OK, usage }));
    const error = await assertRejects(() => h.client.complete(REQ), RunError);
    assertMatch(
      error.message,
      new RegExp(
        `^rogue r1: invalid response from plugin rogue: ${field.replace(".", "\\.")} ` +
          "must be a non-negative finite number",
      ),
    );
    assertEquals(h.retries.map((r) => r.reason), Array(3).fill("invalid response"));
  }
});

Deno.test("an empty reply is retried unless its stop reason explains it", async () => {
  const empty = { text: "", toolCalls: [], usage: { inputTokens: 0, outputTokens: 0 } };
  const h = harness((_req, call) => call === 1 ? empty : OK);
  assertEquals((await h.client.complete(REQ)).text, "fine");
  assertEquals(h.retries.map((r) => r.reason), ["invalid response"]);

  const always = harness(() => empty);
  const error = await assertRejects(() => always.client.complete(REQ), RunError);
  assertMatch(error.message, /empty reply \(no text, tool calls or parts\) with stop reason/);

  for (const stopReason of ["max_tokens", "length", "refusal"]) {
    const cut = harness(() => ({ ...empty, stopReason }));
    assertEquals((await cut.client.complete(REQ)).stopReason, stopReason);
    assertEquals(cut.calls(), 1);
  }
});

Deno.test("a reply that is not an object, or has a tool call without id, is invalid", async () => {
  for (
    const [reply, field] of [
      [undefined, "the reply must be an object"],
      [{ ...OK, text: undefined }, "text must be a string"],
      [{ ...OK, toolCalls: [{ name: "x", input: {} }] }, "toolCalls[0] needs"],
      [{ ...OK, stopReason: 7 }, "stopReason must be a non-empty string"],
    ] as const
  ) {
    const h = harness(() => reply);
    const error = await assertRejects(() => h.client.complete(REQ), RunError);
    assertMatch(error.message, new RegExp(`plugin rogue: ${field.replace(/[[\]]/g, "\\$&")}`));
  }
});

Deno.test("a string status counts like a number", async () => {
  const h = harness((_req, call) => {
    if (call === 1) throw Object.assign(new Error("slow down"), { status: "429" });
    return OK;
  });
  assertEquals((await h.client.complete(REQ)).text, "fine");
  assertEquals(h.retries.map((r) => r.reason), ["status 429"]);
  const bad = harness(() => {
    throw Object.assign(new Error("nope"), { status: "400" });
  });
  const error = await assertRejects(() => bad.client.complete(REQ), RunError);
  assertEquals(error.message, "rogue r1: nope (status 400)");
  assertEquals(bad.calls(), 1);
});

Deno.test("retryable: false wins over a 500; retryable: true and retryAfterMs are honoured", async () => {
  const final = harness(() => {
    throw Object.assign(new Error("quota exhausted for the month"), {
      status: 500,
      retryable: false,
    });
  });
  const error = await assertRejects(() => final.client.complete(REQ), RunError);
  assertEquals(error.message, "rogue r1: quota exhausted for the month (status 500)");
  assertEquals([final.calls(), final.retries.length], [1, 0]);

  const marked = harness((_req, call) => {
    if (call === 1) throw { message: "model is loading", retryable: true, retryAfterMs: 5 };
    return OK;
  });
  assertEquals((await marked.client.complete(REQ)).text, "fine");
  assertEquals(marked.retries.map((r) => [r.reason, r.delayMs]), [["marked retryable", 5]]);
  assertEquals(marked.waits, [5]);
});

Deno.test("a configuration error is never retried: marked, it exits 2; plain, it fails at once", async () => {
  const marked = harness(() => {
    throw Object.assign(new Error("ACME_REGION must be eu or us, got mars"), { kind: "config" });
  });
  const error = await assertRejects(() => marked.client.complete(REQ), EnvironmentError);
  assertEquals(error.message, "rogue r1: ACME_REGION must be eu or us, got mars");
  assertEquals(marked.calls(), 1);

  for (
    const message of [
      "invalid connection string in config",
      "timeoutMs must be a positive number",
      "connection pool size must be set",
    ]
  ) {
    const plain = harness(() => {
      throw new Error(message);
    });
    const failed = await assertRejects(() => plain.client.complete(REQ), RunError);
    assertEquals(failed.message, `rogue r1: ${message}`);
    assertEquals([plain.calls(), plain.retries.length], [1, 0], message);
  }
});

Deno.test("a plugin that throws a string or throws synchronously still gets one clear error", async () => {
  const h = harness(() => {
    throw "upstream said no";
  });
  const error = await assertRejects(() => h.client.complete(REQ), RunError);
  assertEquals(error.message, "rogue r1: upstream said no");
  assertEquals(h.calls(), 1);
});
