import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { EnvironmentError, InterruptedError, RunError } from "../../lib/errors.ts";
import { _loadGitUrl, isGitUrl, loadCodebase } from "../../lib/loader/mod.ts";
import { cloneRepository, redactUrl, repoNameFromUrl } from "../../lib/loader/git.ts";
import { git, withTempDir, writeTree } from "./_fixture.ts";

Deno.test("isGitUrl tells URLs from paths", () => {
  for (
    const url of [
      "https://github.com/o/r",
      "http://host/r.git",
      "ssh://git@host/r.git",
      "git@github.com:o/r.git",
      "file:///tmp/repo",
      "git://host/r",
    ]
  ) assertEquals(isGitUrl(url), true, url);
  for (const path of ["./repo", "/abs/path", "repo", "C:\\code\\repo", "github.com/o/r"]) {
    assertEquals(isGitUrl(path), false, path);
  }
});

Deno.test("repoNameFromUrl takes the last segment without .git", () => {
  assertEquals(repoNameFromUrl("https://github.com/Leonwenhao/deeprepo.git"), "deeprepo");
  assertEquals(repoNameFromUrl("https://github.com/o/r/"), "r");
  assertEquals(repoNameFromUrl("git@github.com:o/r.git"), "r");
  assertEquals(repoNameFromUrl("git@host:r.git"), "r");
  assertEquals(repoNameFromUrl("https://host/o/r.git?ref=x#frag"), "r");
  assertEquals(repoNameFromUrl("file:///tmp/some/project"), "project");
});

Deno.test("redactUrl hides credentials, also inside a message", () => {
  assertEquals(redactUrl("https://me:tok@github.com/o/r"), "https://***@github.com/o/r");
  assertEquals(redactUrl("https://github.com/o/r"), "https://github.com/o/r");
  assertEquals(
    redactUrl("repository 'https://me:tok@host/o/r/' not found"),
    "repository 'https://***@host/o/r/' not found",
  );
});

Deno.test("cloneRepository never prints credentials, even when git's message repeats the URL", async () => {
  await withPrivateTmp(async (tmp, work) => {
    const leakyGit = `${work}/leaky-git`;
    await Deno.writeTextFile(
      leakyGit,
      "#!/bin/sh\necho \"fatal: repository 'https://me:s3cret@host/o/r/' not found\" >&2\nexit 128\n",
    );
    await Deno.chmod(leakyGit, 0o755);
    const error = await assertRejects(
      () => cloneRepository("https://me:s3cret@host/o/r", { git: leakyGit, tempRoot: tmp }),
      RunError,
    );
    assertEquals(
      error.message,
      "could not clone https://***@host/o/r: repository 'https://***@host/o/r/' not found",
    );
    assertEquals(await entries(tmp), []);
  });
});

Deno.test("a clone is removed even when the process exits at once (second Ctrl-C)", async () => {
  await withPrivateTmp(async (tmp, work) => {
    // A git that writes into the clone folder, then hangs; the script exits while it runs.
    const slowGit = `${work}/slow-git`;
    await Deno.writeTextFile(
      slowGit,
      '#!/bin/sh\nfor last; do :; done\necho partial > "$last/partial.ts"\nexec sleep 30\n',
    );
    await Deno.chmod(slowGit, 0o755);
    const script = `${work}/exit_mid_clone.ts`;
    const gitModule = new URL("../../lib/loader/git.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { cloneRepository } from ${JSON.stringify(gitModule)};
const controller = new AbortController();
cloneRepository("file:///nonexistent/r.git", {
  git: ${JSON.stringify(slowGit)},
  tempRoot: ${JSON.stringify(tmp)},
  signal: controller.signal,
}).catch(() => {});
while (true) {
  const [clone] = Array.from(Deno.readDirSync(${JSON.stringify(tmp)}));
  if (clone && Array.from(Deno.readDirSync(${
        JSON.stringify(tmp)
      } + "/" + clone.name)).length) break;
  await new Promise((resolve) => setTimeout(resolve, 10));
}
controller.abort(); // the git child is killed, as Ctrl-C would
Deno.exit(130); // and the process leaves before any cleanup is awaited
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 130, new TextDecoder().decode(out.stderr));
    assertEquals(await entries(tmp), []);
  });
});

/** Runs `fn` with a private folder for clones, so leftovers can be counted. */
async function withPrivateTmp(fn: (tmp: string, work: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const tmp = `${dir}/tmp`;
    await Deno.mkdir(tmp);
    await fn(tmp, dir);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
}

Deno.test("loadCodebase clones a file:// URL shallowly and dispose removes the clone", async () => {
  await withTempDir(async (work) => {
    const origin = `${work}/origin-repo`;
    await writeTree(origin, { "main.py": "if __name__ == '__main__':\n    pass\n", "a.md": "old" });
    await git(origin, "init", "--quiet");
    await git(origin, "add", ".");
    await git(origin, "commit", "--quiet", "-m", "first");
    await writeTree(origin, { "a.md": "new" });
    await git(origin, "commit", "--quiet", "-am", "second");

    const loaded = await loadCodebase(`file://${origin}`, { cwd: "/" });
    const { snapshot } = loaded;
    assertEquals(snapshot.metadata.repo_name, "origin-repo");
    assertEquals(snapshot.codebase["a.md"], "new");
    assertEquals(snapshot.metadata.entry_points, ["main.py"]);
    assert(!snapshot.root.startsWith(work), "cloned into the system's temporary folder");
    assertEquals(await entries(snapshot.root).then((e) => e.includes(".git")), true);

    const shallow = await new Deno.Command("git", {
      args: ["rev-list", "--count", "HEAD"],
      cwd: snapshot.root,
    }).output();
    assertEquals(new TextDecoder().decode(shallow.stdout).trim(), "1", "a depth-1 clone");

    await loaded.dispose();
    await loaded.dispose(); // safe twice
    assertEquals(await exists(snapshot.root), false);
  });
});

Deno.test("_loadGitUrl reports a failed clone in one line and leaves no folder", async () => {
  await withPrivateTmp(async (tmp, work) => {
    const url = `file://${work}/does-not-exist`;
    const error = await assertRejects(() => _loadGitUrl(url, { cwd: "/" }, tmp), RunError);
    assertMatch(error.message, /^could not clone file:\/\/.*does-not-exist: .+/);
    // git's reason names the path, not its closing boilerplate line
    assertStringIncludes(error.message.slice(url.length + 16), "does-not-exist");
    assert(!error.message.includes("\n"), error.message);
    assertEquals(error.exitCode, 1);
    assertEquals(await entries(tmp), []);
  });
});

Deno.test("_loadGitUrl removes the clone when the cloned repository has nothing to load", async () => {
  await withPrivateTmp(async (tmp, work) => {
    const origin = `${work}/images`;
    await writeTree(origin, { "logo.png": "png" });
    await git(origin, "init", "--quiet");
    await git(origin, "add", ".");
    await git(origin, "commit", "--quiet", "-m", "only images");
    const error = await assertRejects(() => _loadGitUrl(`file://${origin}`, { cwd: "/" }, tmp));
    assertStringIncludes(error.message, "nothing to analyze");
    assertEquals(await entries(tmp), []);
  });
});

Deno.test("_loadGitUrl stops a clone on abort and removes its folder", async () => {
  await withPrivateTmp(async (tmp, work) => {
    const origin = `${work}/origin`;
    await writeTree(origin, { "a.ts": "x" });
    await git(origin, "init", "--quiet");
    await git(origin, "add", ".");
    await git(origin, "commit", "--quiet", "-m", "x");
    const controller = new AbortController();
    controller.abort();
    await assertRejects(
      () => _loadGitUrl(`file://${origin}`, { cwd: "/", signal: controller.signal }, tmp),
      InterruptedError,
    );
    assertEquals(await entries(tmp), []);
  });
});

Deno.test("cloneRepository says git is missing (exit 2) and leaves no folder", async () => {
  await withPrivateTmp(async (tmp) => {
    const error = await assertRejects(
      () =>
        cloneRepository("file:///nonexistent/r.git", {
          git: "no-such-git-binary",
          tempRoot: tmp,
        }),
      EnvironmentError,
    );
    assertEquals(error.message, "git is not installed (needed to clone a git URL)");
    assertEquals(await entries(tmp), []);
  });
});

Deno.test("cloneRepository stops a running clone on abort and removes its folder", async () => {
  await withPrivateTmp(async (tmp, work) => {
    const slowGit = `${work}/slow-git`;
    await Deno.writeTextFile(slowGit, "#!/bin/sh\nexec sleep 10\n"); // a clone that hangs
    await Deno.chmod(slowGit, 0o755);
    const controller = new AbortController();
    // Not stopping it would let the fake git "succeed" after 10 s: no InterruptedError.
    const timer = setTimeout(() => controller.abort(), 200);
    try {
      await assertRejects(
        () =>
          cloneRepository("file:///nonexistent/r.git", {
            git: slowGit,
            tempRoot: tmp,
            signal: controller.signal,
          }),
        InterruptedError,
      );
    } finally {
      clearTimeout(timer);
    }
    assertEquals(await entries(tmp), []);
  });
});
