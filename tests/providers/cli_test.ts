/**
 * What a user sees of the providers from the command line, in real processes: `[retry]` lines,
 * the missing-key message, and a `--plugin` model answering a run.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { REPO_ROOT, runCliProcess } from "../_helpers/run_cli.ts";
import { type FakeServer, startFakeModelServer } from "../fakes/model_server.ts";

/** A temp folder with a one-file repository, a fake server, and an isolated environment. */
async function withRun(
  fn: (server: FakeServer, tmp: string, env: Record<string, string>) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "deeprepo_providers_cli_" });
  const server = await startFakeModelServer();
  try {
    await Deno.mkdir(`${tmp}/repo`);
    await Deno.writeTextFile(`${tmp}/repo/main.ts`, "export const answer = 42;\n");
    const env = {
      ...server.env(),
      XDG_CONFIG_HOME: `${tmp}/config`,
      DEEPREPO_CACHE_DIR: `${tmp}/cache`,
    };
    await fn(server, tmp, env);
  } finally {
    await server.close();
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("each retry prints one [retry] line on stderr, and none with -q", async () => {
  await withRun(async (server, tmp, env) => {
    const faults = [
      { fault: { status: 429, retryAfter: 0, message: "slow down" } },
      { fault: { status: 503 } },
    ];
    server.enqueueFor("anthropic", ...faults, { text: "# Report\nloud" });
    const loud = await runCliProcess(["baseline", "repo", "-o", "out"], { cwd: tmp, env });
    assertEquals(loud.code, 0, loud.stderr);
    const retryLines = loud.stderr.split("\n").filter((l) => l.startsWith("[retry]"));
    assertEquals(retryLines.length, 2, loud.stderr);
    // Retry-After: 0 is honoured (no backoff), the 503 backs off from DEEPREPO_RETRY_BASE_MS.
    assertEquals(
      retryLines[0],
      "[retry] anthropic claude-sonnet-5-5: status 429; retry 1/3 in 0 ms",
    );
    assertMatch(
      retryLines[1],
      /^\[retry\] anthropic claude-sonnet-5-5: status 503; retry 2\/3 in /,
    );

    server.enqueueFor("anthropic", ...faults, { text: "# Report\nquiet" });
    const quiet = await runCliProcess(["baseline", "repo", "-q", "-o", "out"], { cwd: tmp, env });
    assertEquals(quiet.code, 0, quiet.stderr);
    assertEquals(quiet.stderr, "");
    assertEquals(server.requestsFor("anthropic").length, 6);
    server.assertNoFailures();
  });
});

Deno.test("a missing key exits 2 with one line naming the variable and .env", async () => {
  await withRun(async (server, tmp, env) => {
    const { OPENROUTER_API_KEY: _, ...noKey } = env;
    const result = await runCliProcess(["analyze", "repo", "-o", "out"], {
      cwd: tmp,
      env: noKey,
    });
    assertEquals(result.code, 2);
    assertEquals(
      result.stderr,
      "deeprepo: OPENROUTER_API_KEY is not set: model openrouter:minimax/minimax-m2.5 needs it. " +
        `Set it in the environment or in a .env file in ${tmp} (then run \`deeprepo trust .env\` ` +
        "there)\n",
    );
    assertEquals(server.requests.length, 0);
    // The same key in .env is enough once the file is trusted.
    await Deno.writeTextFile(`${tmp}/.env`, "OPENROUTER_API_KEY=from-dotenv\n");
    const trusted = await runCliProcess(["trust", ".env"], { cwd: tmp, env: noKey });
    assertEquals(trusted.code, 0, trusted.stderr);
    const dry = await runCliProcess(["list-models", "--json"], { cwd: tmp, env: noKey });
    assertEquals(dry.code, 0, dry.stderr);
    const listing = JSON.parse(dry.stdout);
    assertEquals(
      listing.providers.find((p: { name: string }) => p.name === "openrouter").keySet,
      true,
    );
  });
});

Deno.test("the guide's example plugin answers a baseline run through --plugin", async () => {
  await withRun(async (server, tmp, env) => {
    server.enqueueFor("acme-large", { fault: { status: 500 } }, {
      text: "# Acme report",
      usage: { input: 1000, output: 100 },
    });
    const result = await runCliProcess(
      [
        "baseline",
        "repo",
        "-o",
        "out",
        "--plugin",
        `${REPO_ROOT}/examples/plugins/acme_chat.ts`,
        "--root-model",
        "acme",
      ],
      { cwd: tmp, env: { ...env, ACME_API_KEY: "k", ACME_BASE_URL: `${server.url}/v1` } },
    );
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stderr, "[retry] acme acme-large: status 500; retry 1/3");
    const report = result.stdout.trim().split("\n").at(-1)!;
    assertStringIncludes(await Deno.readTextFile(report), "# Acme report");
    const metrics = JSON.parse(await Deno.readTextFile(report.replace(/\.md$/, "_metrics.json")));
    assertEquals(metrics.root_model, "acme:acme-large");
    // 1,000 in at $1.50 + 100 out at $6.00 per 1M.
    assertEquals(Math.round(metrics.root_cost * 1e6), 2100);
    server.assertNoFailures();
  });
});
