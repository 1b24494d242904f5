/**
 * Through the real CLI: a model string two plugins offer prints one warning, and a plugin's
 * configuration error (`kind: "config"`) is not retried and exits 2.
 */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

const plugin = (name: string, id: string, complete: string) =>
  `export default { name: "${name}", models: [{ id: "${id}", aliases: ["fav"],
     pricing: { input: 0, output: 0 } }], createClient: () => ({ complete: ${complete} }) };`;

Deno.test("analyze: one warning for a shadowed model; a config error is not retried, exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_shadow_cli_" });
  try {
    await Deno.writeTextFile(
      `${dir}/lo.ts`,
      plugin("lo", "lo-1", "async () => { throw new Error('unused'); }"),
    );
    await Deno.writeTextFile(
      `${dir}/hi.ts`,
      plugin(
        "hi",
        "hi-1",
        `async () => { throw Object.assign(new Error("HI_REGION must be eu or us, got mars"), { kind: "config" }); }`,
      ),
    );
    const out = await runCliProcess([
      "analyze",
      FIXTURE,
      "--plugin",
      `${dir}/lo.ts`,
      "--plugin",
      `${dir}/hi.ts`,
      "--root-model",
      "fav",
      "--sub-model",
      "lo:lo-1",
      "-o",
      `${dir}/out`,
    ], {
      cwd: dir,
      env: { DEEPREPO_CACHE_DIR: `${dir}/cache`, XDG_CONFIG_HOME: `${dir}/config` },
    });
    assertEquals(out.code, 2, out.stderr);
    const lines = out.stderr.split("\n");
    const warnings = lines.filter((l) => l.includes('model "fav" is offered by more than one'));
    assertEquals(warnings, [
      'deeprepo: warning: model "fav" is offered by more than one plugin: using hi:hi-1 ' +
      `(from ${dir}/hi.ts, the highest precedence), not lo:lo-1; write provider:model to choose`,
    ]);
    assertEquals(lines.filter((l) => l.startsWith("[retry]")), []);
    assertStringIncludes(out.stderr, "hi hi-1: HI_REGION must be eu or us, got mars");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
