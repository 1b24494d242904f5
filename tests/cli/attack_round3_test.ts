/**
 * Round-3 host-side attacks on what the CLI prints: credentials in a git URL given to `status`
 * or `context` must not come back in their hints (`run \`deeprepo analyze <url> ...\``), which
 * are printed and end up in CI logs.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { parseArgs } from "../../lib/cli/program.ts";
import { statusLines } from "../../lib/cli/commands/status.ts";

const URL_WITH_TOKEN = "https://alice:SECRETTOKEN123@127.0.0.1:9/acme/app.git";
const io = { out: () => {} };

for (const command of ["status", "context"]) {
  Deno.test(`${command} keeps no credentials of a git URL in the source it shows`, async () => {
    const inv = await parseArgs([command, URL_WITH_TOKEN], "/w", io);
    assert(inv.command === "status" || inv.command === "context");
    const shown = inv.options.sourceAsTyped;
    assert(!shown.includes("SECRETTOKEN123"), shown);
    assertEquals(shown, "https://***@127.0.0.1:9/acme/app.git");
    assertEquals(shown.endsWith("127.0.0.1:9/acme/app.git"), true, shown);
  });
}

Deno.test("status lines of a stale URL source name the refresh command without the token", async () => {
  const inv = await parseArgs(["status", URL_WITH_TOKEN], "/w", io);
  assert(inv.command === "status");
  const lines = statusLines(
    {
      fresh: false,
      analysis: {
        metrics: "outputs/r_metrics.json",
        report: "outputs/r.md",
        timestamp: "",
        commit: null,
      },
      current: { commit: null, dirty: null },
      commitsSince: null,
      diff: { added: ["a.ts"], changed: [], removed: [], changedChars: 1, analysedChars: 1 },
      changedShare: 1,
      contextBlocks: [],
      refreshUsd: 0.01,
    },
    "app",
    inv.options,
  );
  assert(!lines.join("\n").includes("SECRETTOKEN123"), lines.join("\n"));
});
