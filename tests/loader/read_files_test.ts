import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { InterruptedError } from "../../lib/errors.ts";
import {
  describeError,
  type FileIo,
  readFiles,
  type ReadStats,
} from "../../lib/loader/read_files.ts";

const text = new TextEncoder().encode("export const x = 1;\n");
const paths = Array.from({ length: 2_000 }, (_, i) => `f${i}.ts`);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread like a read waiting on a device would. */
function blockFor(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** A fake file system whose sync and async reads cost what the test says (ms per file). */
function fakeIo(syncMs: number, asyncMs: number): FileIo {
  return {
    readSync: () => {
      if (syncMs > 0) blockFor(syncMs);
      return { bytes: text.length, data: text };
    },
    read: async () => {
      if (asyncMs > 0) await new Promise((resolve) => setTimeout(resolve, asyncMs));
      return { bytes: text.length, data: text };
    },
  };
}

/**
 * A fake file system on a virtual clock: each synchronous read costs `syncMs`, each
 * asynchronous read `asyncMs` of the clock — for reads that wait on a device with N in flight,
 * that is the wait divided by N. The mode decisions are then the same on any machine, however
 * loaded (that the pool really overlaps reads is tested on its own below).
 */
function virtualIo(syncMs: number, asyncMs: number): { io: FileIo; clock: () => number } {
  let now = 0;
  return {
    io: {
      readSync: () => {
        now += syncMs;
        return { bytes: text.length, data: text };
      },
      read: () => {
        now += asyncMs;
        return Promise.resolve({ bytes: text.length, data: text });
      },
    },
    clock: () => now,
  };
}

Deno.test("readFiles stays synchronous when files come from the cache", async () => {
  const stats: ReadStats = { syncFiles: 0, asyncFiles: 0 };
  const { io, clock } = virtualIo(0.015, 0.045); // cached: ~15 µs a read, async adds ~30 µs
  const out = await readFiles("/r", paths, { concurrency: 32, io, clock }, stats);
  assertEquals(out.length, paths.length);
  assert(out.every((o) => o.kind === "text" && o.text === "export const x = 1;\n"));
  assertEquals(stats, { syncFiles: paths.length, asyncFiles: 0 });
});

Deno.test("readFiles moves to concurrent reads when each read waits on a device", async () => {
  // 0.5 ms per synchronous read; asynchronous reads wait 2 ms each, but 32 wait at once.
  const stats: ReadStats = { syncFiles: 0, asyncFiles: 0 };
  const { io, clock } = virtualIo(0.5, 2 / 32);
  const out = await readFiles("/r", paths, { concurrency: 32, io, clock }, stats);
  assertEquals(out.length, paths.length);
  assert(out.every((o) => o.kind === "text"));
  // The first chunk is synchronous; from then on the pool, with a synchronous re-check every
  // 16 chunks.
  assertEquals(stats, { syncFiles: 256, asyncFiles: paths.length - 256 });
});

Deno.test("readFiles goes back to synchronous reads when concurrency does not help", async () => {
  // Asynchronous reads cost as much as synchronous ones (CPU-bound work): one probe, then
  // synchronous.
  const stats: ReadStats = { syncFiles: 0, asyncFiles: 0 };
  const { io, clock } = virtualIo(0.3, 0.3);
  await readFiles("/r", paths, { concurrency: 8, io, clock }, stats);
  assertEquals(stats, { syncFiles: paths.length - 256, asyncFiles: 256 });
});

Deno.test("readFiles probes the pool again after 16 chunks, and follows the faster mode", async () => {
  const many = Array.from({ length: 256 * 40 }, (_, i) => `g${i}.ts`);
  const stats: ReadStats = { syncFiles: 0, asyncFiles: 0 };
  const { io, clock } = virtualIo(0.3, 0.3);
  await readFiles("/r", many, { concurrency: 8, io, clock }, stats);
  // Probes at chunks 0, 17 and 34 (each one chunk of the pool), synchronous otherwise.
  assertEquals(stats, { syncFiles: many.length - 3 * 256, asyncFiles: 3 * 256 });
});

Deno.test("readFiles honours the mode it is given", async () => {
  const stats: ReadStats = { syncFiles: 0, asyncFiles: 0 };
  await readFiles(
    "/r",
    paths.slice(0, 300),
    { concurrency: 4, io: fakeIo(0, 0), mode: "async" },
    stats,
  );
  assertEquals(stats, { syncFiles: 0, asyncFiles: 300 });
});

Deno.test("readFiles classifies too large, binary and invalid UTF-8 content", async () => {
  const files: Record<string, Uint8Array | number> = {
    "/r/big.ts": 500_001,
    "/r/limit.ts": new Uint8Array(500_000).map((_, i) => i % 80 === 79 ? 0x0a : 0x61),
    "/r/bin.ts": new Uint8Array([0x61, 0x00, 0x62]),
    "/r/late_nul.ts": new Uint8Array([
      ...new Uint8Array(9_000).map((_, i) => i % 80 === 79 ? 0x0a : 0x61),
      0x00,
    ]),
    "/r/bad.ts": new Uint8Array([0x61, 0xff, 0x62]),
    "/r/bundle.js": new TextEncoder().encode(`${"x".repeat(3_000)}\n${"y".repeat(3_000)}\n`),
    "/r/lines.js": new TextEncoder().encode("z".repeat(400).concat("\n").repeat(20)),
  };
  const io: FileIo = {
    readSync: (path, max) => {
      const f = files[path];
      if (typeof f === "number") {
        return f > max ? { bytes: f, head: new Uint8Array(64).fill(0x61) } : {
          bytes: f,
          data: new Uint8Array(f),
        };
      }
      return { bytes: f.length, data: f };
    },
    read: (path, max) => Promise.resolve(io.readSync(path, max)),
  };
  const names = ["big.ts", "limit.ts", "bin.ts", "late_nul.ts", "bad.ts", "bundle.js", "lines.js"];
  const out = await readFiles("/r", names, { concurrency: 2, io });
  assertEquals(out[0], { kind: "too_large", bytes: 500_001 });
  assertEquals(out[1].kind, "text");
  assertEquals(out[2], { kind: "binary", bytes: 3 });
  assertEquals(out[3].kind, "text", "a NUL after the first 8 KB does not make a file binary");
  assertEquals(out[4], { kind: "text", text: "a\uFFFDb", bytes: 3 });
  assertEquals(out[5], { kind: "minified", bytes: 6_002 }, "lines of 3,000 characters");
  assertEquals(out[6].kind, "text", "lines of 400 characters are ordinary");
});

Deno.test("readFiles throws InterruptedError when aborted mid-way", async () => {
  const controller = new AbortController();
  const io = fakeIo(0, 0);
  let reads = 0;
  const counting: FileIo = {
    ...io,
    readSync: (path, max) => {
      if (++reads === 300) controller.abort();
      return io.readSync(path, max);
    },
  };
  await assertRejects(
    () =>
      readFiles("/r", paths, {
        concurrency: 4,
        io: counting,
        signal: controller.signal,
        mode: "sync", // under load "auto" may move to async reads, which this fake does not count
      }),
    InterruptedError,
  );
  assert(reads < paths.length, `read ${reads} files after the abort`);
});

Deno.test("describeError keeps the reason and drops the path", () => {
  assertEquals(
    describeError(new Error("Permission denied (os error 13): open '/tmp/x/secret.ts'")),
    "Permission denied",
  );
  assertEquals(describeError(new Error("Is a directory (os error 21)")), "Is a directory");
  assertEquals(describeError("weird"), "weird");
});

Deno.test("readFiles decodes batched files exactly like file-by-file decoding", async () => {
  const files: Uint8Array[] = [
    new TextEncoder().encode("plain ascii that is long enough to be sliced\n"),
    new Uint8Array([0x61, 0xe2, 0x82]), // ends inside a three-byte character...
    new Uint8Array([0xac, 0x62]), // ...which this file would complete if decoded together
    new TextEncoder().encode("naïve café — ünïcödé 🎉\n"),
    new Uint8Array([0xef, 0xbb, 0xbf, 0x62, 0x6f, 0x6d]), // byte-order mark
    new Uint8Array([0x78, 0xff, 0x79]), // a lone invalid byte (one unit, like ASCII)
    new Uint8Array(0),
    new Uint8Array([0x61, 0x00, 0x62]), // NUL: binary
  ];
  const io: FileIo = {
    readSync: (path) => {
      const data = files[Number(path.slice(path.lastIndexOf("/") + 2))];
      return { bytes: data.length, data };
    },
    read: (path, max) => Promise.resolve(io.readSync(path, max)),
  };
  const names = files.map((_, i) => `f${i}`);
  const batched = await readFiles("/r", names, { concurrency: 1, io, mode: "sync" });
  const single = await readFiles("/r", names, { concurrency: 1, io, mode: "async" });
  assertEquals(batched, single);
  const decoder = new TextDecoder();
  assertEquals(batched.map((o) => o.kind === "text" ? o.text : o.kind), [
    ...files.slice(0, 7).map((f) => decoder.decode(f)),
    "binary",
  ]);
  assertEquals(batched[1], { kind: "text", text: "a\uFFFD", bytes: 3 });
  assertEquals(batched[4], { kind: "text", text: "bom", bytes: 6 });
});

Deno.test("readFiles decodes ASCII files around an invalid byte like file-by-file", async () => {
  const files = [
    new TextEncoder().encode("first file, plain ASCII text\n"),
    new Uint8Array([0x78, 0xff, 0x79, 0x0a]), // invalid byte → U+FFFD
    new TextEncoder().encode("third file, plain ASCII text\n"),
  ];
  const io: FileIo = {
    readSync: (path) => {
      const data = files[Number(path.slice(path.lastIndexOf("/") + 2))];
      return { bytes: data.length, data };
    },
    read: (path, max) => Promise.resolve(io.readSync(path, max)),
  };
  const names = files.map((_, i) => `f${i}`);
  const batched = await readFiles("/r", names, { concurrency: 1, io, mode: "sync" });
  assertEquals(batched, await readFiles("/r", names, { concurrency: 1, io, mode: "async" }));
  assertEquals(batched.map((o) => o.kind === "text" ? o.text : ""), [
    "first file, plain ASCII text\n",
    "x\uFFFDy\n",
    "third file, plain ASCII text\n",
  ]);
});

Deno.test("readFiles notices an abort fired by a timer during synchronous reading", async () => {
  const controller = new AbortController();
  let reads = 0;
  const io = fakeIo(0.05, 0); // 4,000 files × 0.05 ms: 200 ms of blocking reads
  const counting: FileIo = {
    ...io,
    readSync: (path, max) => {
      reads++;
      return io.readSync(path, max);
    },
  };
  const many = Array.from({ length: 4_000 }, (_, i) => `f${i}.ts`);
  const timer = setTimeout(() => controller.abort(), 20);
  try {
    await assertRejects(
      () =>
        readFiles("/r", many, {
          concurrency: 4,
          io: counting,
          signal: controller.signal,
          mode: "sync",
        }),
      InterruptedError,
    );
  } finally {
    clearTimeout(timer);
  }
  assert(reads < many.length, `all ${reads} files were read before the abort was seen`);
});

Deno.test("readFiles never has more asynchronous reads in flight than its concurrency", async () => {
  let inFlight = 0;
  let most = 0;
  const io: FileIo = {
    readSync: () => ({ bytes: text.length, data: text }),
    read: async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 0));
      inFlight--;
      return { bytes: text.length, data: new Uint8Array(text) };
    },
  };
  const out = await readFiles("/r", paths.slice(0, 300), { concurrency: 7, io, mode: "async" });
  assertEquals(out.length, 300);
  assert(out.every((o) => o.kind === "text"));
  assertEquals(most, 7);
});
