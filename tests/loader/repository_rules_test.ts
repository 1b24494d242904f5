/**
 * A folder inside a repository is loaded with the ignore rules git applies there: the
 * repository's `info/exclude` and the `.gitignore` files of the folders above it.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { loadCodebase } from "../../lib/loader/mod.ts";
import { withTempDir, writeTree } from "./_fixture.ts";

async function loadedPaths(folder: string): Promise<string[]> {
  const loaded = await loadCodebase(folder, { cwd: "/" });
  await loaded.dispose();
  return Object.keys(loaded.snapshot.codebase);
}

async function skippedAs(folder: string): Promise<Record<string, string>> {
  const loaded = await loadCodebase(folder, { cwd: "/" });
  return Object.fromEntries(loaded.snapshot.skipped.map((s) => [s.path, s.reason]));
}

Deno.test("loading a subfolder of a repository honours the .gitignore files above it", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      ".git/info/exclude": "mine.ts\n",
      ".gitignore": "*.gen.ts\npackages/*/out/\n/packages/api/local/\n",
      "packages/.gitignore": "scratch.ts\n",
      "packages/api/.gitignore": "!keep.gen.ts\n",
      "packages/api/src/app.ts": "export const app = 1;\n",
      "packages/api/src/types.gen.ts": "generated\n",
      "packages/api/keep.gen.ts": "re-included by the deeper file\n",
      "packages/api/out/bundle.ts": "build output\n",
      "packages/api/local/notes.md": "ignored by an anchored rule of the top\n",
      "packages/api/scratch.ts": "ignored by packages/.gitignore\n",
      "packages/api/mine.ts": "ignored by .git/info/exclude\n",
      "packages/web/index.ts": "not loaded: outside the folder\n",
    });
    assertEquals(await loadedPaths(`${dir}/packages/api`), [
      ".gitignore",
      "keep.gen.ts",
      "src/app.ts",
    ]);
    const skipped = await skippedAs(`${dir}/packages/api`);
    assertEquals(skipped["src/types.gen.ts"], "gitignored");
    assertEquals(skipped["out"], "gitignored");
    assertEquals(skipped["local"], "gitignored");
    assertEquals(skipped["scratch.ts"], "gitignored");
    assertEquals(skipped["mine.ts"], "gitignored");
  });
});

Deno.test("a folder the repository ignores is still loaded when asked for by name", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      ".git/HEAD": "ref: refs/heads/main\n",
      ".gitignore": "generated/\n*.tmp.ts\n",
      "generated/api.ts": "export {};\n",
      "generated/x.tmp.ts": "loaded too: the outer rules are dropped as a whole\n",
    });
    assertEquals(await loadedPaths(`${dir}/generated`), ["api.ts", "x.tmp.ts"]);
  });
});

Deno.test("ignore files above a folder outside any repository do not count", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      ".gitignore": "*.ts\n",
      "project/a.ts": "export {};\n",
    });
    assertEquals(await loadedPaths(`${dir}/project`), ["a.ts"]);
  });
});

Deno.test("a worktree's .git file leads to the info/exclude of the common git folder", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      "main/.git/info/exclude": "local-only.ts\n",
      "main/.git/worktrees/wt/commondir": "../..\n",
      "wt/.git": `gitdir: ${dir}/main/.git/worktrees/wt\n`,
      "wt/src/a.ts": "export {};\n",
      "wt/src/local-only.ts": "excluded\n",
    });
    assertEquals(await loadedPaths(`${dir}/wt`), ["src/a.ts"]); // the `.git` file is not loaded
    assertEquals(await loadedPaths(`${dir}/wt/src`), ["a.ts"]);
  });
});
