/**
 * `analyze` → `status` → `context` through the real CLI against the fake model server: the
 * metrics remember what the run saw, `status` tells fresh (0) from stale (3), `context` builds
 * the agent file with one model call and writes it as a managed block.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import { type FakeServer, startFakeModelServer, systemText } from "../fakes/model_server.ts";
import { writeTree } from "../loader/_fixture.ts";

const APP = {
  "src/auth.ts": "export function login(user: string) {\n  return eval(user);\n}\n",
  "src/db.ts": "export const db = { query: (q: string) => q };\n",
  "package.json": JSON.stringify({ scripts: { test: "node --test", lint: "eslint ." } }),
  "README.md": "# app\n",
};

const ROOT_CODE =
  "set_answer('# Report\\n\\n- Code injection at src/auth.ts:2 — `return eval(user);`" +
  "\\n- Wrong line src/auth.ts:40\\n')";

/** An update run builds its report from the earlier one, which the REPL holds. */
const UPDATE_CODE =
  "set_answer('## What changed since the last analysis\\n\\n- src/db.ts re-read\\n\\n' + " +
  "metadata.previous_report)";

async function git(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args],
    cwd,
    stdout: "null",
    stderr: "null",
  }).output();
  assert(out.success, `git ${args.join(" ")}`);
}

async function withRepo(fn: (server: FakeServer, dir: string, app: string) => Promise<void>) {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_fresh_cli_" });
  try {
    const app = `${dir}/app`;
    await writeTree(app, APP);
    await git(app, "init", "-q");
    await git(app, "add", ".");
    await git(app, "commit", "-qm", "first");
    server.handler((req) =>
      systemText(req).includes("project-context file")
        ? {
          text: "## Architecture\n\n- Login evaluates input: src/auth.ts:2\n\n## Pitfalls\n\n" +
            "- Never call eval on user input (src/auth.ts:2)\n",
          usage: { input: 800, output: 60 },
        }
        : {
          toolCalls: [{
            name: "execute_code",
            input: {
              code: JSON.stringify(req.body.messages).includes("## Update of an earlier analysis")
                ? UPDATE_CODE
                : ROOT_CODE,
            },
          }],
          usage: { input: 900, output: 50 },
        }, "anthropic");
    await fn(server, dir, app);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function cli(server: FakeServer, dir: string, args: string[]) {
  return runCliProcess(args, {
    cwd: dir,
    env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
  });
}

Deno.test("analyze records commit and file hashes and checks the report's citations", async () => {
  await withRepo(async (server, dir, app) => {
    const run = await cli(server, dir, ["analyze", app, "-o", `${dir}/out`, "-q"]);
    assertEquals(run.code, 0, run.stderr);
    const reportPath = run.stdout.trim().split("\n").at(-1)!;
    const metrics = JSON.parse(
      await Deno.readTextFile(reportPath.replace(/\.md$/, "_metrics.json")),
    );
    assertMatch(metrics.snapshot.git_commit, /^[0-9a-f]{40}$/);
    assertEquals(metrics.snapshot.git_dirty, false);
    assertEquals(Object.keys(metrics.snapshot.files).sort(), Object.keys(APP).sort());
    assertEquals(metrics.snapshot.source, app);
    assertEquals(
      [metrics.citations_total, metrics.citations_verified, metrics.citations_unverified],
      [2, 1, 1],
    );
    const report = await Deno.readTextFile(reportPath);
    assertStringIncludes(report, "⚠ unverified: `src/auth.ts:40` (src/auth.ts has 3 lines)");
    assertStringIncludes(
      await Deno.readTextFile(reportPath.replace(/\.md$/, ".html")),
      "<!doctype html>",
    );

    const mdOnly = await cli(server, dir, [
      "analyze",
      app,
      "-o",
      `${dir}/md`,
      "-q",
      "--format",
      "md",
    ]);
    assertEquals(mdOnly.code, 0, mdOnly.stderr);
    assertEquals([...Deno.readDirSync(`${dir}/md`)].filter((e) => e.name.endsWith(".html")), []);
  });
});

Deno.test("status: exit 2 before any analysis, 0 when fresh, 3 naming what changed", async () => {
  await withRepo(async (server, dir, app) => {
    const none = await cli(server, dir, ["status", app, "-o", `${dir}/out`]);
    assertEquals(none.code, 2);
    assertMatch(
      none.stderr.trim(),
      /^deeprepo: no earlier analysis of app in .*; run `deeprepo analyze /,
    );
    assertEquals(none.stderr.trim().split("\n").length, 1);

    assertEquals((await cli(server, dir, ["analyze", app, "-o", `${dir}/out`, "-q"])).code, 0);
    const fresh = await cli(server, dir, ["status", app, "-o", `${dir}/out`]);
    assertEquals(fresh.code, 0, fresh.stderr);
    assertMatch(fresh.stdout, /^app: fresh/);

    await Deno.writeTextFile(
      `${app}/src/db.ts`,
      "export const db = { query: (q: string) => q + 1 };\n",
    );
    await Deno.writeTextFile(`${app}/src/new.ts`, "export const n = 1;\n");
    await git(app, "add", ".");
    await git(app, "commit", "-qm", "second");
    const stale = await cli(server, dir, ["status", app, "-o", `${dir}/out`, "--json"]);
    assertEquals(stale.code, 3, stale.stderr);
    const json = JSON.parse(stale.stdout);
    assertEquals(json.fresh, false);
    assertEquals(json.files_changed, ["src/db.ts"]);
    assertEquals(json.files_added, ["src/new.ts"]);
    assertEquals(json.commits_since, 1);
    assert(json.refresh_estimate_usd > 0);
  });
});

Deno.test("context: one model call, checked citations, written as a managed block", async () => {
  await withRepo(async (server, dir, app) => {
    await Deno.writeTextFile(`${app}/AGENTS.md`, "# Team rules\n\nRun tests before pushing.\n");
    assertEquals((await cli(server, dir, ["analyze", app, "-o", `${dir}/out`, "-q"])).code, 0);
    const before = server.requestsFor("anthropic").length;

    const offline = await cli(server, dir, ["context", app, "-o", `${dir}/out`, "--no-model"]);
    assertEquals(offline.code, 0, offline.stderr);
    assertStringIncludes(offline.stdout, "- test: `npm test` (package.json)");
    assertStringIncludes(offline.stdout, "- `src/` — 2 files (.ts)");
    assertEquals(server.requestsFor("anthropic").length, before);

    const written = await cli(server, dir, ["context", app, "-o", `${dir}/out`, "--write"]);
    assertEquals(written.code, 0, written.stderr);
    assertEquals(server.requestsFor("anthropic").length, before + 1);
    assertEquals(written.stdout.trim(), `${app}/AGENTS.md`);
    const agents = await Deno.readTextFile(`${app}/AGENTS.md`);
    assert(agents.startsWith("# Team rules\n\nRun tests before pushing.\n\n<!-- deeprepo:begin"));
    assertStringIncludes(agents, "Login evaluates input: src/auth.ts:2");
    assertStringIncludes(written.stderr, "citations 2/2 verified");

    const status = await cli(server, dir, ["status", app, "-o", `${dir}/out`]);
    assertEquals(status.code, 0, status.stdout + status.stderr);
    assertStringIncludes(status.stdout, "context: AGENTS.md fresh");

    const cursor = await cli(server, dir, [
      "context",
      app,
      "-o",
      `${dir}/out`,
      "--format",
      "cursor",
      "--no-model",
      "--write",
    ]);
    assertEquals(cursor.code, 0, cursor.stderr);
    assertMatch(
      await Deno.readTextFile(`${app}/.cursor/rules/deeprepo.mdc`),
      /^---\ndescription: .*\nglobs:\nalwaysApply: true\n---\n\n<!-- deeprepo:begin/,
    );

    await Deno.writeTextFile(`${app}/AGENTS.md`, agents.replace("Login evaluates", "Login runs"));
    const refused = await cli(server, dir, [
      "context",
      app,
      "-o",
      `${dir}/out`,
      "--write",
      "--no-model",
    ]);
    assertEquals(refused.code, 2);
    assertMatch(refused.stderr, /not writing AGENTS\.md: its deeprepo block was edited by hand/);
  });
});

Deno.test("context refuses an analysis of another repository", async () => {
  await withRepo(async (server, dir, app) => {
    const run = await cli(server, dir, ["analyze", app, "-o", `${dir}/out`, "-q"]);
    const report = run.stdout.trim().split("\n").at(-1)!;
    await writeTree(`${dir}/other`, { "x.ts": "export {};\n" });
    const out = await cli(server, dir, ["context", `${dir}/other`, "--from", report, "--no-model"]);
    assertEquals(out.code, 2);
    assertMatch(out.stderr, /is an analysis of .*\/app, not of .*\/other/);
  });
});

Deno.test("analyze --since: exit 2 before any call without an earlier run", async () => {
  await withRepo(async (server, dir, app) => {
    const out = await cli(server, dir, ["analyze", app, "-o", `${dir}/out`, "--since", "latest"]);
    assertEquals(out.code, 2);
    assertMatch(
      out.stderr.trim().split("\n").at(-1)!,
      /^deeprepo: no earlier analysis of app in .*; run `deeprepo analyze /,
    );
    assertEquals(server.requests.length, 0);
  });
});

Deno.test("analyze --since latest: the root starts from the earlier report and the changes", async () => {
  await withRepo(async (server, dir, app) => {
    const first = await cli(server, dir, ["analyze", app, "-o", `${dir}/out`, "-q"]);
    assertEquals(first.code, 0, first.stderr);
    const firstReport = first.stdout.trim().split("\n").at(-1)!;
    await Deno.writeTextFile(
      `${app}/src/db.ts`,
      "export const db = { query: (q: string) => q };\n// more\n",
    );
    await git(app, "commit", "-qam", "second");
    const before = server.requestsFor("anthropic").length;

    const run = await cli(server, dir, ["analyze", app, "-o", `${dir}/out`, "--since", "latest"]);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stderr, "0 added, 1 changed, 0 removed since");
    const firstRequest = server.requestsFor("anthropic")[before];
    const text = JSON.stringify(firstRequest.body.messages);
    assertStringIncludes(text, "## Update of an earlier analysis");
    assertStringIncludes(text, "- src/db.ts (+1 -0 lines)");
    assertStringIncludes(text, "metadata.previous_report");
    assertStringIncludes(text, "- Report"); // the earlier report's outline, not its text
    assert(!text.includes("Code injection at src/auth.ts:2"), "the report stays in the REPL");

    const report = run.stdout.trim().split("\n").at(-1)!;
    const metrics = JSON.parse(await Deno.readTextFile(report.replace(/\.md$/, "_metrics.json")));
    assertEquals(metrics.since.report, firstReport);
    assertEquals([metrics.since.files_added, metrics.since.files_changed], [0, 1]);
    assertEquals(metrics.files_reexamined, []);
    const updated = await Deno.readTextFile(report);
    assertStringIncludes(updated, "## What changed since the last analysis");
    assertStringIncludes(updated, "Code injection at src/auth.ts:2");
  });
});
