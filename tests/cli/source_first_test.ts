/**
 * A mistyped path is the first thing reported, before a missing key or an unknown model: the
 * cheap check runs before models are resolved.
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";

const commands = [
  ["analyze"],
  ["baseline"],
  ["compare"],
  ["analyze", "--dry-run"],
  ["baseline", "--dry-run", "--root-model", "no-such-model"],
];

Deno.test("a missing path is reported before a missing key or an unknown model, exit 2", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "deeprepo_src_" });
  try {
    await Deno.writeTextFile(`${cwd}/file.txt`, "x");
    for (const [command, ...rest] of commands) {
      const missing = await runCliProcess([command, "no-such-folder", ...rest], { cwd });
      assertEquals(missing.code, 2, `${command}: ${missing.stderr}`);
      assertMatch(missing.stderr.trim(), /^deeprepo: path not found: .*no-such-folder$/);
      const file = await runCliProcess([command, "file.txt", ...rest], { cwd });
      assertEquals(file.code, 2, `${command}: ${file.stderr}`);
      assertMatch(file.stderr.trim(), /^deeprepo: not a folder: .*file\.txt$/);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
