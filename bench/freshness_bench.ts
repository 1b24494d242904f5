/**
 * Freshness benchmarks (issue #17 targets). Run: deno run -A bench/freshness_bench.ts
 *
 * 1. Incremental re-analysis: a 175-file repository (express-sized), a full `analyze`, one file
 *    changed and committed, then `analyze --since latest` — both the real CLI against the fake
 *    model server, usage billed from request and reply sizes as the real APIs bill, the same
 *    fake latency per call (2 s a root turn, 0.8 s a sub call: typical of the real models). The
 *    scripted root model behaves as the prompt asks: a full run explores, sends every file to the
 *    sub-model one folder per turn and writes a synthesis (six turns); an update run sends the
 *    files the brief lists as added or changed. Targets: cost ≤ 10% and wall time ≤ 20%.
 * 2. `status` on a 9,000-file tree (svelte-sized), whole process; target ≤ 1.0 s.
 *
 * @module
 */
import { fingerprint, loadRunKey, sealRun } from "../lib/freshness/mod.ts";
import { loadCodebase } from "../lib/loader/mod.ts";
import {
  type RecordedRequest,
  startFakeModelServer,
  toolResults,
} from "../tests/fakes/model_server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
/** Typical answer times of the real models (root: a few seconds a turn; sub: about a second). */
const ROOT_LATENCY_MS = Number(Deno.env.get("BENCH_ROOT_LATENCY_MS") ?? 2000);
const SUB_LATENCY_MS = Number(Deno.env.get("BENCH_SUB_LATENCY_MS") ?? 800);

async function run(args: string[], cwd: string, env: Record<string, string>) {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success && out.code !== 3) {
    throw new Error(`deeprepo ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return { seconds, stdout, code: out.code };
}

async function git(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=b", "-c", "user.email=b@b.invalid", ...args],
    cwd,
    stdout: "null",
    stderr: "null",
  }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")}`);
}

async function writeRepo(root: string, files: number, lines: number) {
  for (let i = 0; i < files; i++) {
    const dir = `${root}/${["lib", "test", "examples", "lib/router"][i % 4]}`;
    await Deno.mkdir(dir, { recursive: true });
    const body = Array.from(
      { length: lines },
      (_, n) => `exports.f${n} = (req) => req.q${n} + ${i};`,
    );
    await Deno.writeTextFile(`${dir}/m${i}.js`, body.join("\n") + "\n");
  }
  await git(root, "init", "-q");
  await git(root, "add", ".");
  await git(root, "commit", "-qm", "init");
}

/** A full run as a real root model does it: explore, one batch per folder, a synthesis. */
const FULL_TURNS = [
  "const paths = Object.keys(codebase).sort(); print(file_tree.slice(0, 2000));",
  ...["lib/router", "lib", "test", "examples"].map((folder) => `
const mine = paths.filter((p) => p.startsWith("${folder}/") && !p.slice(${
    folder.length + 1
  }).includes("/"));
globalThis.found = (globalThis.found ?? []).concat(await llm_batch(mine.map((p) =>
  "Review " + p + " for bugs:\\n" + codebase[p])));
print(found.length, "reviews");`),
  `const summary = await llm_query("Summarise these findings:\\n" + found.join("\\n"));
set_answer("# Report\\n\\n" + summary + "\\n\\n" + paths.map((p, i) => "- " + p + ": " + found[i]).join("\\n"));`,
];

function updateCode(paths: string[]): string {
  return `
const paths = ${JSON.stringify(paths)};
const out = await llm_batch(paths.map((p) => "Review " + p + " for bugs:\\n" + codebase[p]));
let report = metadata.previous_report;
paths.forEach((p, i) => { report = report.replace(new RegExp("- " + p + ": .*"), "- " + p + ": " + out[i]); });
set_answer("## What changed since the last analysis\\n" + paths.join(", ") + " re-read\\n\\n" + report);`;
}

/** The scripted root: a full review, or only what the update brief lists. */
function root(req: RecordedRequest) {
  const turn = toolResults(req).length;
  const first = JSON.stringify((req.body.messages as unknown[])[0]);
  const brief = first.indexOf("## Update of an earlier analysis");
  const call = (code: string) => ({
    toolCalls: [{ name: "execute_code", input: { code } }],
    latencyMs: ROOT_LATENCY_MS,
  });
  if (brief < 0) return call(FULL_TURNS[Math.min(turn, FULL_TURNS.length - 1)]);
  if (turn > 0) return { text: "Done.", latencyMs: ROOT_LATENCY_MS };
  const listed = first.slice(brief, first.indexOf("### Files removed", brief));
  return call(updateCode([...listed.matchAll(/- ([\w./-]+\.js)/g)].map((m) => m[1])));
}

const dir = await Deno.makeTempDir({ prefix: "deeprepo_fresh_bench_" });
const server = await startFakeModelServer();
try {
  server.handler(root, "anthropic");
  server.handler(
    () => ({ text: "no bugs found in this file", latencyMs: SUB_LATENCY_MS }),
    "openai",
  );
  const env = {
    ...server.env(),
    PATH: Deno.env.get("PATH") ?? "",
    HOME: dir,
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    DEEPREPO_CACHE_DIR: `${dir}/cache`,
    NO_COLOR: "1",
    DEEPREPO_REQUEST_TIMEOUT_MS: "120000",
  };
  const repo = `${dir}/express_like`;
  await writeRepo(repo, 175, 60);
  const full = await run(["analyze", repo, "-o", `${dir}/out`, "-q", "--format", "md"], dir, env);
  const fullMetrics = JSON.parse(
    await Deno.readTextFile(
      full.stdout.trim().split("\n").at(-1)!.replace(/\.md$/, "_metrics.json"),
    ),
  );
  await Deno.writeTextFile(`${repo}/lib/m0.js`, "exports.f0 = (req) => req.q0 * 2;\n", {
    append: true,
  });
  await git(repo, "commit", "-qam", "one change");
  const since = await run(
    ["analyze", repo, "-o", `${dir}/out`, "-q", "--format", "md", "--since", "latest"],
    dir,
    env,
  );
  const sinceMetrics = JSON.parse(
    await Deno.readTextFile(
      since.stdout.trim().split("\n").at(-1)!.replace(/\.md$/, "_metrics.json"),
    ),
  );
  const costRatio = sinceMetrics.total_cost / fullMetrics.total_cost;
  const timeRatio = since.seconds / full.seconds;
  console.log(
    `analyze --since latest after a one-file change (175 files; fake latency root ${ROOT_LATENCY_MS} ms, sub ${SUB_LATENCY_MS} ms): ` +
      `cost $${sinceMetrics.total_cost.toFixed(4)} vs $${fullMetrics.total_cost.toFixed(4)} = ` +
      `${(costRatio * 100).toFixed(1)}% (target ≤ 10%); wall ${since.seconds.toFixed(2)} s vs ` +
      `${full.seconds.toFixed(2)} s = ${(timeRatio * 100).toFixed(1)}% (target ≤ 20%); ` +
      `sub calls ${sinceMetrics.sub_calls} vs ${fullMetrics.sub_calls}, ` +
      `re-examined ${JSON.stringify(sinceMetrics.files_reexamined)}`,
  );

  const big = `${dir}/svelte_like`;
  await writeRepo(big, 9_000, 8);
  // The earlier analysis, recorded as analyze records it (a full scripted run of 9,000 files
  // would take the fake sub-model minutes and add nothing to what is measured here).
  const { snapshot } = await loadCodebase(big, { cwd: dir });
  const stamp = "deeprepo_svelte_like_20261201_120000";
  await Deno.mkdir(`${dir}/out_big`);
  await Deno.writeTextFile(`${dir}/out_big/${stamp}.md`, "# Report\n");
  // Sealed as analyze seals it, with the key the CLI finds under this HOME.
  const key = (await loadRunKey(`${dir}/.config/deeprepo`, true))!;
  const seen = await fingerprint(snapshot);
  const sealed = { ...seen, seal: await sealRun(key, seen, "# Report\n") };
  await Deno.writeTextFile(
    `${dir}/out_big/${stamp}_metrics.json`,
    JSON.stringify({
      mode: "rlm",
      sub_cost: 1,
      root_cost: 1,
      turns: 10,
      snapshot: sealed,
    }),
  );
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    times.push((await run(["status", big, "-o", `${dir}/out_big`], dir, env)).seconds);
  }
  times.sort((a, b) => a - b);
  const baseline: number[] = [];
  for (let i = 0; i < 5; i++) baseline.push((await run(["--version"], dir, env)).seconds);
  baseline.sort((a, b) => a - b);
  console.log(
    `status on 9,000 files: median ${times[2].toFixed(2)} s of 5 (min ${times[0].toFixed(2)}, ` +
      `max ${times[4].toFixed(2)}; target ≤ 1.0 s; ${(times[2] / 1.0).toFixed(2)}x of target); ` +
      `deeprepo --version in the same run: ${baseline[2].toFixed(2)} s`,
  );
} finally {
  await server.close();
  await Deno.remove(dir, { recursive: true });
}
