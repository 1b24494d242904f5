/**
 * Engine benchmarks, each running `deeprepo analyze` (real CLI, plugins, sandbox) against the
 * fake model server. Run: deno run -A bench/engine_bench.ts [batch|memory|cache|coverage]
 *
 * 1. batch: a scripted root dispatches 100 sub-prompts at `--concurrency 10` with a fixed
 *    per-request latency; the batch's wall time (measured inside the REPL) is compared with
 *    the ideal ceil(100/10) × latency (target ≤ 1.15×). Also reports the host overhead per turn
 *    (turn time not spent waiting on model HTTP calls) from the trajectory.
 * 2. memory: analyze of a generated 50 MB codebase; peak RSS of the CLI process and of the
 *    sandbox process (VmHWM from /proc, sampled while it runs).
 * 3. cache: a scripted 6-turn analysis with the server imitating Anthropic's prompt cache
 *    (prefixes up to a `cache_control` breakpoint are stored; a later request that repeats one
 *    reads it); root input cost with prompt caching vs `--no-prompt-cache` (target ≤ 40%).
 * 4. coverage: the coverage ledger in-process — building it for 5,000 files and scanning one
 *    prompt that holds 500 of them (the work done for every sub-model prompt).
 *
 * @module
 */
import {
  type RecordedRequest,
  type ScriptedResponse,
  startFakeModelServer,
} from "../tests/fakes/model_server.ts";
import { loadRegistry } from "../lib/providers/mod.ts";
import { envFromRecord } from "../lib/config/env.ts";
import { CoverageLedger } from "../lib/engine/coverage.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const which = Deno.args[0];

function turnOf(req: RecordedRequest): number {
  const messages = (req.body.messages ?? []) as { role: string }[];
  return messages.filter((m) => m.role === "assistant").length + 1;
}

function call(code: string, output = 200): ScriptedResponse {
  return { toolCalls: [{ name: "execute_code", input: { code } }], usage: { input: 1000, output } };
}

interface CliRun {
  code: number;
  stderr: string;
  stdout: string;
  /** Peak resident memory in MB: the CLI process, and the largest child. */
  peakMainMb: number;
  peakChildMb: number;
}

function vmHwmKb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) kids.push(Number(e.name));
    } catch {
      // Process ended while listing.
    }
  }
  return kids;
}

async function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakMain = 0;
  let peakChild = 0;
  const timer = setInterval(() => {
    peakMain = Math.max(peakMain, vmHwmKb(child.pid));
    const descendants = childrenOf(child.pid).flatMap((k) => [k, ...childrenOf(k)]);
    for (const k of descendants) peakChild = Math.max(peakChild, vmHwmKb(k));
  }, 100);
  const out = await child.output();
  clearInterval(timer);
  const d = new TextDecoder();
  return {
    code: out.code,
    stdout: d.decode(out.stdout),
    stderr: d.decode(out.stderr),
    peakMainMb: peakMain / 1024,
    peakChildMb: peakChild / 1024,
  };
}

async function readOutputs(stdout: string) {
  const report = stdout.trim().split("\n").at(-1)!;
  const metrics = JSON.parse(await Deno.readTextFile(report.replace(/\.md$/, "_metrics.json")));
  const trajectory = JSON.parse(
    await Deno.readTextFile(report.replace(/\.md$/, "_trajectory.json")),
  );
  return { metrics, trajectory };
}

async function batchBench(dir: string) {
  const latency = Number(Deno.env.get("BENCH_LATENCY_MS") ?? 200);
  const server = await startFakeModelServer();
  try {
    const code = "{ const t0 = Date.now();\n" +
      "const r = await llm_batch(Array.from({ length: 100 }, (_, i) => 'question ' + i));\n" +
      "print('batch_ms', Date.now() - t0, r.filter((x) => x.startsWith('[ERROR')).length); }";
    // The same batch three times: the first includes the HTTP client's warm-up (new
    // connections, JIT), the later ones show the steady state.
    const script = [call(code), call(code), call(code), call("set_answer('ok')")];
    server.handler((req) => ({ ...script[turnOf(req) - 1], latencyMs: latency }), "anthropic");
    server.handler(
      () => ({ text: "answer", usage: { input: 20, output: 5 }, latencyMs: latency }),
      "openai",
    );
    const proj = `${dir}/batch_proj`;
    await Deno.mkdir(proj, { recursive: true });
    await Deno.writeTextFile(`${proj}/a.ts`, "export const a = 1;\n");
    const run = await runCli(
      ["analyze", proj, "-q", "--no-cache", "--concurrency", "10", "-o", `${dir}/out_batch`],
      { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
      dir,
    );
    if (run.code !== 0) throw new Error(`analyze failed: ${run.stderr}`);
    const { metrics, trajectory } = await readOutputs(run.stdout);
    const ideal = Math.ceil(100 / 10) * latency;
    console.log(`batch: 100 sub-prompts, concurrency 10, latency ${latency} ms per request`);
    for (const [i, turn] of trajectory.turns.slice(0, 3).entries()) {
      const output: string = turn.executions[0].output;
      const found = output.match(/batch_ms (\d+) (\d+)/);
      if (!found) throw new Error(`batch ${i + 1}: unexpected output ${output}`);
      const [, ms, errors] = found.map(Number);
      console.log(
        `  batch ${i + 1}${i === 0 ? " (cold client)" : ""}: wall ${ms} ms vs ideal ${ideal} ms ` +
          `→ ratio ${(ms / ideal).toFixed(3)} (target ≤ 1.15; ${errors} errors) ` +
          `${ms / ideal <= 1.15 ? "PASS" : "FAIL"}`,
      );
    }
    const overheads = trajectory.turns.map((t: { host_overhead_ms: number }) => t.host_overhead_ms);
    console.log(
      `  host overhead per turn (not waiting on model HTTP): ` +
        `${overheads.map((n: number) => n.toFixed(1)).join(", ")} ms; mean ` +
        `${metrics.host_overhead_ms_per_turn} ms`,
    );
  } finally {
    await server.close();
  }
}

async function memoryBench(dir: string) {
  const proj = `${dir}/big_proj`;
  const files = 500;
  const line = "export function compute(value: number): number { return value * 2 + 1; }\n";
  for (let i = 0; i < files; i++) {
    const sub = `${proj}/pkg${i % 20}`;
    await Deno.mkdir(sub, { recursive: true });
    const body = `// module ${i}\n` + line.repeat(Math.ceil(100_000 / line.length));
    await Deno.writeTextFile(`${sub}/mod_${i}.ts`, body.slice(0, 100_000));
  }
  const server = await startFakeModelServer();
  try {
    const dispatch = "const paths = Object.keys(codebase).slice(0, 100);\n" +
      "const r = await llm_batch(paths.map((p) => p + '\\n' + codebase[p].slice(0, 2000)));\n" +
      "print(r.length, metadata.total_chars);";
    const script = [call(dispatch), call("set_answer('done ' + r.length)")];
    server.handler((req) => script[turnOf(req) - 1], "anthropic");
    server.handler(() => ({ text: "fine", usage: { input: 500, output: 10 } }), "openai");
    const started = performance.now();
    const run = await runCli(
      ["analyze", proj, "-q", "--no-cache", "-o", `${dir}/out_mem`],
      { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
      dir,
    );
    if (run.code !== 0) throw new Error(`analyze failed: ${run.stderr}`);
    const { metrics } = await readOutputs(run.stdout);
    console.log(`memory: ${files} files × 100 KB = 50 MB codebase, 100 sub-prompts`);
    console.log(
      `  peak RSS: CLI ${run.peakMainMb.toFixed(0)} MB, sandbox ${
        run.peakChildMb.toFixed(0)
      } MB; ` +
        `wall ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `files_dispatched ${metrics.files_dispatched}`,
    );
  } finally {
    await server.close();
  }
}

/** Imitates Anthropic prompt caching: usage split by stored prefixes at breakpoints. */
function anthropicCache() {
  const stored = new Set<string>();
  return (req: RecordedRequest) => {
    const blocks: { text: string; mark: boolean }[] = [];
    const push = (b: Record<string, unknown>) => {
      const { cache_control, ...rest } = b;
      blocks.push({ text: JSON.stringify(rest), mark: cache_control !== undefined });
    };
    for (const t of (req.body.tools ?? []) as Record<string, unknown>[]) push(t);
    const system = req.body.system;
    if (typeof system === "string") push({ type: "text", text: system });
    else for (const b of (system ?? []) as Record<string, unknown>[]) push(b);
    for (const m of (req.body.messages ?? []) as { role: string; content: unknown }[]) {
      if (typeof m.content === "string") push({ role: m.role, text: m.content });
      else for (const b of m.content as Record<string, unknown>[]) push({ role: m.role, ...b });
    }
    let prefix = "";
    let lastMark = 0;
    let read = 0;
    const boundaries: string[] = [];
    for (const b of blocks) {
      prefix += b.text;
      boundaries.push(prefix);
      if (stored.has(prefix)) read = prefix.length;
      if (b.mark) lastMark = prefix.length;
    }
    for (const [i, b] of blocks.entries()) if (b.mark) stored.add(boundaries[i]);
    const total = prefix.length;
    const tokens = (chars: number) => Math.ceil(chars / 4);
    if (lastMark === 0) return { input: tokens(total), output: 300 };
    read = Math.min(read, lastMark);
    return {
      input: tokens(total - lastMark),
      cacheRead: tokens(read),
      cacheWrite: tokens(lastMark - read),
      output: 300,
    };
  };
}

async function cacheBench(dir: string) {
  const proj = `${dir}/cache_proj`;
  for (let i = 0; i < 300; i++) {
    const sub = `${proj}/src/area_${i % 15}/part_${i % 4}`;
    await Deno.mkdir(sub, { recursive: true });
    await Deno.writeTextFile(`${sub}/module_${i}.ts`, `export const m${i} = ${i};\n`);
  }
  const server = await startFakeModelServer();
  const env = { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` };
  const registry = await loadRegistry({ cwd: dir, env: envFromRecord(env) });
  const price = registry.resolve("sonnet").pricing;
  try {
    const results: Record<string, { cost: number; m: Record<string, number> }> = {};
    for (const mode of ["cached", "uncached"]) {
      const usage = anthropicCache();
      server.handler((req) => {
        const turn = turnOf(req);
        const code = turn < 6
          ? `print(Object.keys(codebase).slice(${turn * 40}, ${turn * 40 + 40}).join('\\n'));`
          : "set_answer('six turns');";
        return { toolCalls: [{ name: "execute_code", input: { code } }], usage: usage(req) };
      }, "anthropic");
      const run = await runCli(
        [
          "analyze",
          proj,
          "-q",
          "--no-cache",
          "-o",
          `${dir}/out_${mode}`,
          ...(mode === "uncached" ? ["--no-prompt-cache"] : []),
        ],
        env,
        dir,
      );
      if (run.code !== 0) throw new Error(`analyze failed: ${run.stderr}`);
      const { metrics } = await readOutputs(run.stdout);
      const cost = (metrics.root_input_tokens * price.input +
        metrics.root_cache_read_tokens * (price.cacheRead ?? price.input) +
        metrics.root_cache_write_tokens * (price.cacheWrite ?? price.input)) / 1e6;
      results[mode] = { cost, m: metrics };
    }
    const c = results.cached;
    const u = results.uncached;
    console.log(`prompt cache: 6-turn scripted analysis, root ${registry.resolve("sonnet").label}`);
    for (const [name, r] of [["with prompt caching", c], ["--no-prompt-cache", u]] as const) {
      console.log(
        `  ${name}: root input cost $${r.cost.toFixed(5)} (input ${r.m.root_input_tokens}, ` +
          `cache read ${r.m.root_cache_read_tokens}, cache write ${r.m.root_cache_write_tokens}` +
          ` tokens; turns ${r.m.turns})`,
      );
    }
    const ratio = c.cost / u.cost;
    console.log(
      `  ratio ${(ratio * 100).toFixed(1)}% (target ≤ 40%) ${ratio <= 0.4 ? "PASS" : "FAIL"}; ` +
        `summary savings $${c.m.cache_savings}`,
    );
  } finally {
    await server.close();
  }
}

function coverageBench() {
  const files: Record<string, string> = {};
  for (let i = 0; i < 5000; i++) {
    const line = `export const value${i} = compute(${i}); // module ${i}\n`;
    files[`src/pkg_${i % 50}/file_${i}.ts`] = line.repeat(Math.ceil(2000 / line.length));
  }
  const t0 = performance.now();
  const ledger = new CoverageLedger(files);
  const built = performance.now() - t0;
  const paths = Object.keys(files).slice(0, 500);
  const prompt = paths.map((p) => `File: ${p}\n${files[p]}`).join("\n");
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    ledger.filesIn(prompt);
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `coverage: ledger of 5,000 files built in ${built.toFixed(0)} ms; one ` +
      `${(prompt.length / 1e6).toFixed(1)} MB prompt holding 500 files scanned in ` +
      `${runs[2].toFixed(0)} ms (median of 5), ${ledger.filesIn(prompt).length} files found`,
  );
}

const dir = await Deno.makeTempDir({ prefix: "deeprepo_engine_bench_" });
try {
  if (!which || which === "batch") await batchBench(dir);
  if (!which || which === "cache") await cacheBench(dir);
  if (!which || which === "memory") await memoryBench(dir);
  if (!which || which === "coverage") coverageBench();
} finally {
  await Deno.remove(dir, { recursive: true });
}
