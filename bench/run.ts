/**
 * `deno task bench`: runs every `bench/*_bench.ts` in its own process, one after another, and
 * prints what each measured. Each benchmark prints ratios measured within its own run, so the
 * numbers compare like with like on a shared, noisy machine.
 *
 * Usage: deno task bench [name-filter]
 *
 * @module
 */

const filter = Deno.args[0];
const dir = new URL(".", import.meta.url).pathname;
const names = [...Deno.readDirSync(dir)]
  .map((e) => e.name)
  .filter((n) => n.endsWith("_bench.ts") && (!filter || n.includes(filter)))
  .sort();

let failed = 0;
for (const name of names) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${dir}${name}`],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`--- ${name}: ${status.success ? "done" : "FAILED"} in ${seconds} s`);
  if (!status.success) failed++;
}
if (failed > 0) Deno.exit(1);
