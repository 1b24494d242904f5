/**
 * Sandboxed REPL benchmarks. Run: deno run -A bench/sandbox_bench.ts
 *
 * 1. Start-up: `createRepl` until ready, with an empty and a 10 MB codebase (median of 5).
 * 2. Round trip: one `execute` of trivial code (median and p90 of 100).
 * 3. `llm_batch` of 100 prompts through the protocol with an instant fake provider, minus the
 *    trivial round trip (median of 20).
 * 4. Restart: from a timed-out execution (kill) to the next execution's result (median of 5).
 *
 * @module
 */
import { createRepl } from "../lib/sandbox/mod.ts";
import type { ReplOptions } from "../lib/sandbox/types.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

function codebaseOf(totalChars: number): Record<string, string> {
  const body = "export function handler(req) { return respond(req.body); }\n".repeat(80);
  const files: Record<string, string> = {};
  let chars = 0;
  for (let i = 0; chars < totalChars; i++) {
    files[`src/module_${i}.ts`] = body;
    chars += body.length;
  }
  return files;
}

function options(codebase: Record<string, string>, extra: Partial<ReplOptions> = {}): ReplOptions {
  return {
    codebase,
    fileTree: Object.keys(codebase).join("\n"),
    metadata: { repo_name: "bench", total_files: Object.keys(codebase).length },
    onSubQuery: (prompts) => Promise.resolve(prompts.map((p) => p.slice(0, 10))),
    ...extra,
  };
}

async function startup(codebase: Record<string, string>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const repl = await createRepl(options(codebase));
    times.push(performance.now() - started);
    await repl.close();
  }
  return median(times);
}

const empty = await startup({});
const big = codebaseOf(10 * 1024 * 1024);
const bigStart = await startup(big);
console.log(`start-up, empty codebase:            ${ms(empty)} (median of 5)`);
console.log(
  `start-up, 10 MB codebase (${Object.keys(big).length} files): ${ms(bigStart)} (median of 5)`,
);

const repl = await createRepl(options(big, { execTimeoutSeconds: 1 }));
try {
  await repl.execute("1");
  const trips: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = performance.now();
    await repl.execute("1 + 1");
    trips.push(performance.now() - started);
  }
  const trip = median(trips);
  console.log(
    `round trip, trivial code:            ${ms(trip)} median, ${ms(p90(trips))} p90 (100)`,
  );

  const batch = Array.from({ length: 100 }, (_, i) => `"prompt ${i} ${"x".repeat(4000)}"`).join(
    ",",
  );
  const batches: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const r = await repl.execute(`(await llm_batch([${batch}])).length`);
    if (r.value !== "100") throw new Error(`llm_batch returned ${r.value}`);
    batches.push(performance.now() - started);
  }
  const overhead = median(batches) - trip;
  console.log(
    `llm_batch of 100 x 4 KB prompts:      ${ms(overhead)} protocol overhead beyond a round trip ` +
      `(${(overhead * 10).toFixed(0)} µs per prompt; median of 20)`,
  );

  const restarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const timedOut = await repl.execute("while (true) {}");
    if (timedOut.fatal?.kind !== "timeout") throw new Error("expected a timeout");
    const started = performance.now();
    const next = await repl.execute("Object.keys(codebase).length");
    restarts.push(performance.now() - started);
    if (next.value !== String(Object.keys(big).length)) throw new Error("restart lost codebase");
  }
  console.log(
    `restart after a timeout (10 MB):      ${ms(median(restarts))} until the next result ` +
      "(median of 5; the new process starts as soon as the old one is killed)",
  );
} finally {
  await repl.close();
}
