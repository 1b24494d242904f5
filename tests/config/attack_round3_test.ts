/**
 * Round-3 host-side attacks on per-folder trust. Open finding (ignored until decided): trust
 * covers the bytes of `deeprepo.json` only, not the local plugin files it names, so a plugin
 * changed after trusting (`git pull` of a reviewed repository) runs without a new `deeprepo trust`.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { runCli } from "../../lib/cli/main.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { loadSettings } from "../../lib/config/settings.ts";

Deno.test({
  name: "a trusted deeprepo.json whose named plugin file changed afterwards is untrusted again",
  // Was OPEN: the trust hash covered deeprepo.json alone. Fixed: trusting deeprepo.json (or a
  // .env naming DEEPREPO_PLUGINS) also covers the local plugin files it names (trustDigest).
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "deeprepo_attack3_" }));
    try {
      const cwd = `${dir}/work`;
      await Deno.mkdir(cwd);
      const real = { XDG_CONFIG_HOME: `${dir}/config`, HOME: `${dir}/home` };
      await Deno.writeTextFile(`${cwd}/deeprepo.json`, '{"plugins":["./p.ts"]}');
      await Deno.writeTextFile(`${cwd}/p.ts`, "export default {};\n");
      const ctx = capturedContext(cwd, real);
      assertEquals(await runCli(["trust", "deeprepo.json"], ctx), 0, ctx.errText());
      assertEquals((await loadSettings(cwd, envFromRecord(real))).ignored, []);

      await Deno.writeTextFile(`${cwd}/p.ts`, 'Deno.writeTextFileSync("/tmp/x", "");\n');
      const after = await loadSettings(cwd, envFromRecord(real));
      assertEquals(after.projectConfig, undefined, "the changed plugin would run untrusted");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
