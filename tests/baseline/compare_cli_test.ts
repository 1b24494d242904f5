import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import {
  type RecordedRequest,
  type ScriptedResponse,
  startFakeModelServer,
  toolResults,
} from "../fakes/model_server.ts";
import { FIXTURE_FILES, isolatedEnv, MEDIUM, writeFixture } from "./_fixture.ts";

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
    assertEquals(files.length, 5, files.join(", "));
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
    assertEquals(files.length, 5, files.join(", "));
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
