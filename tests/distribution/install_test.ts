/** `deno install -g` puts a working `deeprepo` command into the install root. */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { MAIN, runDeno } from "../_helpers/run_cli.ts";
import { COMMAND_NAME, URL_RUN_FLAGS } from "../../scripts/install_flags.ts";
import { VERSION } from "../../lib/version.ts";
import { scriptedAnalyzeCheck } from "./_scripted_analyze.ts";

Deno.test("deno install -g installs a deeprepo command that runs", async () => {
  const root = await Deno.makeTempDir({ prefix: "deeprepo_install_" });
  try {
    const install = await runDeno([
      "install",
      "-g",
      "--root",
      root,
      "--name",
      COMMAND_NAME,
      ...URL_RUN_FLAGS,
      MAIN,
    ], { cwd: root });
    assertEquals(install.code, 0, install.stderr);
    const bin = `${root}/bin/${COMMAND_NAME}`;
    const run = (args: string[]) =>
      new Deno.Command(bin, {
        args,
        cwd: root,
        env: { PATH: `${root}/bin:${Deno.env.get("PATH")}`, DEEPREPO_CACHE_DIR: `${root}/c` },
        stdin: "null",
      }).output();
    const version = await run(["--version"]);
    assertEquals(new TextDecoder().decode(version.stdout).trim(), VERSION);
    const list = await run(["list-models"]);
    assertEquals(list.code, 0, new TextDecoder().decode(list.stderr));
    assertStringIncludes(new TextDecoder().decode(list.stdout), "openrouter");
    // The installed command's narrow permissions suffice for a whole analysis: sandbox child,
    // plugins over HTTP, the KV cache and the output files.
    await scriptedAnalyzeCheck([bin], root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
