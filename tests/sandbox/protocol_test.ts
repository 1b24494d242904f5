import { assert, assertEquals } from "../_helpers/assert.ts";
import { type FrameEvent, readFrames, validateChildMessage } from "../../lib/sandbox/protocol.ts";

const encoder = new TextEncoder();

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((c) => encoder.encode(c)));
}

async function collect(stream: ReadableStream<Uint8Array>, nonce: string, max?: number) {
  const events: FrameEvent[] = [];
  for await (const event of readFrames(stream, nonce, max)) events.push(event);
  return events;
}

const NONCE = "0123456789abcdef0123456789abcdef";

Deno.test("readFrames yields tagged frames split across chunks and ignores untagged lines", async () => {
  const frame = `\x1e${NONCE} {"type":"ready"}\n`;
  const events = await collect(
    streamOf(["user noise\n", frame.slice(0, 10), frame.slice(10), "more noise"]),
    NONCE,
  );
  assertEquals(events.map((e) => e.kind), ["noise", "message"]);
  assertEquals(events[1], { kind: "message", message: { type: "ready" } });
});

Deno.test("readFrames treats a frame with another nonce as noise (no forgery)", async () => {
  const forged = `\x1e${"f".repeat(32)} {"type":"result","id":1,"output":"forged",` +
    `"outputChars":6,"answer":{"content":"x","ready":true}}\n`;
  const events = await collect(streamOf([forged]), NONCE);
  assertEquals(events.map((e) => e.kind), ["noise"]);
});

Deno.test("readFrames reports a violation for a tagged frame that is not valid", async () => {
  const bad = await collect(streamOf([`\x1e${NONCE} {not json\n`]), NONCE);
  assertEquals(bad.map((e) => e.kind), ["violation"]);
  const wrong = await collect(
    streamOf([`\x1e${NONCE} {"type":"llm","id":1,"prompts":[1]}\n`]),
    NONCE,
  );
  assertEquals(wrong.map((e) => e.kind), ["violation"]);
});

Deno.test("readFrames stops at the line cap without reading a 500 MB line", async () => {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let pulled = 0;
  const total = (500 * 1024 * 1024) / chunk.length;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled++ >= total) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const events = await collect(stream, NONCE, 1024 * 1024);
  assertEquals(events.map((e) => e.kind), ["violation"]);
  assert(pulled < 40, `read ${pulled} chunks after the cap`);
  await stream.cancel().catch(() => {});
});

Deno.test("validateChildMessage copies fields and never merges prototype keys", () => {
  const raw = JSON.parse(
    '{"type":"result","id":3,"output":"ok","outputChars":2,' +
      '"answer":{"content":"a","ready":false,"__proto__":{"polluted":true}},' +
      '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  );
  const message = validateChildMessage(raw);
  assertEquals(message, {
    type: "result",
    id: 3,
    output: "ok",
    outputChars: 2,
    answer: { content: "a", ready: false },
  });
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
  assertEquals(Object.getPrototypeOf(message), Object.prototype);
  assert(!Object.hasOwn(message!, "constructor"));
});

Deno.test("validateChildMessage rejects wrong types, unknown kinds and oversized requests", () => {
  assertEquals(validateChildMessage({ type: "exec", id: 1 }), undefined);
  assertEquals(validateChildMessage({ type: "llm", id: -1, prompts: ["a"] }), undefined);
  assertEquals(validateChildMessage({ type: "llm", id: 1, prompts: [] }), undefined);
  assertEquals(
    validateChildMessage({ type: "llm", id: 1, prompts: new Array(10_001).fill("a") }),
    undefined,
  );
  assertEquals(
    validateChildMessage({
      type: "result",
      id: 1,
      output: "",
      outputChars: 0,
      answer: { content: 1, ready: true },
    }),
    undefined,
  );
  assertEquals(validateChildMessage([{ type: "ready" }]), undefined);
  assertEquals(validateChildMessage({ type: "llm", id: 2, prompts: ["p"] }), {
    type: "llm",
    id: 2,
    prompts: ["p"],
  });
});
