import { assertEquals } from "../_helpers/assert.ts";
import { CoverageLedger } from "../../lib/engine/coverage.ts";
import { numberedLines } from "../../lib/sandbox/worker/repl_globals.ts";
import type { Intrinsics } from "../../lib/sandbox/worker/types.ts";
import type { FileRecord } from "../../lib/loader/types.ts";
import { sampleFiles } from "./_fakes.ts";

const big = Array.from({ length: 400 }, (_, i) => `const line${i} = compute(${i} * 7);`).join("\n");
const codebase: Record<string, string> = {
  "src/big.ts": big,
  "src/small.ts": "export function add(a: number, b: number) {\n  return a - b;\n}\n",
  "src/tiny.ts": "export {};\n",
  "blank.md": "   \n",
  "huge.bin.ts": "[FILE TOO LARGE: 900000 bytes, skipped]",
};
const files: FileRecord[] = Object.keys(codebase).map((path) => ({
  path,
  chars: codebase[path].length,
  bytes: codebase[path].length,
  status: path === "huge.bin.ts" ? "too_large" : "included",
}));

Deno.test("CoverageLedger counts only included, non-blank files", () => {
  const ledger = new CoverageLedger(codebase, files);
  assertEquals(ledger.eligible.sort(), ["src/big.ts", "src/small.ts", "src/tiny.ts"]);
});

Deno.test("CoverageLedger finds whole files, heads and middle excerpts but not bare paths", () => {
  const ledger = new CoverageLedger(codebase, files);
  assertEquals(ledger.filesIn("Review src/big.ts and src/small.ts please"), []);
  assertEquals(ledger.filesIn(`File src/small.ts:\n${codebase["src/small.ts"]}`), ["src/small.ts"]);
  assertEquals(ledger.filesIn(`Head:\n${big.slice(0, 3000)}`), ["src/big.ts"]);
  const middle = big.slice(big.length / 2 - 500, big.length / 2 + 500);
  assertEquals(ledger.filesIn(middle), ["src/big.ts"]);
  assertEquals(ledger.filesIn(big.slice(100, 150)), []); // too small an excerpt to count
});

Deno.test("CoverageLedger needs the path too for a tiny file", () => {
  const ledger = new CoverageLedger(codebase, files);
  assertEquals(ledger.filesIn("export {};"), []);
  assertEquals(ledger.filesIn("src/tiny.ts:\nexport {};"), ["src/tiny.ts"]);
});

Deno.test("CoverageLedger.record() accumulates and reports what is left", () => {
  const ledger = new CoverageLedger(codebase, files);
  ledger.record(codebase["src/small.ts"]);
  ledger.record(`${codebase["src/small.ts"]}\n${big}`);
  assertEquals([...ledger.covered], ["src/small.ts", "src/big.ts"]);
  assertEquals(ledger.remaining, 1);
  ledger.record(big.replace(/\s+/g, " ")); // whitespace-mangled copies are not recognised
  assertEquals(ledger.remaining, 1);
});

Deno.test("CoverageLedger finds every file of a prompt holding hundreds of them", () => {
  const many = sampleFiles(500, 2000);
  const ledger = new CoverageLedger(many);
  const prompt = Object.entries(many).map(([p, c]) => `${p}\n${c}`).join("\n");
  // Found in prompt order; the speed of this scan is measured in bench/engine_bench.ts.
  const found = ledger.record(prompt);
  assertEquals(found.length, 500);
  assertEquals(found.slice(0, 2), ["src/file_0.ts", "src/file_1.ts"]);
});

Deno.test("CoverageLedger ignores a window shared by many files, like a license header", () => {
  const header = "// Copyright 2026 The Example Authors. Licensed under the Apache License 2.0.\n"
    .repeat(4);
  const a = header + "export const a = 1;\n".repeat(40);
  const b = header + "export const b = 2;\n".repeat(40);
  const ledger = new CoverageLedger({ "a.ts": a, "b.ts": b });
  assertEquals(ledger.filesIn(a), ["a.ts"]);
  assertEquals(ledger.filesIn(header + "unrelated"), []);
});

Deno.test("CoverageLedger finds non-ASCII files anywhere in a long prompt", () => {
  const accents = "// Größe, café, naïve — 日本語のコメント 🚀\nconst s = 'ünïcödé';\n".repeat(12);
  const ascii = "export const plain = 1;\n".repeat(20);
  const ledger = new CoverageLedger({ "u.ts": accents, "a.ts": ascii });
  const prompt = "🚀".repeat(1001) + "x" + accents + "\n".repeat(7) + ascii.slice(0, 300);
  assertEquals(ledger.filesIn(prompt), ["u.ts", "a.ts"]);
  assertEquals(ledger.filesIn(prompt.slice(0, 2003)), []);
});

const HEADER = "/*\n * Copyright (c) 2020 The Example Authors. All rights reserved.\n" +
  ' * Licensed under the Apache License, Version 2.0 (the "License");\n' +
  " * you may not use this file except in compliance with the License.\n */\n";

Deno.test("CoverageLedger: a prompt repeating a licence header shared by 2,000 files finds none", async () => {
  const shared: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) {
    shared[`src/f${i}.ts`] = HEADER + `export const v${i} = ${i};\n` + "x".repeat(i % 300);
  }
  const ledger = new CoverageLedger(shared);
  const prompt = HEADER.repeat(2000);
  assertEquals(ledger.filesIn(prompt), []);
  assertEquals(await ledger.scan(prompt), []);
  // The files are still found by their own text.
  assertEquals(ledger.filesIn(shared["src/f7.ts"] + shared["src/f1999.ts"]).sort(), [
    "src/f1999.ts",
    "src/f7.ts",
  ]);
});

Deno.test("CoverageLedger counts identical files when the prompt holds the path and the text", async () => {
  const same = "export * from './impl.ts';\nexport { default } from './impl.ts';\n";
  const cb: Record<string, string> = {
    "a/index.ts": same,
    "b/index.ts": same,
    "c/index.ts": same,
    "d/LICENSE": HEADER + "long shared text ".repeat(40),
    "e/LICENSE": HEADER + "long shared text ".repeat(40),
    "x.json": "{}",
    "y.ts": "export {};",
    "z.ts": "const z = 1;\n".repeat(30),
  };
  const ledger = new CoverageLedger(cb);
  // Text without any path: identical files are not told apart.
  assertEquals(ledger.filesIn(same), []);
  // Path and text: that file (and only that one) counts.
  assertEquals(ledger.filesIn(`### b/index.ts\n${same}`), ["b/index.ts"]);
  assertEquals(ledger.filesIn("a/index.ts c/index.ts"), []); // paths alone do not count
  // A script that sends every file verbatim with its path gets every eligible file.
  const all = Object.entries(cb).map(([path, text]) => `File: ./${path}\n\`\`\`\n${text}\`\`\``);
  const found = await ledger.scan(all.join("\n\n"));
  assertEquals(found.sort(), ledger.eligible.sort());
  // The same with one prompt per file.
  for (const prompt of all) ledger.record(prompt);
  assertEquals(ledger.remaining, 0);
});

Deno.test("CoverageLedger finds a short file only when its start and its end are there", () => {
  const cb = { "s.ts": "export function shortOne(a: string) {\n  return a.trim();\n}\n" };
  const ledger = new CoverageLedger(cb);
  const text = cb["s.ts"].trim();
  assertEquals(ledger.filesIn(text), ["s.ts"]);
  assertEquals(ledger.filesIn(text.slice(0, 40)), []);
  assertEquals(ledger.filesIn(text.slice(-40)), []);
});

Deno.test("CoverageLedger recognises numbered() text, whole and excerpts, as the file's own", () => {
  const caps = {
    apply: Reflect.apply,
    stringSlice: String.prototype.slice,
    stringIndexOf: String.prototype.indexOf,
    stringOf: String,
    charCodeAt: String.prototype.charCodeAt,
    getOwnPropertyDescriptor: Object.getOwnPropertyDescriptor,
    TypeErrorClass: TypeError,
    RangeErrorClass: RangeError,
  } as unknown as Intrinsics;
  const numbered = numberedLines(caps, codebase);
  const ledger = new CoverageLedger(codebase, files);
  assertEquals(ledger.filesIn(`Review src/big.ts:\n${numbered("src/big.ts")}`), ["src/big.ts"]);
  assertEquals(ledger.filesIn(numbered("src/big.ts", 150, 260)), ["src/big.ts"]);
  assertEquals(ledger.filesIn(`src/small.ts\n${numbered("src/small.ts")}`), ["src/small.ts"]);
  assertEquals(numbered("src/small.ts", 2, 3), "2|   return a - b;\n3| }");
  assertEquals(numbered("src/big.ts", 9, 10).split("\n").map((l) => l.slice(0, 4)), [
    " 9| ",
    "10| ",
  ]);
});
