import { assertEquals } from "../_helpers/assert.ts";
import { CoverageLedger } from "../../lib/engine/coverage.ts";
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
