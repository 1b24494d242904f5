/**
 * Round-3 host-side attacks on the git state deeprepo reads (`status`, `analyze` fingerprints):
 * a repository delivered with its `.git` folder (a vendor tarball) must not get `git status` to
 * run a program through configuration that `git config --local` does not show.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { findPreviousRun, gitState, loadRunKey } from "../../lib/freshness/mod.ts";
import { GIT_TIMEOUT_MS, gitRunner } from "../../lib/freshness/git_state.ts";
import { withTempDir, writeTree } from "../loader/_fixture.ts";

async function git(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args: [
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t.invalid",
      "-c",
      "protocol.file.allow=always",
      ...args,
    ],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
}

Deno.test("gitState() runs no clean filter set in .git/config.worktree", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "a.txt": "x\n", ".gitattributes": "* filter=evil\n" });
    await git(dir, "init", "-q");
    await git(dir, "add", ".");
    await git(dir, "commit", "-qm", "one");
    const marker = `${dir}/../pwned_${crypto.randomUUID()}`;
    await git(dir, "config", "extensions.worktreeConfig", "true");
    await git(dir, "config", "--worktree", "filter.evil.clean", `touch ${marker}; cat`);
    await Deno.utime(`${dir}/a.txt`, 1_000_000, 1_000_000); // stale index: status re-reads it
    const state = await gitState(dir);
    assertMatch(state.commit!, /^[0-9a-f]{40}$/);
    assertEquals(state.dirty, null);
    await assertRejects(() => Deno.stat(marker), Deno.errors.NotFound);
  });
});

Deno.test("gitState() runs no clean filter set in a submodule's own configuration", async () => {
  await withTempDir(async (dir) => {
    const sub = `${dir}/subsrc`;
    const repo = `${dir}/repo`;
    await writeTree(sub, { "s.txt": "hi\n", ".gitattributes": "* filter=evil\n" });
    await git(sub, "init", "-q");
    await git(sub, "add", ".");
    await git(sub, "commit", "-qm", "s");
    await writeTree(repo, { "a.js": "x\n" });
    await git(repo, "init", "-q");
    await git(repo, "submodule", "add", "-q", sub, "sub");
    await git(repo, "commit", "-qm", "one");
    const marker = `${dir}/pwned_${crypto.randomUUID()}`;
    await git(`${repo}/sub`, "config", "filter.evil.clean", `touch ${marker}; cat`);
    await Deno.utime(`${repo}/sub/s.txt`, 1_000_000, 1_000_000);
    const state = await gitState(repo);
    assertMatch(state.commit!, /^[0-9a-f]{40}$/);
    await assertRejects(() => Deno.stat(marker), Deno.errors.NotFound);
  });
});

Deno.test("gitState() gives up on a shipped .git/index that is a FIFO instead of hanging", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "a.js": "x\n" });
    await git(dir, "init", "-q");
    await git(dir, "add", ".");
    await git(dir, "commit", "-qm", "one");
    await Deno.remove(`${dir}/.git/index`);
    await new Deno.Command("mkfifo", { args: [`${dir}/.git/index`] }).output();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((resolve) =>
      timer = setTimeout(() => resolve("hung"), 60_000)
    );
    try {
      const state = await Promise.race([gitState(dir, gitRunner(500)), hung]);
      assert(state !== "hung", "git status blocked on the FIFO and was never stopped");
      assertEquals(state.dirty, null);
    } finally {
      clearTimeout(timer);
    }
  });
});

Deno.test("the default git runner has a time limit", () => {
  assert(GIT_TIMEOUT_MS > 0 && GIT_TIMEOUT_MS <= 60_000);
});

Deno.test({
  name: "a forged earlier run shipped in the repository's own outputs/ is not taken as an analysis",
  // Was OPEN (attack round 3): where the checkout's path is predictable (CI: /home/runner/work/<r>/<r>), a repository
  // can ship outputs/deeprepo_<name>_<future ts>_metrics.json with that source and the hashes of
  // its files (plus a .deeprepoignore for outputs/): `status` says fresh and `context` and
  // `analyze --since` build on the report it chose. Fixed: runs are sealed with the user's key
  // (lib/freshness/run_seal.ts); an unsealed run is never taken.
  fn: async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir, { "a.js": "x\n" });
      await git(dir, "init", "-q");
      await Deno.mkdir(`${dir}/outputs`);
      const metrics = `${dir}/outputs/deeprepo_r_20991231_000000_metrics.json`;
      await Deno.writeTextFile(
        metrics,
        JSON.stringify({ mode: "rlm", snapshot: { source: dir, files: { "a.js": ["0", 2] } } }),
      );
      await Deno.writeTextFile(`${dir}/outputs/deeprepo_r_20991231_000000.md`, "# SAFE\n");
      await git(dir, "add", ".");
      await git(dir, "commit", "-qm", "ships a forged run");
      const key = await loadRunKey(`${dir}/.user_config`, true);
      const error = await assertRejects(() =>
        findPreviousRun({
          spec: "latest",
          outputDir: `${dir}/outputs`,
          repoName: "r",
          source: dir,
          analyzeHint: "deeprepo analyze .",
          key,
        })
      );
      assertMatch(String(error), /seal|no earlier analysis|not sealed|signed/i);
    });
  },
});
