/**
 * `--effort` / `--sub-effort` on the command line: an invalid level is a usage error (exit 2);
 * a level the model does not accept gives one warning and the run continues.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_helpers/assert.ts";
import { parseArgs } from "../../lib/cli/program.ts";
import { UsageError } from "../../lib/errors.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import { type RecordedRequest, startFakeModelServer } from "../fakes/model_server.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;
const io = { out: () => {} };

Deno.test("--effort and --sub-effort take low, medium, high or max (repl: --sub-effort only)", async () => {
  for (const command of ["analyze", "baseline", "compare"]) {
    const inv = await parseArgs([command, ".", "--effort", "max", "--sub-effort", "low"], "/w", io);
    assert("options" in inv);
    assertEquals((inv.options as { effort?: string }).effort, "max");
    assertEquals((inv.options as { subEffort?: string }).subEffort, "low");
  }
  // The REPL has no root model: only --sub-effort (for llm_query / llm_batch).
  const repl = await parseArgs(["repl", ".", "--sub-effort", "low"], "/w", io);
  assert("options" in repl);
  assertEquals((repl.options as { subEffort?: string }).subEffort, "low");
  await assertRejects(() => parseArgs(["repl", ".", "--effort", "max"], "/w", io), UsageError);
  const plain = await parseArgs(["analyze", "."], "/w", io);
  assert("options" in plain);
  assertEquals("effort" in plain.options, false);
});

Deno.test("an invalid --effort is a usage error (exit 2) naming the levels", async () => {
  for (const flag of ["--effort", "--sub-effort"]) {
    const error = await assertRejects(
      () => parseArgs(["analyze", ".", flag, "extreme"], "/w", io),
      UsageError,
    );
    assertStringIncludes(error.message, "low, medium, high or max");
    assertEquals(error.exitCode, 2);
  }
});

Deno.test("analyze --effort: sent where the model accepts it, else one warning and the run goes on", async () => {
  const server = await startFakeModelServer();
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_effort_" });
  try {
    server.handler(() => ({
      toolCalls: [{ name: "execute_code", input: { code: "set_answer('# ok')" } }],
      usage: { input: 100, output: 20 },
    }), "anthropic");
    const out = await runCliProcess(
      ["analyze", FIXTURE, "-q", "-o", `${dir}/out`, "--effort", "high", "--sub-effort", "low"],
      { cwd: dir, env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` } },
    );
    assertEquals(out.code, 0, out.stderr);
    const warnings = out.stderr.split("\n").filter((l) => l.includes("--effort high ignored"));
    const [root] = server.requestsFor("anthropic") as RecordedRequest[];
    const sent = JSON.stringify(root.body).includes('"high"');
    // Exactly one of: the level went out with the request, or one warning said it did not.
    assert(sent !== (warnings.length === 1), `sent ${sent}, warnings ${warnings.length}`);
    assert(warnings.length <= 1);
    assert(
      out.stderr.split("\n").filter((l) => l.includes("--sub-effort low ignored")).length <= 1,
    );
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
