/**
 * The loader's options and messages through the real command: `--include`/`--exclude` on a dry
 * run, a glob that matches nothing and an unreadable `.deeprepoignore` as one warning line each,
 * and the secret count in the dry run's text and JSON.
 */
import { runCliProcess } from "../_helpers/run_cli.ts";
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { withTempDir, writeTree } from "./_fixture.ts";
import { plantedSecrets } from "./_secrets.ts";

Deno.test("analyze --dry-run: globs and .deeprepoignore take effect, problems are one warning each", async () => {
  await withTempDir(async (dir) => {
    const secret = plantedSecrets().find((s) => s.rule === "github")!;
    await writeTree(`${dir}/repo`, {
      "src/a.ts": "export const a = 1;\n",
      "src/a.test.ts": "test\n",
      [secret.path]: secret.content,
      "docs/guide.md": "# guide\n",
    });
    await Deno.mkdir(`${dir}/repo/.deeprepoignore`); // unreadable as a file
    const out = await runCliProcess(
      ["analyze", "repo", "--dry-run", "--json", "--exclude", "*.test.ts", "--exclude", "*.zzz"],
      { cwd: dir },
    );
    assertEquals(out.code, 0, out.stderr);
    assertEquals(out.stderr.trim().split("\n").sort(), [
      "deeprepo: warning: --exclude *.zzz matched no file",
      "deeprepo: warning: .deeprepoignore is not a regular file, not read",
    ]);
    const json = JSON.parse(out.stdout);
    const skipped = Object.fromEntries(
      (json.skipped as { path: string; reason: string }[]).map((s) => [s.path, s.reason]),
    );
    assertEquals(skipped["src/a.test.ts"], "excluded");
    assertEquals(json.secrets_redacted, { github: 1 });
    assert(!out.stdout.includes(secret.value));

    const text = await runCliProcess(["analyze", "repo", "--dry-run", "--include", "docs/**"], {
      cwd: dir,
    });
    assertEquals(text.code, 0, text.stderr);
    assertStringIncludes(text.stdout, "skipped (not included): ");
    assertStringIncludes(text.stdout, "Secrets masked: none found");
    const off = await runCliProcess(["analyze", "repo", "--dry-run", "--no-redact"], { cwd: dir });
    assertStringIncludes(off.stdout, "Secrets NOT masked (--no-redact)");
  });
});
