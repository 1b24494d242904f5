import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../../_helpers/assert.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { writeTree } from "../../loader/_fixture.ts";
import { run as runBaselineCommand } from "../../../lib/cli/commands/baseline.ts";
import { RunError } from "../../../lib/errors.ts";
import { fakeWorld, filesIn, optionsOf } from "./_in_process.ts";
import { MAIN, runCliProcess } from "../../_helpers/run_cli.ts";
import { lastUserText, startFakeModelServer, systemText } from "../../fakes/model_server.ts";
import { loadRegistry } from "../../../lib/providers/mod.ts";
import { envFromRecord } from "../../../lib/config/env.ts";
import {
  FIXTURE_BUDGET,
  FIXTURE_FILES,
  isolatedEnv,
  MEDIUM,
  SMALL,
  writeFixture,
} from "../../baseline/_fixture.ts";

async function sonnetPricing(tmp: string) {
  const registry = await loadRegistry({ cwd: tmp, env: envFromRecord({}) });
  return registry.resolve("sonnet", "root");
}

Deno.test("baseline sends the entry point first, then small files, and excludes what does not fit", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_baseline_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/fixture_repo`);
    server.enqueueFor("anthropic", {
      text: "## 1. Architecture\nfine\n## 4. Prioritized plan\nP0: none",
      usage: { input: 6_100, output: 420, cacheRead: 300, cacheWrite: 50 },
    });
    const result = await runCliProcess(
      ["baseline", repo, "-o", `${tmp}/out`, "--max-chars", String(FIXTURE_BUDGET)],
      { cwd: tmp, env: isolatedEnv(tmp, server.env()) },
    );
    assertEquals(result.code, 0, result.stderr);
    server.assertNoFailures();

    // One request, no tools, the four-section system prompt, 16,384 output tokens.
    const requests = server.requestsFor("anthropic");
    assertEquals(requests.length, 1);
    const req = requests[0];
    assertEquals(req.body.max_tokens, 16_384);
    assertEquals(req.body.tools, undefined);
    assertStringIncludes(systemText(req), "P0");
    const user = lastUserText(req);
    const order = ["main.py", ...SMALL].map((p) => user.indexOf(`### ${p}\n`));
    assert(order.every((i) => i >= 0), `missing included files: ${order}`);
    assertEquals([...order].sort((a, b) => a - b), order, "entry point first, then smallest first");
    for (const p of MEDIUM) {
      assert(!user.includes(FIXTURE_FILES[p]), `${p} content must not be sent`);
      assertStringIncludes(user, `- ${p}\n`);
    }
    assertStringIncludes(user, "## Files not shown");

    // Report path last on stdout; the answer was streamed to stderr.
    const reportPath = result.stdout.trim().split("\n").at(-1)!;
    assertMatch(reportPath, /\/out\/baseline_fixture_repo_\d{8}_\d{6}\.md$/);
    assertStringIncludes(result.stderr, "P0: none");
    assertMatch(
      result.stderr,
      /\nbaseline complete: 4 of 7 files sent \(3 excluded\), 6,450 input and 420 output tokens, \$0\.\d{4}, \d+\.\ds\n/,
    );
    const report = await Deno.readTextFile(reportPath);
    assertStringIncludes(report, "P0: none");
    assertStringIncludes(report, "6,450 input and 420 output tokens");

    const metrics = JSON.parse(
      await Deno.readTextFile(reportPath.replace(/\.md$/, "_metrics.json")),
    );
    const model = await sonnetPricing(tmp);
    const p = model.pricing;
    const expectedCost = (6_100 * p.input + 420 * p.output + 300 * (p.cacheRead ?? p.input) +
      50 * (p.cacheWrite ?? p.input)) / 1e6;
    assertEquals(metrics.mode, "baseline");
    assertEquals(metrics.repo, repo);
    assertEquals(metrics.root_model, model.label);
    assertEquals(metrics.root_calls, 1);
    assertEquals(metrics.root_input_tokens, 6_100);
    assertEquals(metrics.root_output_tokens, 420);
    assertEquals(metrics.root_cache_read_tokens, 300);
    assertEquals(metrics.root_cache_write_tokens, 50);
    assert(
      Math.abs(metrics.root_cost - expectedCost) < 1e-9,
      `${metrics.root_cost} vs ${expectedCost}`,
    );
    assertEquals(metrics.total_cost, metrics.root_cost);
    assertEquals(metrics.included_files, 4);
    assertEquals(metrics.excluded_files, 3);
    assertEquals(metrics.excluded_paths, MEDIUM);
    assertEquals(metrics.prompt_chars, user.length);
    assert(metrics.prompt_chars <= FIXTURE_BUDGET, `${metrics.prompt_chars} > --max-chars`);
    assertEquals(metrics.max_chars, FIXTURE_BUDGET);
    assertEquals(metrics.max_output_tokens, 16_384);
    assertEquals(
      metrics.analysis_chars,
      "## 1. Architecture\nfine\n## 4. Prioritized plan\nP0: none".length,
    );
    assertEquals(metrics.complete, true);
    assertEquals(typeof metrics.elapsed_seconds, "number");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline -q prints only the report path", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_baseline_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/repo`);
    server.enqueueFor("anthropic", { text: "quiet report", usage: { input: 10, output: 2 } });
    const result = await runCliProcess(["baseline", repo, "-q", "-o", `${tmp}/out`], {
      cwd: tmp,
      env: isolatedEnv(tmp, server.env()),
    });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stderr, "");
    assertEquals(result.stdout.trim().split("\n").length, 1);
    const metrics = JSON.parse(
      await Deno.readTextFile(result.stdout.trim().replace(/\.md$/, "_metrics.json")),
    );
    // The default budget holds the whole fixture.
    assertEquals(metrics.excluded_files, 0);
    assertEquals(metrics.included_files, Object.keys(FIXTURE_FILES).length);
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline writes metrics with the error and exits 1 when the API keeps failing", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_baseline_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/repo`);
    server.handler(() => ({ fault: { status: 500, message: "upstream exploded" } }), "anthropic");
    const result = await runCliProcess(["baseline", repo, "-q", "-o", `${tmp}/out`], {
      cwd: tmp,
      env: isolatedEnv(tmp, server.env()),
    });
    assertEquals(result.code, 1, result.stderr);
    assert(server.requestsFor("anthropic").length > 1, "the call should have been retried");
    assertStringIncludes(result.stderr, "upstream exploded");
    assert(!result.stderr.includes("    at "), `no stack trace expected: ${result.stderr}`);
    assertEquals(result.stderr.trim().split("\n").length, 1, "one line on stderr");
    assertMatch(
      result.stderr,
      /; partial results written to .*\/out\/baseline_repo_\d{8}_\d{6}\.md\n$/,
    );
    const files = [...Deno.readDirSync(`${tmp}/out`)].map((e) => e.name).sort();
    assertEquals(files.length, 3, files.join(", ")); // report, metrics, HTML
    const metrics = JSON.parse(
      await Deno.readTextFile(`${tmp}/out/${files.find((f) => f.endsWith("_metrics.json"))}`),
    );
    assertEquals(metrics.complete, false);
    assertEquals(metrics.root_calls, 0);
    assertStringIncludes(metrics.error, "upstream exploded");
    assert(metrics.retries >= 1);
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline exits 2 naming the variable when the key is missing, before any request", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_baseline_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/repo`);
    const env = { ...server.env(), ANTHROPIC_API_KEY: "" };
    const result = await runCliProcess(["baseline", repo, "-o", `${tmp}/out`], {
      cwd: tmp,
      env: isolatedEnv(tmp, env),
    });
    assertEquals(result.code, 2, result.stderr);
    assertStringIncludes(result.stderr, "ANTHROPIC_API_KEY");
    assertEquals(server.requests.length, 0);
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline interrupted mid-call writes its files and exits 130", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_baseline_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/repo`);
    server.enqueueFor("anthropic", {
      text: "## 1. Architecture\n" + "streamed words ".repeat(200),
      chunks: ["## 1. Architecture\n", "streamed "],
      latencyMs: 60_000,
    });
    const env = isolatedEnv(tmp, { ...server.env(), DEEPREPO_REQUEST_TIMEOUT_MS: "60000" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "baseline", repo, "-o", `${tmp}/out`],
      cwd: tmp,
      env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? tmp, ...env },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    for (let i = 0; i < 200 && server.requestsFor("anthropic").length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(server.requestsFor("anthropic").length, 1, "the call never started");
    child.kill("SIGINT");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 130, stderr);
    assertMatch(stderr, /\ndeeprepo: interrupted; partial results written to .*\.md\n$/);
    const files = [...Deno.readDirSync(`${tmp}/out`)].map((e) => e.name);
    const metricsName = files.find((f) => f.endsWith("_metrics.json"));
    assert(metricsName, `no metrics written: ${files.join(", ")}`);
    const metrics = JSON.parse(await Deno.readTextFile(`${tmp}/out/${metricsName}`));
    assertEquals(metrics.complete, false);
    assertStringIncludes(metrics.error, "interrupted");
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline limits the answer to what a small context window leaves, and says so", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_baseline_" });
  const server = await startFakeModelServer();
  try {
    const repo = await writeFixture(`${tmp}/repo`);
    // ~40k fixture characters plus 50k more: ~26k prompt tokens at the cautious 3.5 chars/token.
    await Deno.writeTextFile(`${repo}/pkg/big.py`, "# a long module line\n".repeat(2_400));
    server.enqueueFor("openai", { text: "short report", usage: { input: 23_000, output: 300 } });
    const result = await runCliProcess(
      ["baseline", repo, "-q", "-o", `${tmp}/out`, "--root-model", "qwen-coder"],
      { cwd: tmp, env: isolatedEnv(tmp, server.env()) },
    );
    assertEquals(result.code, 0, result.stderr);
    server.assertNoFailures();
    const request = server.requestsFor("openai")[0];
    const limit = Number(request.body.max_tokens ?? request.body.max_completion_tokens);
    const registry = await loadRegistry({ cwd: tmp, env: envFromRecord({}) });
    const window = registry.resolve("qwen-coder", "root").contextWindow!;
    assert(limit >= 1_024 && limit < 16_384, `max_tokens ${limit}`);
    const prompt = systemText(request).length + lastUserText(request).length;
    assert(prompt / 3.5 + limit <= window * 1.01, `${prompt} chars + ${limit} > ${window}`);
    assertMatch(
      result.stderr,
      /^deeprepo: warning: the baseline prompt \(~[\d,]+ tokens\) leaves room for [\d,]+ output tokens in openrouter:qwen\/.*context window of [\d,]+ tokens; the answer is limited to that/,
    );
    assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
    const metrics = JSON.parse(
      await Deno.readTextFile(result.stdout.trim().replace(/\.md$/, "_metrics.json")),
    );
    assertEquals(metrics.max_output_tokens, limit);
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("baseline in-process: an API that keeps failing is retried, then metrics and report record the failure", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_baseline_inproc_" });
  try {
    await writeTree(`${dir}/repo`, { "src/a.ts": "export const a = 1;\n" });
    const overloaded = () => ({
      throws: Object.assign(new Error("529 overloaded"), { status: 529 }),
    });
    const world = fakeWorld({ base: [overloaded(), overloaded(), overloaded(), overloaded()] });
    const ctx = capturedContext(dir, { DEEPREPO_RETRY_BASE_MS: "1" });
    const options = await optionsOf("baseline", ["repo", "--root-model", "fake:base"], dir);
    const error = await assertRejects(
      () => runBaselineCommand(options, ctx, world.deps),
      RunError,
    );
    const files = await filesIn(`${dir}/outputs`);
    assertEquals(files.length, 3, files.join(", ")); // report, metrics, HTML
    assertStringIncludes(error.message, "overloaded");
    assertStringIncludes(error.message, `partial results written to ${dir}/outputs/`);
    const metrics = JSON.parse(
      await Deno.readTextFile(`${dir}/outputs/${files.find((f) => f.endsWith(".json"))!}`),
    );
    assertEquals(metrics.complete, false);
    assertEquals(metrics.retries, 3);
    assertStringIncludes(metrics.error, "overloaded");
    assertEquals(world.clients.get("base")!.requests.length, 4);
    assertEquals(ctx.errText().match(/\[retry\]/g)?.length, 3);
    assertEquals(ctx.out, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
