/**
 * `deeprepo analyze` end to end: the real CLI as a subprocess, the real plugins and SDKs, the
 * real sandbox and cache, against the fake model server, on the sample project with planted bugs.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../../_helpers/assert.ts";
import { capturedContext } from "../../_helpers/cli_context.ts";
import { writeTree } from "../../loader/_fixture.ts";
import { toolCall } from "../../engine/_fakes.ts";
import { run as runAnalyze } from "../../../lib/cli/commands/analyze.ts";
import { RunError } from "../../../lib/errors.ts";
import { fakeWorld, filesIn, optionsOf } from "./_in_process.ts";
import { runCliProcess } from "../../_helpers/run_cli.ts";
import {
  assistantTurns,
  type FakeServer,
  lastUserText,
  type RecordedRequest,
  type ScriptedResponse,
  startFakeModelServer,
  systemText,
  toolResults,
} from "../../fakes/model_server.ts";
import { loadRegistry } from "../../../lib/providers/mod.ts";
import { envFromRecord } from "../../../lib/config/env.ts";
import { priceUsage } from "../../../lib/engine/spend.ts";
import type { Pricing } from "../../../lib/providers/types.ts";

const FIXTURE = new URL("../../fixtures/sample_project", import.meta.url).pathname;
const FILES = [
  "README.md",
  "package.json",
  "src/auth.ts",
  "src/db.ts",
  "src/paginate.ts",
  "src/server.ts",
];

/** The analyze metrics keys of CONTRACT.md, in its order (from `turns` on, all numbers). */
const CONTRACT_METRICS = [
  "mode",
  "repo",
  "root_model",
  "sub_model",
  "complete",
  "turns",
  "root_calls",
  "sub_calls",
  "root_input_tokens",
  "root_output_tokens",
  "root_cache_read_tokens",
  "root_cache_write_tokens",
  "sub_input_tokens",
  "sub_output_tokens",
  "root_cost",
  "sub_cost",
  "total_cost",
  "cache_hits",
  "cache_misses",
  "retries",
  "sub_errors",
  "files_total",
  "files_dispatched",
  "elapsed_seconds",
  "analysis_chars",
];

/** 1-based turn of a root request: assistant messages so far + 1. */
function turnOf(req: RecordedRequest): number {
  return assistantTurns(req) + 1;
}

function call(code: string, usage = { input: 1000, output: 200 }): ScriptedResponse {
  return { toolCalls: [{ name: "execute_code", input: { code } }], usage };
}

/** Sub-model answers that name the planted bug of each file. */
function subAnswer(req: RecordedRequest): ScriptedResponse {
  const body = JSON.stringify(req.body);
  const finding = body.includes("ADMIN_TOKEN")
    ? "src/auth.ts:2 hard-coded secret; src/auth.ts:7 timing-unsafe comparison"
    : body.includes("SELECT * FROM notes")
    ? "src/db.ts:15 SQL injection: owner concatenated into the query"
    : body.includes("page * size")
    ? "src/paginate.ts:3 off-by-one: page 1 skips the first page"
    : "no issues";
  return { text: finding, usage: { input: 400, output: 60 } };
}

const EXPLORE = "const paths = Object.keys(codebase).sort();\nprint(paths.join('\\n'));";
const DISPATCH = "const reviews = await llm_batch(paths.map((p) => " +
  "'Review this file. Cite lines.\\nFile: ' + p + '\\n' + codebase[p]));\n" +
  "print(reviews.filter((r) => r !== 'no issues').length, 'files with findings');";
const SUBMIT = "set_answer('# Report\\n\\n' + paths.map((p, i) => '- ' + p + ': ' + reviews[i])" +
  ".join('\\n'));";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  reportPath: string;
  report: string;
  metrics: Record<string, unknown>;
  trajectory: { turns: { executions: { code: string; output: string }[] }[] };
}

async function withServer(fn: (server: FakeServer, dir: string) => Promise<void>) {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_analyze_" });
  try {
    await fn(server, dir);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function analyze(server: FakeServer, dir: string, flags: string[] = []): Promise<Run> {
  const out = await runCliProcess(["analyze", FIXTURE, "-o", `${dir}/out`, ...flags], {
    cwd: dir,
    env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
  });
  const reportPath = out.stdout.trim().split("\n").at(-1) ?? "";
  const read = async (path: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch {
      return "";
    }
  };
  let reportFile = reportPath;
  if (!reportFile.endsWith(".md")) {
    // Failure runs print no path on stdout; find the report in the output folder.
    try {
      for (const e of Deno.readDirSync(`${dir}/out`)) {
        if (e.name.endsWith(".md")) reportFile = `${dir}/out/${e.name}`;
      }
    } catch {
      // No output folder: nothing was written.
    }
  }
  const metricsText = await read(reportFile.replace(/\.md$/, "_metrics.json"));
  const trajectoryText = await read(reportFile.replace(/\.md$/, "_trajectory.json"));
  return {
    ...out,
    reportPath,
    report: await read(reportFile),
    metrics: metricsText ? JSON.parse(metricsText) : {},
    trajectory: trajectoryText ? JSON.parse(trajectoryText) : { turns: [] },
  };
}

async function pricingOf(model: string, env: Record<string, string>): Promise<Pricing> {
  const registry = await loadRegistry({ cwd: Deno.cwd(), env: envFromRecord(env) });
  return registry.resolve(model).pricing;
}

Deno.test("analyze: scripted root explores, dispatches every file, reuses a variable, submits", async () => {
  await withServer(async (server, dir) => {
    const script = [call(EXPLORE), call(DISPATCH), call(SUBMIT, { input: 1500, output: 300 })];
    server.handler((req) => script[turnOf(req) - 1], "anthropic");
    server.handler(subAnswer, "openai");
    const run = await analyze(server, dir);
    assertEquals(run.code, 0, run.stderr);
    server.assertNoFailures();

    assertMatch(run.reportPath, /\/out\/deeprepo_sample_project_\d{8}_\d{6}\.md$/);
    assertStringIncludes(run.report, "src/db.ts: src/db.ts:15 SQL injection");
    assertStringIncludes(run.report, "src/auth.ts: src/auth.ts:2 hard-coded secret");
    assertStringIncludes(run.report, "off-by-one");

    // The root never saw file contents; the variable from turn 1 worked in turns 2 and 3.
    const root = server.requestsFor("anthropic");
    assertEquals(root.length, 3);
    assert(!JSON.stringify(root[0].body).includes("sk-live-0000"));
    assertStringIncludes(toolResults(root[1])[0].content, "src/paginate.ts");
    assertStringIncludes(toolResults(root[2]).at(-1)!.content, "3 files with findings");
    assertStringIncludes(lastUserText(root[2]), "0 of 6 files not yet looked at");

    const m = run.metrics;
    const rootPrice = await pricingOf("sonnet", server.env());
    const subPrice = await pricingOf("minimax/minimax-m2.5", server.env());
    assertEquals(m.mode, "rlm");
    assertEquals(m.complete, true);
    assertEquals(m.turns, 3);
    assertEquals(m.root_calls, 3);
    assertEquals(m.sub_calls, 6);
    assertEquals(m.files_total, 6);
    assertEquals(m.files_dispatched, 6);
    assertEquals(m.root_input_tokens, 3500);
    assertEquals(m.root_output_tokens, 700);
    assertEquals(m.sub_input_tokens, 2400);
    assertEquals(m.sub_output_tokens, 360);
    const rootCost = priceUsage({ inputTokens: 3500, outputTokens: 700 }, rootPrice);
    const subCost = 6 * priceUsage({ inputTokens: 400, outputTokens: 60 }, subPrice);
    assertEquals(m.root_cost, Math.round(rootCost * 1e6) / 1e6);
    assertEquals(m.sub_cost, Math.round(subCost * 1e6) / 1e6);
    assertEquals(m.total_cost, Math.round((rootCost + subCost) * 1e6) / 1e6);
    const perFile = (rootCost + subCost) / 6;
    assertEquals(m.cost_per_file_covered, Math.round(perFile * 1e6) / 1e6);
    assertStringIncludes(run.stderr, `cost per file looked at: $${perFile.toFixed(4)}`);
    assertStringIncludes(
      run.stderr,
      `spend $${(rootCost + subCost).toFixed(4)}: root $${rootCost.toFixed(4)}, ` +
        `sub $${subCost.toFixed(4)}`,
    );
    assertEquals(m.cache_hits, 0);
    assertEquals(m.cache_misses, 6);
    assertEquals(m.retries, 0);
    assertEquals(m.sub_errors, 0);
    assertEquals(m.budget, null);
    assertEquals(m.budget_stopped, false);
    assertEquals(m.repo, FIXTURE);
    assertMatch(String(m.root_model), /^anthropic:/);
    assertEquals(m.sub_model, "openrouter:minimax/minimax-m2.5");
    assertEquals(m.root_cache_read_tokens, 0);
    assertEquals(m.root_cache_write_tokens, 0);
    assertEquals(m.analysis_chars, run.report.split("\n\n---\n")[0].length);
    assert(typeof m.elapsed_seconds === "number" && m.elapsed_seconds > 0);
    // Every key CONTRACT.md lists, as a JSON number, string or boolean of the right kind.
    for (const key of CONTRACT_METRICS) assert(key in m, `metrics lacks ${key}`);
    for (const key of CONTRACT_METRICS.slice(5)) {
      assertEquals(typeof m[key], "number", key);
    }
    assertEquals(run.trajectory.turns.length, 3);
    assertEquals(run.trajectory.turns[1].executions[0].code, DISPATCH);
    const subBodies = server.requestsFor("openai").map((r) => JSON.stringify(r.body));
    for (const f of FILES) assert(subBodies.some((b) => b.includes(`File: ${f}\\n`)), f);
    // Each sub call: its own system prompt, one prompt, 4,096 output tokens plus 4,096 of room
    // for thinking (MiniMax M2.5 always reasons, inside max_tokens).
    for (const r of server.requestsFor("openai")) {
      assertEquals(r.body.max_tokens ?? r.body.max_completion_tokens, 4096 + 4096);
      assertStringIncludes(systemText(r), "cite the file and line");
    }
    // Each root call: the root system prompt and exactly one tool, execute_code.
    for (const r of root) {
      assertStringIncludes(systemText(r), "You lead a code review");
      assertEquals((r.body.tools as { name: string }[]).map((t) => t.name), ["execute_code"]);
    }

    // Second run: every sub-model answer comes from the cache.
    const again = await analyze(server, dir, ["-q"]);
    assertEquals(again.code, 0, again.stderr);
    assertEquals(again.metrics.cache_hits, 6);
    assertEquals(again.metrics.sub_calls, 0);
    assertEquals(again.metrics.files_dispatched, 6);
    assertEquals(server.requestsFor("openai").length, 6);
  });
});

Deno.test("analyze: several tool calls in one turn each get their own result", async () => {
  await withServer(async (server, dir) => {
    server.handler((req) =>
      turnOf(req) === 1
        ? {
          toolCalls: [
            { name: "execute_code", input: { code: "let n = 1; print('first', n);" } },
            { name: "execute_code", input: { code: "n += 1; print('second', n);" } },
          ],
        }
        : call("set_answer('n is ' + n);"), "anthropic");
    const run = await analyze(server, dir, ["-q"]);
    assertEquals(run.code, 0, run.stderr);
    const results = toolResults(server.requestsFor("anthropic")[1]);
    assertEquals(results.map((r) => r.content), ["first 1", "second 2"]);
    assertStringIncludes(run.report, "n is 2");
  });
});

Deno.test("analyze: fenced code in a plain reply runs; a reply without code is nudged", async () => {
  await withServer(async (server, dir) => {
    const replies: ScriptedResponse[] = [
      {
        text: "Let me count the files.\n```js\nprint('files:', Object.keys(codebase).length);\n```",
      },
      { text: "The project looks small and simple." },
      call("set_answer('counted');"),
    ];
    server.handler((req) => replies[turnOf(req) - 1], "anthropic");
    const run = await analyze(server, dir, ["-q"]);
    assertEquals(run.code, 0, run.stderr);
    const root = server.requestsFor("anthropic");
    assertStringIncludes(lastUserText(root[1]), "files: 6");
    assertStringIncludes(lastUserText(root[2]), "No code ran");
    assertEquals(run.report.split("\n")[0], "counted");
  });
});

Deno.test("analyze: the turn limit salvages findings, exit 0, complete false", async () => {
  await withServer(async (server, dir) => {
    const script = [call(EXPLORE), call(DISPATCH)];
    server.handler((req) => script[turnOf(req) - 1], "anthropic");
    server.handler(subAnswer, "openai");
    const run = await analyze(server, dir, ["-q", "--max-turns", "2"]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.metrics.complete, false);
    assertEquals(run.metrics.stop_reason, "max_turns");
    assertStringIncludes(run.report, "Incomplete analysis");
    assertStringIncludes(run.report, "SQL injection");
    assertStringIncludes(lastUserText(server.requestsFor("anthropic")[1]), "This is the LAST turn");
  });
});

Deno.test("analyze: a root 500 is retried and the run succeeds", async () => {
  await withServer(async (server, dir) => {
    server.enqueueFor("anthropic", { fault: { status: 500 } });
    server.handler(() => call("set_answer('after retry');"), "anthropic");
    const run = await analyze(server, dir, ["-q"]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.metrics.retries, 1);
    assertEquals(run.metrics.root_calls, 1);
    assertEquals(server.requestsFor("anthropic").length, 2);
  });
});

Deno.test("analyze: a root failure after retries writes partial files and exits 1", async () => {
  await withServer(async (server, dir) => {
    server.handler(
      (req) => turnOf(req) === 1 ? call(`${EXPLORE}\n${DISPATCH}`) : { fault: { status: 500 } },
      "anthropic",
    );
    server.handler(subAnswer, "openai");
    const run = await analyze(server, dir, ["-q"]);
    assertEquals(run.code, 1);
    assertEquals(run.stdout.trim(), "");
    // One line: what failed, and where the partial results are.
    const lines = run.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, run.stderr);
    assertMatch(
      lines[0],
      /^deeprepo: .*500.*; partial results written to .*\/out\/deeprepo_.*\.md$/,
    );
    const reportPath = lines[0].slice(lines[0].lastIndexOf(" ") + 1);
    assertStringIncludes(await Deno.readTextFile(reportPath), "Incomplete analysis");
    assertEquals(run.metrics.complete, false);
    assertEquals(run.metrics.stop_reason, "root_error");
    assertEquals(run.metrics.sub_calls, 6);
    assertStringIncludes(run.report, "SQL injection");
    assertEquals(run.trajectory.turns.length, 1);
  });
});

Deno.test("analyze: a sub-call that fails for good is an [ERROR item; the run completes", async () => {
  await withServer(async (server, dir) => {
    const script = [call(`${EXPLORE}\n${DISPATCH}`), call(SUBMIT)];
    server.handler((req) => script[turnOf(req) - 1], "anthropic");
    server.handler(
      (req) =>
        JSON.stringify(req.body).includes("ADMIN_TOKEN")
          ? { fault: { status: 400, message: "prompt rejected" } }
          : subAnswer(req),
      "openai",
    );
    const run = await analyze(server, dir, ["-q"]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.metrics.complete, true);
    assertEquals(run.metrics.sub_errors, 1);
    assertEquals(run.metrics.files_dispatched, 5);
    assertMatch(run.report, /src\/auth\.ts: \[ERROR: .*prompt rejected/);
  });
});

Deno.test("analyze: an OpenAI-format root model works through the same loop", async () => {
  await withServer(async (server, dir) => {
    const script = [call(`${EXPLORE}\n${DISPATCH}`), call(SUBMIT)];
    server.handler(
      (req) => req.model === "gpt-6.1-sol" ? script[turnOf(req) - 1] : subAnswer(req),
      "openai",
    );
    const run = await analyze(server, dir, ["-q", "--root-model", "openai:gpt-6.1-sol"]);
    assertEquals(run.code, 0, run.stderr);
    const root = server.requestsFor("openai").filter((r) => r.model === "gpt-6.1-sol");
    assertEquals(root.length, 2);
    assertEquals(toolResults(root[1]).length, 1);
    assertEquals(run.metrics.root_model, "openai:gpt-6.1-sol");
    assertStringIncludes(run.report, "SQL injection");
  });
});

Deno.test("analyze -q prints only the report path; default mode shows progress and summary", async () => {
  await withServer(async (server, dir) => {
    server.handler(
      () => ({ text: "Submitting.", ...call("set_answer('quiet report');") }),
      "anthropic",
    );
    const quiet = await analyze(server, dir, ["-q"]);
    assertEquals(quiet.code, 0);
    assertEquals(quiet.stderr, "");
    assertEquals(quiet.stdout.trim().split("\n").length, 1);
    assert(quiet.stdout.trim().endsWith(".md"));

    const loud = await analyze(server, dir);
    assertEquals(loud.code, 0, loud.stderr);
    assertStringIncludes(loud.stderr, "Submitting."); // streamed root text
    assertMatch(
      loud.stderr,
      /turn 1\/20 · turn done · sub-calls 0\/0 · files 0\/6 sent · \d+s · \$\d/,
    );
    assertMatch(loud.stderr, /spend \$[\d.]+: root \$[\d.]+, sub \$0\.0000/);
    assertEquals(loud.stdout.trim().split("\n").at(-1), loud.reportPath);
  });
});

Deno.test("analyze: prompt-cache breakpoints are sent unless --no-prompt-cache", async () => {
  await withServer(async (server, dir) => {
    const usage = { input: 100, output: 10, cacheRead: 5000, cacheWrite: 800 };
    server.handler(
      (req) => turnOf(req) === 1 ? call(EXPLORE, usage) : call("set_answer('x');", usage),
      "anthropic",
    );
    const cached = await analyze(server, dir);
    assertEquals(cached.code, 0, cached.stderr);
    // Turn 2: breakpoints on the tool, the system prompt and the end of the latest user turn —
    // three, within Anthropic's limit of four — so the turn reads turn 1's prefix from cache.
    const body = server.requestsFor("anthropic")[1].body as {
      tools: { cache_control?: unknown }[];
      system: { cache_control?: unknown }[];
      messages: { role: string; content: { cache_control?: unknown }[] }[];
    };
    assert(body.tools.at(-1)!.cache_control);
    assert(body.system.at(-1)!.cache_control);
    const last = body.messages.at(-1)!;
    assertEquals(last.role, "user");
    assert(last.content.at(-1)!.cache_control);
    assertEquals(JSON.stringify(body).split('"cache_control"').length - 1, 3);
    // Usage and cost include cache reads and writes at the plugin's prices.
    assertEquals(cached.metrics.root_cache_read_tokens, 10_000);
    assertEquals(cached.metrics.root_cache_write_tokens, 1600);
    const price = await pricingOf("sonnet", server.env());
    const turnCost = priceUsage(
      { inputTokens: 100, outputTokens: 10, cacheReadTokens: 5000, cacheWriteTokens: 800 },
      price,
    );
    assertEquals(cached.metrics.root_cost, Math.round(2 * turnCost * 1e6) / 1e6);
    const saved = (10_000 * (price.input - price.cacheRead!) -
      1600 * (price.cacheWrite! - price.input)) / 1e6;
    assertEquals(cached.metrics.cache_savings, Math.round(saved * 1e6) / 1e6);
    // The summary shows the root/sub split, the savings in dollars and the cost per file.
    assertStringIncludes(
      cached.stderr,
      `prompt cache: 10000 tokens read, 1600 written, saved $${saved.toFixed(4)}`,
    );
    assertMatch(cached.stderr, /spend \$[\d.]+: root \$[\d.]+, sub \$0\.0000/);
    assertStringIncludes(cached.stderr, "no file reached a sub-model");

    const plain = await analyze(server, dir, ["-q", "--no-prompt-cache"]);
    assertEquals(plain.code, 0, plain.stderr);
    assertEquals(plain.metrics.prompt_cache, false);
    for (const r of server.requestsFor("anthropic").slice(2)) {
      assert(!JSON.stringify(r.body).includes("cache_control"));
    }
  });
});

Deno.test("analyze: Ctrl-C writes partial outputs and exits 130", async () => {
  await withServer(async (server, dir) => {
    server.handler(
      (req) => turnOf(req) === 1 ? call(`${EXPLORE}\n${DISPATCH}`) : { fault: { stall: true } },
      "anthropic",
    );
    server.handler(subAnswer, "openai");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../../main.ts", import.meta.url).pathname,
        "analyze",
        FIXTURE,
        "-q",
        "-o",
        `${dir}/out`,
      ],
      cwd: dir,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const deadline = Date.now() + 60_000;
    while (server.requestsFor("anthropic").length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 130, stderr);
    assertMatch(stderr, /^deeprepo: interrupted; partial results written to .*\.md\n$/);
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assertEquals(names.length, 4); // report, metrics, trajectory, HTML
    const metrics = JSON.parse(
      Deno.readTextFileSync(`${dir}/out/${names.find((n) => n.endsWith("_metrics.json"))}`),
    );
    assertEquals(metrics.stop_reason, "interrupted");
    assertEquals(metrics.sub_calls, 6);
  });
});

Deno.test("analyze: an output folder that is a file fails first, exit 2, no model called", async () => {
  await withServer(async (server, dir) => {
    await Deno.writeTextFile(`${dir}/taken`, "not a folder");
    const out = await runCliProcess(["analyze", FIXTURE, "-o", `${dir}/taken/reports`], {
      cwd: dir,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    assertEquals(out.code, 2, out.stderr);
    assertEquals(out.stdout, "");
    const lines = out.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, out.stderr);
    assertStringIncludes(lines[0], `${dir}/taken is not a folder`);
    assertEquals(server.requests.length, 0);
  });
});

Deno.test("analyze: --max-cost below two root turns fails before any model call", async () => {
  await withServer(async (server, dir) => {
    const out = await runCliProcess(
      ["analyze", FIXTURE, "-q", "-o", `${dir}/out`, "--max-cost", "0.001"],
      { cwd: dir, env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` } },
    );
    assertEquals(out.code, 2, out.stderr);
    assertMatch(
      out.stderr,
      /^deeprepo: --max-cost \$0\.0010 is below the \$0\.\d{4} projected for the first two root turns with anthropic:.*; raise it/,
    );
    assertEquals(server.requests.length, 0);
  });
});

// In-process runs: the same command with its registry, REPL and cache injected (`RunDeps`).

const IN_PROCESS_FILES = {
  "README.md": "# demo\n",
  "src/main.ts": 'import { add } from "./math.ts";\nconsole.log(add(1, 2));\n',
  "src/math.ts": "export const add = (a: number, b: number) => a + b;\n",
};

async function inProcessFolder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_analyze_inproc_" });
  await writeTree(`${dir}/repo`, IN_PROCESS_FILES);
  return dir;
}

Deno.test("analyze in-process: a root API failure after a turn writes the partial results and names them", async () => {
  const dir = await inProcessFolder();
  try {
    const refused = Object.assign(new Error("400 invalid request: prompt too long"), {
      status: 400,
    });
    const world = fakeWorld({
      root: [toolCall("state.files = Object.keys(codebase); print(state.files.length)"), {
        throws: refused,
      }],
    });
    const ctx = capturedContext(dir);
    const options = await optionsOf("analyze", [
      "repo",
      "--root-model",
      "fake:root",
      "--sub-model",
      "fake:sub",
      "-q",
    ], dir);
    const error = await assertRejects(() => runAnalyze(options, ctx, world.deps), RunError);
    const out = `${dir}/outputs`;
    const files = await filesIn(out);
    assertEquals(files.length, 4, files.join(", ")); // report, metrics, trajectory, HTML
    const report = files.find((f) => f.endsWith(".md"))!;
    assertStringIncludes(error.message, `partial results written to ${out}/${report}`);
    assertStringIncludes(error.message, "prompt too long");
    const metrics = JSON.parse(
      await Deno.readTextFile(`${out}/${files.find((f) => f.endsWith("_metrics.json"))!}`),
    );
    assertEquals([metrics.complete, metrics.stop_reason, metrics.turns], [false, "root_error", 1]);
    // The turn that was paid for is priced and kept: 100 in, 10 out at $3/$15 per 1M.
    assertEquals(metrics.root_cost, (100 * 3 + 10 * 15) / 1e6);
    const trajectory = JSON.parse(
      await Deno.readTextFile(`${out}/${files.find((f) => f.endsWith("_trajectory.json"))!}`),
    );
    assertEquals(trajectory.turns.length, 1);
    assertStringIncludes(JSON.stringify(trajectory.turns[0]), "3");
    assertEquals(world.repls.length, 1);
    assertEquals(world.repls[0].closed, true);
    assertEquals(ctx.out, [], "no report path on stdout for a failed run");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyze in-process: when the output folder breaks after a paid run, the results go to a temporary folder", async () => {
  const dir = await inProcessFolder();
  let saved: string | undefined;
  try {
    const out = `${dir}/outputs`;
    const world = fakeWorld({
      root: [(req) => {
        // The folder checked before the run is replaced by a file while the model is paid for.
        Deno.removeSync(out, { recursive: true });
        Deno.writeTextFileSync(out, "in the way");
        assert(req.messages.length > 0);
        return toolCall('set_answer("# Findings\\n\\nAll good.")');
      }],
    });
    const ctx = capturedContext(dir);
    const options = await optionsOf("analyze", [
      "repo",
      "--root-model",
      "fake:root",
      "--sub-model",
      "fake:sub",
      "-q",
    ], dir);
    await Deno.mkdir(out);
    const error = await assertRejects(() => runAnalyze(options, ctx, world.deps), RunError);
    const match = error.message.match(/results saved to (\S+\.md)/);
    assert(match, error.message);
    saved = match[1].slice(0, match[1].lastIndexOf("/"));
    assertStringIncludes(error.message, `could not write to ${out}`);
    assertEquals(error.message.split("\n").length, 1);
    assertStringIncludes(await Deno.readTextFile(match[1]), "# Findings");
    assertEquals((await filesIn(saved)).length, 4); // report, metrics, trajectory, HTML
    assertEquals(await Deno.readTextFile(out), "in the way");
  } finally {
    if (saved) await Deno.remove(saved, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});
