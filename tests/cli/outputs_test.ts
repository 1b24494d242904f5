/**
 * Outputs are never lost or overwritten (#16 items 1, 8, 10; #19 "outputs never follow links"):
 * two analyses at once in one folder, the summary naming every file, the folder inside the
 * analysed source, a symlinked output folder and a system folder refused in words.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import { type FakeServer, startFakeModelServer } from "../fakes/model_server.ts";

const FIXTURE = new URL("../fixtures/sample_project", import.meta.url).pathname;

async function withServer(fn: (server: FakeServer, dir: string) => Promise<void>) {
  const server = await startFakeModelServer();
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "deeprepo_outputs_" }));
  try {
    server.handler(() => ({
      toolCalls: [{ name: "execute_code", input: { code: 'set_answer("# Report\\n\\nok")' } }],
      usage: { input: 1000, output: 100 },
    }), "anthropic");
    await fn(server, dir);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("two analyses at once into one folder keep both runs' files, all named in the summary", async () => {
  await withServer(async (server, dir) => {
    const env = { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` };
    const runs = await Promise.all(
      [1, 2].map(() => runCliProcess(["analyze", FIXTURE, "-o", `${dir}/out`], { cwd: dir, env })),
    );
    for (const run of runs) assertEquals(run.code, 0, run.stderr);
    const reports = runs.map((r) => r.stdout.trimEnd().split("\n").at(-1)!);
    assert(reports[0] !== reports[1], `both printed ${reports[0]}`);
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assertEquals(names.length, 8, names.join(", ")); // 4 files (with HTML) per run
    const stamps = reports.map((r) => r.match(/_(\d{8}_\d{6}(?:_\d+)?)\.md$/)![1]);
    if (stamps[0].slice(0, 15) === stamps[1].slice(0, 15)) {
      // The same second: one run moved all three of its names to `_2`.
      assertEquals(stamps.map((s) => s.slice(15)).sort(), ["", "_2"]);
    }
    for (const [i, run] of runs.entries()) {
      const base = reports[i].replace(/\.md$/, "");
      const lines = run.stderr.trimEnd().split("\n");
      assertEquals(lines.slice(-5), [
        `wrote to ${dir}/out:`,
        `  ${base.slice(dir.length + 5)}.md`,
        `  ${base.slice(dir.length + 5)}_metrics.json`,
        `  ${base.slice(dir.length + 5)}_trajectory.json`,
        `  ${base.slice(dir.length + 5)}.html`,
      ]);
      const metrics = JSON.parse(await Deno.readTextFile(`${base}_metrics.json`));
      assertEquals(metrics.complete, true);
      assertEquals((await Deno.stat(reports[i])).mode! & 0o777, 0o600);
    }
  });
});

Deno.test("an output folder inside the analysed folder is named in one line", async () => {
  await withServer(async (server, dir) => {
    await Deno.mkdir(`${dir}/repo`);
    await Deno.writeTextFile(`${dir}/repo/app.ts`, "export const a = 1;\n");
    const run = await runCliProcess(["analyze", "."], {
      cwd: `${dir}/repo`,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    assertEquals(run.code, 0, run.stderr);
    const notes = run.stderr.split("\n").filter((l) => l.startsWith("deeprepo: note:"));
    assertEquals(notes, [
      `deeprepo: note: the output folder ${dir}/repo/outputs is inside the analysed folder ` +
      "(its reports will be part of the next analysis; -o chooses another)",
    ]);
  });
});

Deno.test("a symlinked output folder (a hostile checkout's `outputs`) is refused: exit 2, no call", async () => {
  await withServer(async (server, dir) => {
    await Deno.mkdir(`${dir}/bashrc.d`);
    await Deno.mkdir(`${dir}/repo`);
    await Deno.writeTextFile(`${dir}/repo/app.ts`, "export const a = 1;\n");
    await Deno.symlink("../bashrc.d", `${dir}/repo/outputs`);
    const run = await runCliProcess(["analyze", "."], {
      cwd: `${dir}/repo`,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    assertEquals(run.code, 2, run.stderr);
    assertEquals(
      run.stderr,
      `deeprepo: output folder ${dir}/repo/outputs: it is a symbolic link; deeprepo does not ` +
        "write through links (choose another with -o)\n",
    );
    assertEquals(server.requests.length, 0);
    assertEquals([...Deno.readDirSync(`${dir}/bashrc.d`)], []);
  });
});

Deno.test("-o /proc/nope says what is wrong with the folder, not Deno's internals", async () => {
  if (Deno.build.os !== "linux") return;
  await withServer(async (server, dir) => {
    const run = await runCliProcess(["analyze", FIXTURE, "-o", "/proc/nope"], {
      cwd: dir,
      env: { ...server.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    assertEquals(run.code, 2);
    assertMatch(
      run.stderr,
      /^deeprepo: output folder \/proc\/nope: \/proc cannot take new files: /,
    );
    assert(!/os error|tmpfile|allow-all/.test(run.stderr), run.stderr);
    assertStringIncludes(run.stderr, "(choose another with -o)");
    assertEquals(server.requests.length, 0);
  });
});
