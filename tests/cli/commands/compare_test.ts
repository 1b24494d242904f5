import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_helpers/assert.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { writeTree } from "../../loader/_fixture.ts";
import { toolCall } from "../../engine/_fakes.ts";
import { run as runCompare } from "../../../lib/cli/commands/compare.ts";
import { FAKE_PRICING, fakeWorld, filesIn, optionsOf } from "./_in_process.ts";
import { MAIN, runCliProcess } from "../../_helpers/run_cli.ts";
import { loadRegistry } from "../../../lib/providers/mod.ts";
import { envFromRecord } from "../../../lib/config/env.ts";
import {
  type RecordedRequest,
  type ScriptedResponse,
  startFakeModelServer,
  toolResults,
} from "../../fakes/model_server.ts";
import { FIXTURE_FILES, isolatedEnv, MEDIUM, writeFixture } from "../../baseline/_fixture.ts";

/** Root code: review every file with one llm_batch, then submit the report. */
const ROOT_CODE = `
const paths = Object.keys(codebase).sort();
const reviews = await llm_batch(paths.map((p) => "Review " + p + ":\\n" + codebase[p]));
set_answer("# RLM report\\n\\n" + paths.map((p, i) => "## " + p + "\\n" + reviews[i]).join("\\n"));
`;

/** Anthropic handler: requests with tools are the RLM root, without tools the baseline. */
function anthropicHandler(baseline: () => ScriptedResponse, root: () => ScriptedResponse | null) {
  return (req: RecordedRequest): ScriptedResponse => {
    if (!req.body.tools) return baseline();
    const failed = root();
    if (failed) return failed;
    return toolResults(req).length === 0
      ? {
        toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }],
        usage: { input: 2_000, output: 150, cacheWrite: 1_500 },
      }
      : { text: "Submitted.", usage: { input: 300, output: 20, cacheRead: 1_500 } };
  };
}

/** A git repository of the fixture, and a PATH whose `git` logs every invocation. */
async function gitSetup(tmp: string): Promise<{ url: string; path: string; log: string }> {
  const repo = await writeFixture(`${tmp}/fixture_repo`);
  const git = (...args: string[]) =>
    new Deno.Command("git", {
      args,
      cwd: repo,
      env: {
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.invalid",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.invalid",
      },
      stdout: "null",
      stderr: "null",
    }).output();
  await git("init", "-q");
  await git("add", ".");
  await git("commit", "-q", "-m", "fixture");
  const realGit = new TextDecoder().decode(
    (await new Deno.Command("sh", { args: ["-c", "command -v git"], stdout: "piped" }).output())
      .stdout,
  ).trim();
  const bin = `${tmp}/bin`;
  const log = `${tmp}/git.log`;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(
    `${bin}/git`,
    `#!/bin/sh\necho "$@" >> "${log}"\nexec "${realGit}" "$@"\n`,
  );
  await Deno.chmod(`${bin}/git`, 0o755);
  return { url: `file://${repo}`, path: `${bin}:${Deno.env.get("PATH")}`, log };
}

Deno.test("compare clones once, runs both sides, writes five files with one timestamp, --json", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const { url, path, log } = await gitSetup(tmp);
    server.handler(
      anthropicHandler(
        () => ({ text: "# Baseline\nP0: x", usage: { input: 7_000, output: 90 } }),
        () => null,
      ),
      "anthropic",
    );
    server.handler(() => ({ text: "looks fine", usage: { input: 40, output: 4 } }), "openai");
    const result = await runCliProcess(
      ["compare", url, "-q", "--json", "-o", `${tmp}/out`, "--max-chars", "24000"],
      { cwd: tmp, env: isolatedEnv(tmp, { ...server.env(), PATH: path }) },
    );
    assertEquals(result.code, 0, result.stderr);
    server.assertNoFailures();

    const clones = (await Deno.readTextFile(log)).split("\n").filter((l) => l.startsWith("clone"));
    assertEquals(clones.length, 1, `git was asked to clone ${clones.length} times`);

    const files = [...Deno.readDirSync(`${tmp}/out`)].map((e) => e.name).sort();
    assertEquals(files.length, 7, files.join(", ")); // five, and the two HTML reports
    const stamps = new Set(files.map((f) => f.match(/_(\d{8}_\d{6})/)?.[1]));
    assertEquals(stamps.size, 1, files.join(", "));
    const ts = [...stamps][0];
    for (const name of [`deeprepo_fixture_repo_${ts}.md`, `baseline_fixture_repo_${ts}.md`]) {
      assert(files.includes(name), `${name} missing: ${files.join(", ")}`);
    }

    const table = JSON.parse(result.stdout);
    assertEquals(table.timestamp, ts);
    assertEquals(table.repo, url);
    const fileCount = Object.keys(FIXTURE_FILES).length;
    const rlmMetrics = JSON.parse(
      await Deno.readTextFile(`${tmp}/out/deeprepo_fixture_repo_${ts}_metrics.json`),
    );
    const baseMetrics = JSON.parse(
      await Deno.readTextFile(`${tmp}/out/baseline_fixture_repo_${ts}_metrics.json`),
    );
    assertEquals(table.rlm.status, "ok");
    assertEquals(table.rlm.sub_calls, fileCount);
    assertEquals(table.rlm.files_covered, rlmMetrics.files_dispatched);
    assertEquals(table.rlm.files_total, fileCount);
    assertEquals(table.rlm.total_cost, rlmMetrics.total_cost);
    assertEquals(table.rlm.root_cache_write_tokens, 1_500);
    assertEquals(table.rlm.turns, rlmMetrics.turns);
    assertEquals(table.baseline.status, "ok");
    assertEquals(table.baseline.models, baseMetrics.root_model);
    assertMatch(table.baseline.models, /opus/);
    assertEquals(table.baseline.root_input_tokens, 7_000);
    assertEquals(table.baseline.files_covered, fileCount - MEDIUM.length);
    assertEquals(table.baseline.files_excluded, MEDIUM.length);
    assertEquals(table.baseline.files_total, fileCount);
    assertEquals(table.baseline.analysis_chars, "# Baseline\nP0: x".length);
    assertEquals(baseMetrics.repo, url);
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare keeps the analyze results and the table says so when the baseline fails", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    server.handler(
      anthropicHandler(
        () => ({ fault: { status: 500, message: "baseline model down" } }),
        () => null,
      ),
      "anthropic",
    );
    server.handler(() => ({ text: "looks fine", usage: { input: 40, output: 4 } }), "openai");
    const result = await runCliProcess(["compare", repo, "-q", "-o", `${tmp}/out`], {
      cwd: tmp,
      env: isolatedEnv(tmp, server.env()),
    });
    assertEquals(result.code, 1, result.stderr);
    assertStringIncludes(result.stderr, "baseline failed");
    assertStringIncludes(result.stderr, "baseline model down");
    const lines = result.stdout.trim().split("\n");
    const status = lines.find((l) => l.startsWith("status"))!;
    assertMatch(status, /^status\s+ok\s+FAILED: .*baseline model down/);
    const files = [...Deno.readDirSync(`${tmp}/out`)].map((e) => e.name).sort();
    assertEquals(files.length, 7, files.join(", ")); // five, and the two HTML reports
    const rlmReport = lines.find((l) => /deeprepo_fixture_repo_\d{8}_\d{6}\.md$/.test(l))!;
    assertStringIncludes(await Deno.readTextFile(rlmReport), "looks fine");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare still runs the baseline when the analyze side fails", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    server.handler(
      anthropicHandler(
        () => ({ text: "# Baseline\nstill here", usage: { input: 7_000, output: 90 } }),
        () => ({ fault: { status: 500, message: "root model down" } }),
      ),
      "anthropic",
    );
    const result = await runCliProcess(["compare", repo, "-q", "--json", "-o", `${tmp}/out`], {
      cwd: tmp,
      env: isolatedEnv(tmp, server.env()),
    });
    assertEquals(result.code, 1, result.stderr);
    const table = JSON.parse(result.stdout);
    assertEquals(table.rlm.status, "failed");
    assertStringIncludes(table.rlm.error, "root model down");
    assertEquals(table.baseline.status, "ok");
    assertStringIncludes(await Deno.readTextFile(table.baseline.report), "still here");
    assertStringIncludes(result.stderr, "analyze failed");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

/** Anthropic prices of the baseline default (opus) and the root default (sonnet). */
async function prices(tmp: string) {
  const registry = await loadRegistry({ cwd: tmp, env: envFromRecord({}) });
  return {
    opus: registry.resolve("opus", "root").pricing,
    sonnet: registry.resolve("sonnet", "root").pricing,
  };
}

Deno.test("compare --max-cost runs the baseline first and gives analyze only what it left", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    const { opus, sonnet } = await prices(tmp);
    const args = ["compare", repo, "--json", "-o", `${tmp}/out`, "--max-chars", "24000"];
    const env = isolatedEnv(tmp, server.env());
    // The refusal of a tiny budget names what compare needs: the baseline's worst case plus the
    // least analyze accepts. Give it a cent more than that.
    const refused = await runCliProcess([...args, "--max-cost", "0.01"], { cwd: tmp, env });
    assertEquals(refused.code, 2, refused.stderr);
    const [, worst, least] = refused.stderr.match(/up to \$([\d.]+) .* needs \(\$([\d.]+) /)!;
    const maxCost = Math.ceil((Number(worst) + Number(least) + 0.01) * 10_000) / 10_000;
    // A baseline answer at the output limit spends most of the budget.
    const baselineUsage = { input: 6_000, output: 16_384 };
    const baselineCost = (6_000 * opus.input + 16_384 * opus.output) / 1e6;
    // The root's first turn is long (2,500 output tokens) and does not finish.
    server.handler((req) => {
      if (!req.body.tools) return { text: "# Baseline\nP0: x", usage: baselineUsage };
      const code = toolResults(req).length === 0
        ? "print(Object.keys(codebase).length)"
        : 'set_answer("# RLM report\\nfinished on budget")';
      return {
        toolCalls: [{ name: "execute_code", input: { code } }],
        usage: { input: 2_000, output: toolResults(req).length === 0 ? 2_500 : 100 },
      };
    }, "anthropic");
    server.handler(() => ({ text: "looks fine", usage: { input: 40, output: 4 } }), "openai");
    const result = await runCliProcess([...args, "--max-cost", String(maxCost)], {
      cwd: tmp,
      env,
    });
    assertEquals(result.code, 0, result.stderr);
    server.assertNoFailures();

    const requests = server.requestsFor("anthropic");
    assertEquals(requests[0].body.tools, undefined, "the baseline call must come first");
    assert(requests.slice(1).every((r) => r.body.tools), "one baseline call, then the RLM root");

    const table = JSON.parse(result.stdout);
    const analyzeBudget = Math.floor((maxCost - baselineCost) * 1e6) / 1e6;
    assertEquals(table.budget.max_cost, maxCost);
    assertEquals(table.budget.analyze_budget, analyzeBudget);
    assert(table.budget.baseline_worst_case < maxCost, JSON.stringify(table.budget));
    assert(
      table.budget.baseline_worst_case >= baselineCost,
      "the worst case must cover the real call",
    );
    const rlmMetrics = JSON.parse(
      await Deno.readTextFile(table.rlm.report.replace(/\.md$/, "_metrics.json")),
    );
    assertEquals(rlmMetrics.budget, analyzeBudget);
    assertEquals(table.rlm.budget_stopped, rlmMetrics.budget_stopped);
    assertEquals(table.rlm.status, "ok");
    assertStringIncludes(await Deno.readTextFile(table.rlm.report), "# RLM report");
    assert(Math.abs(table.baseline.total_cost - baselineCost) < 1e-9);
    assert(
      Math.abs(table.total_cost - (table.rlm.total_cost + table.baseline.total_cost)) < 1e-6,
    );
    // The budget holds across both sides, up to one root call past it (the engine's promise).
    const oneCall = (2_000 * sonnet.input + 2_500 * sonnet.output) / 1e6;
    assert(table.total_cost <= maxCost + oneCall + 1e-9, `${table.total_cost} > ${maxCost}`);
    assertStringIncludes(result.stderr, "the baseline call runs first");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare --max-cost below the baseline's worst case is a usage error before any call", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    const result = await runCliProcess(
      ["compare", repo, "-q", "-o", `${tmp}/out`, "--max-cost", "0.01"],
      { cwd: tmp, env: isolatedEnv(tmp, server.env()) },
    );
    assertEquals(result.code, 2, result.stderr);
    assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
    assertMatch(
      result.stderr,
      /--max-cost \$0\.0100 does not cover the baseline call \(up to \$[\d.]+ with anthropic:.*opus.*\) plus the least analyze needs \(\$[\d.]+ with anthropic:.*sonnet/,
    );
    assertStringIncludes(result.stderr, "lower --max-chars");
    assertEquals(server.requests.length, 0);
    assertEquals(result.stdout, "");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare says in one line when both sides failed", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    server.handler(
      anthropicHandler(
        () => ({ fault: { status: 500, message: "baseline model down" } }),
        () => ({ fault: { status: 500, message: "root model down" } }),
      ),
      "anthropic",
    );
    const result = await runCliProcess(["compare", repo, "-q", "-o", `${tmp}/out`], {
      cwd: tmp,
      env: isolatedEnv(tmp, server.env()),
    });
    assertEquals(result.code, 1, result.stderr);
    const lines = result.stderr.trim().split("\n");
    assertEquals(lines.length, 1, result.stderr);
    assertMatch(
      lines[0],
      /^deeprepo: compare: analyze failed: .*root model down.*; baseline failed: .*baseline model down/,
    );
    assertEquals(
      [...Deno.readDirSync(`${tmp}/out`)].length,
      7,
      "both sides write their files (five, and two HTML reports)",
    );
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare with an unusable output directory exits 2 before any model call", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    await Deno.writeTextFile(`${tmp}/taken`, "a file, not a folder");
    for (const command of ["compare", "baseline"]) {
      const result = await runCliProcess([command, repo, "-q", "-o", `${tmp}/taken/out`], {
        cwd: tmp,
        env: isolatedEnv(tmp, server.env()),
      });
      assertEquals(result.code, 2, `${command}: ${result.stderr}`);
      assertEquals(
        result.stderr,
        `deeprepo: output folder ${tmp}/taken/out: ${tmp}/taken is not a folder ` +
          "(choose another with -o)\n",
      );
    }
    assertEquals(server.requests.length, 0);
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare interrupted during the baseline keeps its files, skips analyze and exits 130", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    server.enqueueFor("anthropic", {
      text: "## 1. Architecture\n" + "streamed words ".repeat(200),
      chunks: ["## 1. Architecture\n", "streamed "],
      latencyMs: 60_000,
    });
    const env = isolatedEnv(tmp, { ...server.env(), DEEPREPO_REQUEST_TIMEOUT_MS: "60000" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "compare", repo, "-o", `${tmp}/out`, "--json"],
      cwd: tmp,
      env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? tmp, ...env },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    for (let i = 0; i < 200 && server.requestsFor("anthropic").length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(server.requestsFor("anthropic").length, 1, "the baseline call never started");
    child.kill("SIGINT");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 130, stderr);
    assertEquals(server.requestsFor("anthropic").length, 1, "analyze must not start");
    const table = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(table.rlm.error, "not run (interrupted)");
    assertEquals(table.baseline.status, "failed");
    const files = [...Deno.readDirSync(`${tmp}/out`)].map((e) => e.name).sort();
    assertEquals(files.length, 3, files.join(", ")); // report, metrics, HTML
    const metrics = JSON.parse(
      await Deno.readTextFile(table.baseline.report.replace(/\.md$/, "_metrics.json")),
    );
    assertStringIncludes(metrics.error, "interrupted");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare --max-cost does not start analyze when the baseline spent more than its worst case", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_compare_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    // A provider reporting far more output than was asked for: the budget is gone.
    server.enqueueFor("anthropic", {
      text: "# Baseline",
      usage: { input: 6_000, output: 200_000 },
    });
    const result = await runCliProcess(
      [
        "compare",
        repo,
        "-q",
        "--json",
        "-o",
        `${tmp}/out`,
        "--max-chars",
        "24000",
        "--max-cost",
        "1",
      ],
      { cwd: tmp, env: isolatedEnv(tmp, server.env()) },
    );
    assertEquals(result.code, 1, result.stderr);
    server.assertNoFailures();
    assertEquals(server.requestsFor("anthropic").length, 1, "analyze must not call the root");
    const table = JSON.parse(result.stdout);
    assertEquals(table.baseline.status, "ok");
    assertEquals(table.budget.analyze_budget, 0);
    assertEquals(
      table.rlm.error,
      "not run: the baseline left $0.0000 of --max-cost $1.00, less than analyze needs",
    );
    assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
    assertStringIncludes(result.stderr, "analyze failed: not run: the baseline left");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("compare in-process: both sides run on one snapshot, five files share one stamp, --json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_compare_inproc_" });
  try {
    await writeTree(`${dir}/repo`, {
      "README.md": "# demo\n",
      "src/main.ts": "export const main = () => 1;\n",
    });
    const world = fakeWorld({
      base: [{
        text: "# Baseline\n\nOne call saw everything.",
        usage: { inputTokens: 2_000, outputTokens: 300 },
      }],
      root: [
        toolCall("print(Object.keys(codebase).sort().join(','))"),
        toolCall('set_answer("# RLM\\n\\nFiles: " + Object.keys(codebase).length)'),
      ],
    });
    const ctx = capturedContext(dir);
    const options = await optionsOf("compare", [
      "repo",
      "--root-model",
      "fake:root",
      "--sub-model",
      "fake:sub",
      "--baseline-model",
      "fake:base",
      "--json",
      "-q",
    ], dir);
    assertEquals(await runCompare(options, ctx, world.deps), 0);
    assertEquals(ctx.errText(), "");

    const files = await filesIn(`${dir}/outputs`);
    assertEquals(files.length, 7, files.join(", ")); // five, and the two HTML reports
    const stamps = new Set(files.map((f) => f.match(/_(\d{8}_\d{6}(?:_\d+)?)[._]/)?.[1]));
    assertEquals(stamps.size, 1, files.join(", "));
    const table = JSON.parse(ctx.out.join("\n"));
    assertEquals([table.rlm.status, table.baseline.status], ["ok", "ok"]);
    assertEquals([table.rlm.models, table.baseline.models], [
      "fake:root + fake:sub",
      "fake:base",
    ]);
    assertEquals(table.rlm.turns, 2);
    const baselineCost = (2_000 * FAKE_PRICING.input + 300 * FAKE_PRICING.output) / 1e6;
    const rlmCost = 2 * (100 * FAKE_PRICING.input + 10 * FAKE_PRICING.output) / 1e6;
    assertEquals(table.baseline.total_cost, baselineCost);
    assertEquals(table.rlm.total_cost, rlmCost);
    assertEquals(table.total_cost, baselineCost + rlmCost);
    assertStringIncludes(await Deno.readTextFile(table.rlm.report), "Files: 2");
    assertStringIncludes(
      await Deno.readTextFile(table.baseline.report),
      "One call saw everything.",
    );
    // The baseline prompt carried the code; the root model never saw file contents.
    const basePrompt = JSON.stringify(world.clients.get("base")!.requests[0].messages);
    assertStringIncludes(basePrompt, "export const main = () => 1;");
    const rootPrompts = JSON.stringify(world.clients.get("root")!.requests);
    assertEquals(rootPrompts.includes("export const main = () => 1;"), false);
    assertEquals(world.clients.get("root")!.requests.length, 2);
    assert(world.repls.every((r) => r.closed));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
