/**
 * A hostile repository cannot hang or exhaust the loader through the files that steer it:
 * ignore and attribute files are read only when they are small regular files, costly ignore
 * patterns are refused with a warning, clones go away on SIGTERM and SIGHUP, and every stage
 * stops on an interrupt.
 */
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { InterruptedError } from "../../lib/errors.ts";
import { loadCodebase } from "../../lib/loader/mod.ts";
import { loadFolder } from "../../lib/loader/load_folder.ts";
import { MAX_CONTROL_FILE_BYTES } from "../../lib/loader/ignore_file.ts";
import { withTempDir, writeTree } from "./_fixture.ts";

async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command("mkfifo", { args: [path] }).output();
  if (!out.success) throw new Error(`mkfifo ${path} failed`);
}

Deno.test("ignore files that are /dev/zero links, FIFOs or huge are not read, each named once", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, {
      ".git/HEAD": "ref: refs/heads/main\n",
      "app/src/a.ts": "export {};\n",
      "app/big/.gitignore": "#".repeat(MAX_CONTROL_FILE_BYTES + 1),
      "app/big/b.ts": "export {};\n",
    });
    await Deno.symlink("/dev/zero", `${dir}/.gitignore`); // above the analysed folder
    await Deno.mkdir(`${dir}/.git/info`);
    await mkfifo(`${dir}/.git/info/exclude`);
    await mkfifo(`${dir}/app/.gitattributes`);
    await Deno.symlink("/dev/zero", `${dir}/app/src/.gitignore`);

    const loaded = await loadCodebase(`${dir}/app`, { cwd: "/" });
    const { snapshot } = loaded;
    assertEquals(Object.keys(snapshot.codebase), ["big/.gitignore", "big/b.ts", "src/a.ts"]);
    assertEquals(snapshot.files[0].status, "too_large"); // loaded as a file, never as rules
    assertEquals(
      snapshot.warnings.sort(),
      [
        `${dir}/.git/info/exclude is not a regular file, not read`,
        `${dir}/.gitignore is a symbolic link, not read`,
        ".gitattributes is not a regular file, not read",
        `big/.gitignore is larger than ${MAX_CONTROL_FILE_BYTES} bytes, not read`,
        "src/.gitignore is not a regular file, not read",
      ].sort(),
    );
    const skipped = Object.fromEntries(snapshot.skipped.map((s) => [s.path, s.reason]));
    assertEquals(skipped[".gitattributes"], "special");
    assertEquals(skipped["src/.gitignore"], "symlink");
  });
});

Deno.test("a costly ignore pattern is refused with a warning naming it; the others apply", async () => {
  await withTempDir(async (dir) => {
    const pattern = Array.from({ length: 10 }, () => "**/a").join("/") + "/**/b";
    const deep = Array.from({ length: 45 }, () => "a").join("/");
    await writeTree(dir, {
      ".gitignore": `*.log\n${pattern}\n**/a/**/skip.ts\n`,
      [`${deep}/c.txt`]: "deep\n",
      [`${deep}/b`]: "kept: the costly pattern is not applied\n",
      "a/x/skip.ts": "ignored by a pattern within the bound\n",
      "x.log": "ignored\n",
    });
    const { snapshot } = await loadCodebase(dir, { cwd: "/" });
    assertEquals(snapshot.warnings, [
      `.gitignore: pattern ${pattern} not applied (too costly to match)`,
    ]);
    assert(`${deep}/c.txt` in snapshot.codebase);
    assert(`${deep}/b` in snapshot.codebase);
    const skipped = Object.fromEntries(snapshot.skipped.map((s) => [s.path, s.reason]));
    assertEquals(skipped["a/x/skip.ts"], "gitignored");
    assertEquals(skipped["x.log"], "gitignored");
  });
});

Deno.test("loading stops with InterruptedError at the walk, the reads and the secret scan", async () => {
  await withTempDir(async (dir) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 600; i++) files[`pkg${i % 7}/f${i}.ts`] = `export const v${i} = ${i};\n`;
    await writeTree(dir, files);
    for (const stage of ["scan", "read-start", "read-end"] as const) {
      const controller = new AbortController();
      await assertRejects(
        () =>
          loadFolder(dir, {
            repoName: "r",
            source: dir,
            concurrency: 4,
            signal: controller.signal,
            onProgress: (p) => {
              const at = p.phase === "scan"
                ? "scan"
                : p.done === 0
                ? "read-start"
                : p.done === p.total
                ? "read-end"
                : "";
              if (at === stage) controller.abort();
            },
          }),
        InterruptedError,
      );
    }
  });
});

for (const [signal, status] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  Deno.test(`a clone in progress is removed when the process gets ${signal}`, async () => {
    await withTempDir(async (work) => {
      const tmp = `${work}/tmp`;
      await Deno.mkdir(tmp);
      const slowGit = `${work}/slow-git`;
      await Deno.writeTextFile(
        slowGit,
        '#!/bin/sh\nfor last; do :; done\necho partial > "$last/partial.ts"\nexec sleep 30\n',
      );
      await Deno.chmod(slowGit, 0o755);
      const gitModule = new URL("../../lib/loader/git.ts", import.meta.url).href;
      const script = `${work}/clone.ts`;
      await Deno.writeTextFile(
        script,
        `import { cloneRepository } from ${JSON.stringify(gitModule)};
cloneRepository("file:///nonexistent/r.git", {
  git: ${JSON.stringify(slowGit)},
  tempRoot: ${JSON.stringify(tmp)},
}).catch(() => {});
const tmp = ${JSON.stringify(tmp)};
while (true) {
  const [clone] = Array.from(Deno.readDirSync(tmp));
  if (clone && Array.from(Deno.readDirSync(tmp + "/" + clone.name)).length) break;
  await new Promise((resolve) => setTimeout(resolve, 10));
}
console.log("cloning");
await new Promise((resolve) => setTimeout(resolve, 60_000));
`,
      );
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-lock", script],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!seen.includes("cloning")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      assertEquals(seen.trim(), "cloning");
      assertEquals((await Array.fromAsync(Deno.readDir(tmp))).length, 1);
      child.kill(signal);
      const result = await child.status;
      await reader.cancel();
      assertEquals(result.code, status);
      assertEquals(await Array.fromAsync(Deno.readDir(tmp)), []);
    });
  });
}
