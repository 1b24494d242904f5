/**
 * Coverage scan benchmark. Run: deno run -A bench/coverage_bench.ts
 *
 * The scan must be linear in the prompt's length whatever the codebase: 2,000 files sharing a
 * licence header and a prompt that repeats that header (the case that cost 55 s per prompt in
 * #18), against a prompt of ordinary text of the same length. Prints both times and their ratio.
 *
 * @module
 */
import { CoverageLedger } from "../lib/engine/coverage.ts";

const header = "/*\n * Copyright (c) 2020 The Example Authors. All rights reserved.\n" +
  ' * Licensed under the Apache License, Version 2.0 (the "License");\n' +
  " * you may not use this file except in compliance with the License.\n */\n";
const codebase: Record<string, string> = {};
for (let i = 0; i < 2000; i++) {
  codebase[`src/f${i}.ts`] = header + `export const v${i} = ${i};\n` + "x".repeat(i % 300);
}
const ledger = new CoverageLedger(codebase);
const chars = 15_000_000;
const fill = (unit: string) => unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);

async function time(prompt: string): Promise<number> {
  const started = performance.now();
  await ledger.scan(prompt);
  return performance.now() - started;
}

const headers = await time(fill(header));
const plain = await time(fill("the quick brown fox jumps over the lazy dog 0123456789\n"));
const verbatim = Object.entries(codebase).map(([p, t]) => `### ${p}\n${t}`).join("\n");
const started = performance.now();
const found = ledger.filesIn(verbatim);
const all = performance.now() - started;
console.log(
  `coverage scan, 15 M chars repeating a header 2,000 files share: ${headers.toFixed(0)} ms`,
);
console.log(
  `coverage scan, 15 M chars of ordinary text:                     ${plain.toFixed(0)} ms`,
);
console.log(`ratio (shared header / ordinary): ${(headers / plain).toFixed(2)}`);
console.log(
  `all 2,000 files verbatim (${verbatim.length} chars): ${
    all.toFixed(0)
  } ms, ${found.length} found`,
);
