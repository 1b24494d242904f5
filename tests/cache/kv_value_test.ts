import {
  CHUNK_UNITS,
  type EntryHeader,
  fitsInline,
  isEntryHeader,
  joinChunks,
  splitChunks,
} from "../../lib/cache/kv_value.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

Deno.test("splitChunks keeps every slice within the size and rejoins exactly", () => {
  const text = "abcdefghij".repeat(7);
  const chunks = splitChunks(text, 8);
  assert(chunks.every((c) => c.length <= 8));
  assertEquals(chunks.join(""), text);
  assertEquals(splitChunks("", 8), []);
});

Deno.test("splitChunks never cuts a surrogate pair in half", () => {
  const text = "ab😀cd😀".repeat(20); // 😀 is two UTF-16 units
  for (const size of [2, 3, 4, 5]) {
    const chunks = splitChunks(text, size);
    assertEquals(chunks.join(""), text);
    for (const chunk of chunks) {
      const last = chunk.charCodeAt(chunk.length - 1);
      assert(!(last >= 0xd800 && last <= 0xdbff), `chunk ends in a high surrogate: ${size}`);
    }
  }
});

Deno.test("a chunk of two-byte text stays under KV's 64 KiB value limit", async () => {
  const [chunk] = splitChunks("é€".repeat(CHUNK_UNITS), CHUNK_UNITS);
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["chunk"], chunk); // throws "Value too large" over 65,536 bytes
    assertEquals((await kv.get(["chunk"])).value, chunk);
  } finally {
    kv.close();
  }
});

Deno.test("fitsInline is false once value plus model exceed one chunk", () => {
  assert(fitsInline("x".repeat(CHUNK_UNITS - 5), "model"));
  assert(!fitsInline("x".repeat(CHUNK_UNITS - 4), "model"));
});

Deno.test("isEntryHeader accepts inline and chunked headers only", () => {
  assert(isEntryHeader({ v: "a", m: "m", t: 1, b: 1 }));
  assert(isEntryHeader({ m: "m", t: 1, b: 1, n: 2, id: "x", len: 10 }));
  assert(!isEntryHeader({ m: "m", t: 1, b: 1 }));
  assert(!isEntryHeader({ v: "a", m: "m", t: "1", b: 1 }));
  assert(!isEntryHeader("a string"));
  assert(!isEntryHeader(null));
});

Deno.test("joinChunks refuses missing, foreign or short chunks", () => {
  const header: EntryHeader = { m: "m", t: 1, b: 6, n: 2, id: "x", len: 6 };
  assertEquals(joinChunks(header, ["abc", "def"]), "abcdef");
  assertEquals(joinChunks(header, ["abc"]), undefined);
  assertEquals(joinChunks(header, ["abc", 7]), undefined);
  assertEquals(joinChunks(header, ["abc", "de"]), undefined);
});
