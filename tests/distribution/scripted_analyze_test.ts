/**
 * The scripted analysis the binary test runs, here run from source, so the check itself is
 * exercised on every machine (the binary test is skipped where `deno compile` cannot run).
 */
import { MAIN } from "../_helpers/run_cli.ts";
import { scriptedAnalyzeCheck } from "./_scripted_analyze.ts";

Deno.test("scripted analyze from source: sandbox, plugins, KV cache, outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_scripted_" });
  try {
    await scriptedAnalyzeCheck([Deno.execPath(), "run", "-A", MAIN], dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
