/**
 * The text dry run says what will be sent, not only what will not (#16 item 11), and fits 80
 * columns when not on a terminal (#16 item 9).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runCli } from "../../lib/cli/main.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { displayWidth } from "../../lib/cli/width.ts";

Deno.test("dry run lists top folders with counts and sizes and the largest files, within 80 columns", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_dry_listing_" });
  try {
    const files: Record<string, number> = {
      "src/core/engine.ts": 5000,
      "src/core/loop.ts": 3000,
      "src/util.ts": 1000,
      "tests/engine_test.ts": 2500,
      "docs/guide_with_a_rather_long_name_to_wrap_the_listing_line.md": 4000,
      "README.md": 800,
    };
    for (const [path, size] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/repo/${path.slice(0, path.lastIndexOf("/") + 1)}`, {
        recursive: true,
      });
      const line = "const value = compute(1, 2); // a line of fifty.\n"; // 50 characters
      await Deno.writeTextFile(`${dir}/repo/${path}`, line.repeat(size / 50));
    }
    const ctx = capturedContext(dir);
    assertEquals(await runCli(["analyze", "repo", "--dry-run"], ctx), 0, ctx.errText());
    const text = ctx.out.join("\n");
    assert(/^Will be sent: 6 files, [\d,]+ chars$/m.test(text), text);
    const folders = ctx.out.slice(ctx.out.indexOf("  by top folder:") + 1).slice(0, 4);
    assertEquals(folders.map((l) => l.trim().split(/\s+/).slice(0, 3).join(" ")), [
      "src/ 3 files",
      "docs/ 1 file",
      "tests/ 1 file",
      "(top level) 1",
    ]);
    const largest = ctx.out.slice(
      ctx.out.indexOf("  largest files:") + 1,
      ctx.out.indexOf("  largest files:") + 3,
    );
    assertEquals(largest.map((l) => l.trim().split(/\s+/).at(-1)), [
      "src/core/engine.ts",
      "docs/guide_with_a_rather_long_name_to_wrap_the_listing_line.md",
    ]);
    for (const line of ctx.out) assert(displayWidth(line) < 80, `too wide: ${line}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
