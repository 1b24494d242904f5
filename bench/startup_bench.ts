/**
 * Start-up time of the CLI: `--version` and `--help` against the floor of starting Deno on an
 * empty script, in the same run (median of N runs each).
 *
 * @module
 */

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 15);

async function medianMs(args: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const out = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" })
      .output();
    times.push(performance.now() - started);
    if (!out.success) throw new Error(`deno ${args.join(" ")} failed`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const empty = await Deno.makeTempFile({ suffix: ".ts" });
try {
  const floor = await medianMs(["run", empty]);
  const version = await medianMs(["run", "-A", MAIN, "--version"]);
  const help = await medianMs(["run", "-A", MAIN, "analyze", "--help"]);
  console.log(`deno empty script     ${floor.toFixed(1)} ms (floor)`);
  console.log(
    `deeprepo --version    ${version.toFixed(1)} ms  (${(version / floor).toFixed(2)}× floor)`,
  );
  console.log(`deeprepo analyze -h   ${help.toFixed(1)} ms  (${(help / floor).toFixed(2)}× floor)`);
} finally {
  await Deno.remove(empty);
}
