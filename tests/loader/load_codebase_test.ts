import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { EnvironmentError, InterruptedError } from "../../lib/errors.ts";
import { estimateTokens, loadCodebase } from "../../lib/loader/mod.ts";
import { loadFolder } from "../../lib/loader/load_folder.ts";
import { denoIo, type FileIo } from "../../lib/loader/read_files.ts";
import { withTempDir, writeTree } from "./_fixture.ts";

/** A repository with one of everything the loader must handle. */
async function writeFixture(root: string): Promise<void> {
  await writeTree(root, {
    "README.md": "# demo\n",
    "src/main.ts": "if (import.meta.main) console.log('hi');\n",
    "src/util.ts": "export const a = 1;\n",
    ".gitignore": "*.log\n/generated/\nscratch.ts\n",
    "app.log": "ignored by the root .gitignore\n",
    "lib/scratch.ts": "ignored by the root .gitignore\n",
    "generated/out.ts": "ignored folder\n",
    "pkg/.gitignore": "!keep.log\nlocal.ts\n",
    "pkg/keep.log": "loaded: the nested .gitignore re-includes it\n",
    "pkg/local.ts": "ignored by the nested .gitignore\n",
    "pkg/index.ts": "export {};\n",
    "other/local.ts": "the nested rule does not reach here\n",
    ".git/info/exclude": "excluded.ts\n",
    "excluded.ts": "ignored through .git/info/exclude\n",
    ".env": "API_KEY=secret\n",
    "config/prod.env": "DB_PASSWORD=secret\n",
    ".env.example": "API_KEY=\n",
    "certs/server.pem": "-----BEGIN PRIVATE KEY-----\n",
    "node_modules/dep/index.js": "dependency\n",
    "image.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
    "data.json": new Uint8Array([0x7b, 0x00, 0x7d]), // NUL: binary despite .json
    "big.txt": "x".repeat(600_000),
    "latin1.txt": new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]), // "café" in Latin-1
    "bom.md": new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]),
    "empty.ts": "",
  });
  await Deno.mkdir(`${root}/loop`);
  await Deno.symlink("..", `${root}/loop/parent`); // a folder link back up: a loop if followed
  await Deno.symlink("README.md", `${root}/link.md`);
}

Deno.test("loadCodebase applies every inclusion rule to a fixture repository", async () => {
  await withTempDir(async (dir) => {
    const root = `${dir}/demo`;
    await writeFixture(root);
    const loaded = await loadCodebase("demo", { cwd: dir });
    const { snapshot } = loaded;
    await loaded.dispose();

    assertEquals(Object.keys(snapshot.codebase).sort(), [
      ".env.example",
      ".gitignore",
      "README.md",
      "big.txt",
      "bom.md",
      "empty.ts",
      "latin1.txt",
      "other/local.ts",
      "pkg/.gitignore",
      "pkg/index.ts",
      "pkg/keep.log",
      "src/main.ts",
      "src/util.ts",
    ]);
    assertEquals(snapshot.codebase["README.md"], "# demo\n");
    assertEquals(snapshot.codebase["big.txt"], "[FILE TOO LARGE: 600,000 bytes, skipped]");
    assertEquals(snapshot.codebase["latin1.txt"], "caf\uFFFD\n");
    assertEquals(snapshot.codebase["bom.md"], "hi");
    assertEquals(snapshot.codebase["empty.ts"], "");

    const skipped = Object.fromEntries(snapshot.skipped.map((s) => [s.path, s.reason]));
    assertEquals(skipped["app.log"], "gitignored");
    assertEquals(skipped["lib/scratch.ts"], "gitignored");
    assertEquals(skipped["generated"], "gitignored");
    assertEquals(skipped["pkg/local.ts"], "gitignored");
    assertEquals(skipped["excluded.ts"], "gitignored");
    assertEquals(skipped[".env"], "secret");
    assertEquals(skipped["config/prod.env"], "secret");
    assertEquals(skipped["certs/server.pem"], "secret");
    assertEquals(skipped["node_modules"], "skipped_folder");
    assertEquals(skipped[".git"], "skipped_folder");
    assertEquals(skipped["image.png"], "binary");
    assertEquals(skipped["data.json"], "binary");
    assertEquals(skipped["loop/parent"], "symlink");
    assertEquals(skipped["link.md"], "symlink");

    const big = snapshot.files.find((f) => f.path === "big.txt")!;
    assertEquals(big.status, "too_large");
    assertEquals(big.bytes, 600_000);
    assertEquals(big.chars, snapshot.codebase["big.txt"].length);
    assertEquals(snapshot.files.map((f) => f.path), Object.keys(snapshot.codebase));

    assertEquals(snapshot.metadata.repo_name, "demo");
    assertEquals(snapshot.metadata.total_files, 13);
    assertEquals(snapshot.metadata.entry_points, ["README.md", "pkg/index.ts", "src/main.ts"]);
    assert(!snapshot.metadata.largest_files.some(([p]) => p === "big.txt"));
    assert(snapshot.fileTree.startsWith("demo/\n"));
    assertStringIncludes(snapshot.fileTree, "\n  src/\n    main.ts\n    util.ts");
    assertEquals(snapshot.root, await Deno.realPath(root));
    assertEquals(snapshot.source, "demo");
  });
});

Deno.test("loadCodebase gives the same snapshot with sync, async and auto reads", async () => {
  await withTempDir(async (dir) => {
    await writeFixture(dir);
    const load = (readMode: "sync" | "async" | "auto") =>
      loadFolder(dir, { repoName: "r", source: dir, concurrency: 4, readMode });
    const sync = await load("sync");
    assertEquals(await load("async"), sync);
    assertEquals(await load("auto"), sync);
  });
});

Deno.test("loadCodebase keeps a file that fails to read as a READ ERROR marker", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "ok.ts": "fine\n", "broken.ts": "unreadable\n" });
    const failing: FileIo = {
      readSync: (path, max) => {
        if (path.endsWith("/broken.ts")) {
          throw new Deno.errors.PermissionDenied(`Permission denied (os error 13): open '${path}'`);
        }
        return denoIo.readSync(path, max);
      },
      read: (path, max) => denoIo.read(path, max),
    };
    const snapshot = await loadFolder(dir, {
      repoName: "r",
      source: dir,
      concurrency: 4,
      readMode: "sync",
      io: failing,
    });
    assertEquals(snapshot.codebase["broken.ts"], "[READ ERROR: Permission denied]");
    assertEquals(snapshot.codebase["ok.ts"], "fine\n");
    const record = snapshot.files.find((f) => f.path === "broken.ts")!;
    assertEquals(record.status, "read_error");
    assertEquals(record.reason, "Permission denied");
  });
});

const isRoot = Deno.uid() === 0;

Deno.test({
  name: "loadCodebase marks a chmod 000 file as a READ ERROR (skipped as root: root reads it)",
  ignore: isRoot,
  fn: async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir, { "ok.ts": "fine\n", "locked.ts": "secret\n" });
      await Deno.chmod(`${dir}/locked.ts`, 0o000);
      const { snapshot } = await loadCodebase(dir, { cwd: "/" });
      assertMatch(snapshot.codebase["locked.ts"], /^\[READ ERROR: Permission denied\]$/);
    });
  },
});

Deno.test("loadCodebase reports a missing path, a file and an empty folder as EnvironmentError", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "file.ts": "x", "nothing/image.png": "png", "nothing/.env": "K=v" });
    await Deno.mkdir(`${dir}/empty`);
    const missing = await assertRejects(
      () => loadCodebase("no-such-dir", { cwd: dir }),
      EnvironmentError,
    );
    assertEquals(missing.message, "path not found: no-such-dir");
    const file = await assertRejects(() => loadCodebase("file.ts", { cwd: dir }), EnvironmentError);
    assertEquals(file.message, "not a folder: file.ts");
    const empty = await assertRejects(() => loadCodebase("empty", { cwd: dir }), EnvironmentError);
    assertEquals(empty.message, "nothing to analyze: empty contains no files");
    const none = await assertRejects(
      () => loadCodebase(`${dir}/nothing`, { cwd: "/" }),
      EnvironmentError,
    );
    assertStringIncludes(none.message, "has no text files to load");
    assertStringIncludes(none.message, "1 binary");
    assertStringIncludes(none.message, "1 secret");
    for (const error of [missing, file, empty, none]) assert(!error.message.includes("\n"));
  });
});

Deno.test("loadCodebase stops with InterruptedError when the signal is aborted", async () => {
  await withTempDir(async (dir) => {
    await writeTree(dir, { "a.ts": "x" });
    const controller = new AbortController();
    controller.abort();
    await assertRejects(
      () => loadCodebase(dir, { cwd: "/", signal: controller.signal }),
      InterruptedError,
    );
  });
});

Deno.test("loadCodebase reports progress through the scan and read phases", async () => {
  await withTempDir(async (dir) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 600; i++) files[`d${i % 7}/f${i}.ts`] = `export const v = ${i};\n`;
    await writeTree(dir, files);
    const events: string[] = [];
    const loaded = await loadCodebase(dir, {
      cwd: "/",
      onProgress: (p) => events.push(`${p.phase}:${p.done}/${p.total}`),
    });
    assertEquals(loaded.snapshot.metadata.total_files, 600);
    assertEquals(events[0], "scan:0/0");
    assertEquals(events.at(-1), "read:600/600");
    assert(events.includes("read:256/600"), events.join(" "));
  });
});

Deno.test("estimateTokens uses four characters per token, rounding up", () => {
  assertEquals(estimateTokens(0), 0);
  assertEquals(estimateTokens(4), 1);
  assertEquals(estimateTokens(10_001), 2501);
});
