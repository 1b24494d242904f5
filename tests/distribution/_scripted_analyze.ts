/**
 * One scripted analysis, usable against any way of running deeprepo (source, installed command,
 * compiled binary): the root model (fake, Anthropic protocol) runs one `execute_code` that sends
 * every file to the sub-model with `llm_batch` and sets the answer. Proves the sandbox child,
 * the plugins and the KV cache work in that form of deeprepo.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { startFakeModelServer, toolResults } from "../fakes/model_server.ts";

const ROOT_CODE = `
const paths = Object.keys(codebase).sort();
const reviews = await llm_batch(paths.map((p) => "Review " + p + ":\\n" + codebase[p]));
set_answer("# Report\\n\\n" + paths.map((p, i) => "## " + p + "\\n" + reviews[i]).join("\\n\\n"));
`;

/**
 * Runs `command analyze <fixture>` against a fake model server and checks the outputs.
 *
 * @param command The program and leading arguments, e.g. `[binary]` or `[deno, "run", "-A", main]`.
 * @param workDir A scratch folder (the fixture, outputs and cache go inside it).
 */
export async function scriptedAnalyzeCheck(command: string[], workDir: string): Promise<void> {
  const server = await startFakeModelServer();
  try {
    server.handler((req) =>
      toolResults(req).length === 0
        ? {
          toolCalls: [{ name: "execute_code", input: { code: ROOT_CODE } }],
          usage: { input: 1000, output: 100 },
        }
        : { text: "Done.", usage: { input: 1200, output: 10 } }, "anthropic");
    server.handler((req) => ({
      text: `sub-review of ${JSON.stringify(req.body).match(/Review ([\w./]+)/)?.[1]}`,
      usage: { input: 50, output: 5 },
    }), "openai");

    const proj = `${workDir}/scripted_proj`;
    await Deno.mkdir(`${proj}/src`, { recursive: true });
    await Deno.writeTextFile(`${proj}/src/app.js`, "export function add(a, b) { return a - b; }\n");
    await Deno.writeTextFile(`${proj}/README.md`, "# scripted\n");

    const out = await new Deno.Command(command[0], {
      args: [...command.slice(1), "analyze", proj, "-q", "-o", `${workDir}/out`],
      cwd: workDir,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: workDir,
        // Keep Deno's own module cache (it defaults to one under HOME): this runs offline.
        DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
        DEEPREPO_CACHE_DIR: `${workDir}/cache`,
        ...server.env(),
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    server.assertNoFailures();

    const reportPath = stdout.split("\n").at(-1)!;
    assert(reportPath.endsWith(".md"), `last stdout line should be the report path: ${stdout}`);
    const report = await Deno.readTextFile(reportPath);
    assertStringIncludes(report, "sub-review of src/app.js");
    assertStringIncludes(report, "sub-review of README.md");
    const metrics = JSON.parse(
      await Deno.readTextFile(reportPath.replace(/\.md$/, "_metrics.json")),
    );
    assertEquals(metrics.complete, true);
    assertEquals(metrics.sub_calls, 2);
    assertEquals(metrics.files_dispatched, 2);
    assertEquals(server.requestsFor("openai").length, 2);
  } finally {
    await server.close();
  }
}
