/**
 * End to end: a whole `deeprepo analyze` of a repository full of hard-coded secrets, with a
 * root model that sends every file to the sub-model. The fake model server sees every request;
 * none may carry a secret's value.
 */
import { startFakeModelServer, toolResults } from "../fakes/model_server.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { writeTree } from "./_fixture.ts";
import { lookAlikes, plantedSecrets } from "./_secrets.ts";

const ROOT_CODE = `
const paths = Object.keys(codebase).sort();
const reviews = await llm_batch(paths.map((p) => "Review " + p + ":\\n" + codebase[p]));
set_answer("# Report\\n\\n" + paths.map((p, i) => "## " + p + "\\n" + reviews[i]).join("\\n\\n"));
`;

Deno.test("no secret value reaches the model server during a whole analyze; each is counted", async () => {
  const work = await Deno.makeTempDir({ prefix: "deeprepo_redact_e2e_" });
  const server = await startFakeModelServer();
  try {
    const planted = plantedSecrets();
    const fakes = lookAlikes();
    const files: Record<string, string> = { [fakes.path]: fakes.content };
    for (const s of planted) files[s.path] = s.content;
    await writeTree(`${work}/repo`, files);
    server.handler(
      (req) =>
        toolResults(req).length === 0
          ? { toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }] }
          : { text: "Done." },
      "anthropic",
    );
    server.handler(() => ({ text: "reviewed" }), "openai");

    const out = await runCliProcess(["analyze", "repo", "-q", "-o", `${work}/out`], {
      cwd: work,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${work}/cache` },
    });
    assertEquals(out.code, 0, out.stderr);
    server.assertNoFailures();

    const sub = server.requestsFor("openai");
    assertEquals(sub.length, planted.length + 1, "every file went to the sub-model");
    const sent = server.requests.map((r) => JSON.stringify(r.body)).join("\n");
    for (const secret of planted) {
      assert(!sent.includes(JSON.stringify(secret.value).slice(1, -1)), `${secret.path} leaked`);
    }
    assertStringIncludes(sent, "[REDACTED:aws]");
    for (const value of fakes.values) {
      assertStringIncludes(sent, JSON.stringify(value).slice(1, -1), "look-alike sent as is");
    }

    const reportPath = out.stdout.trim().split("\n").at(-1)!;
    const metrics = JSON.parse(
      await Deno.readTextFile(reportPath.replace(/\.md$/, "_metrics.json")),
    );
    const counted = Object.values(metrics.secrets_redacted as Record<string, number>)
      .reduce((a, b) => a + b, 0);
    assertEquals(counted, 25);
    assertStringIncludes(await Deno.readTextFile(reportPath), "secrets masked: 25");
  } finally {
    await server.close();
    await Deno.remove(work, { recursive: true });
  }
});
