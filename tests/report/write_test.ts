import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import {
  checkOutputDir,
  folderProblem,
  outputInsideSource,
  writeRunOutputs,
  writeRunOutputsSafely,
} from "../../lib/report/write.ts";
import { EnvironmentError } from "../../lib/errors.ts";

const outputs = { report: "# r", metrics: { mode: "rlm" }, trajectory: { turns: [] } };

Deno.test("writeRunOutputsSafely() writes all three files where asked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { paths, fallbackError } = await writeRunOutputsSafely(
      `${dir}/out`,
      "deeprepo",
      "../evil/name",
      "20261125_120000",
      outputs,
    );
    assertEquals(fallbackError, undefined);
    assertEquals(paths.report, `${dir}/out/deeprepo_evil_name_20261125_120000.md`);
    assertEquals(await Deno.readTextFile(paths.report), "# r\n");
    assertEquals(JSON.parse(await Deno.readTextFile(paths.metrics)), { mode: "rlm" });
    assertEquals(JSON.parse(await Deno.readTextFile(paths.trajectory)), { turns: [] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeRunOutputsSafely() falls back to a temporary folder and says where", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "in the way");
    const { paths, fallbackError } = await writeRunOutputsSafely(
      `${dir}/file/out`,
      "baseline",
      "repo",
      "20261125_120000",
      outputs,
    );
    assert(fallbackError, "a fallback must be reported");
    assert(!paths.report.startsWith(dir), paths.report);
    assertMatch(fallbackError.message, /^could not write to .*file\/out \(.*\); results saved to /);
    assertEquals(await Deno.readTextFile(paths.report), "# r\n");
    await Deno.remove(paths.report.slice(0, paths.report.lastIndexOf("/")), { recursive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkOutputDir() refuses a file in the way and creates nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "x");
    const error = await assertRejects(() => checkOutputDir(`${dir}/file/out`), EnvironmentError);
    assertMatch(error.message, /file is not a folder/);
    await checkOutputDir(`${dir}/new/deeper`);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["file"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "deeprepo_write_" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const TS = "20261205_183236";

Deno.test("two runs of the same second never overwrite: every file of the second gets _2", async () => {
  await withDir(async (dir) => {
    const [a, b] = await Promise.all([
      writeRunOutputs(`${dir}/out`, "deeprepo", "api", TS, { ...outputs, report: "# a" }),
      writeRunOutputs(`${dir}/out`, "deeprepo", "api", TS, { ...outputs, report: "# b" }),
    ]);
    const stamps = [a.stamp, b.stamp].sort();
    assertEquals(stamps, [TS, `${TS}_2`]);
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort();
    assertEquals(names, [
      `deeprepo_api_${TS}.md`,
      `deeprepo_api_${TS}_2.md`,
      `deeprepo_api_${TS}_2_metrics.json`,
      `deeprepo_api_${TS}_2_trajectory.json`,
      `deeprepo_api_${TS}_metrics.json`,
      `deeprepo_api_${TS}_trajectory.json`,
    ]);
    assertEquals(await Deno.readTextFile(a.paths.report), "# a\n");
    assertEquals(await Deno.readTextFile(b.paths.report), "# b\n");
    assertEquals(a.written, [a.paths.report, a.paths.metrics, a.paths.trajectory]);
    const third = await writeRunOutputs(`${dir}/out`, "deeprepo", "api", TS, outputs);
    assertEquals(third.stamp, `${TS}_3`, "a later run in the same second takes the next suffix");
  });
});

Deno.test("a file or link already holding one of the names moves the whole run to a suffix", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/victim`, "keep me");
    // Only the trajectory's name is taken, by a link: nothing is written through it.
    await Deno.symlink(`${dir}/victim`, `${dir}/out/deeprepo_api_${TS}_trajectory.json`);
    await Deno.symlink(`${dir}/missing`, `${dir}/out/deeprepo_api_${TS}_2.md`); // dangling
    const run = await writeRunOutputs(`${dir}/out`, "deeprepo", "api", TS, outputs);
    assertEquals(run.stamp, `${TS}_3`);
    assertEquals(await Deno.readTextFile(`${dir}/victim`), "keep me");
    assertRejects(() => Deno.lstat(`${dir}/missing`));
    assertEquals(
      [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name).sort(),
      [
        `deeprepo_api_${TS}_2.md`,
        `deeprepo_api_${TS}_3.md`,
        `deeprepo_api_${TS}_3_metrics.json`,
        `deeprepo_api_${TS}_3_trajectory.json`,
        `deeprepo_api_${TS}_trajectory.json`,
      ],
      "no reservation of the abandoned suffixes is left behind",
    );
  });
});

Deno.test("outputs are 0600 and folders deeprepo creates are 0700", async () => {
  if (Deno.build.os === "windows") return;
  await withDir(async (dir) => {
    const run = await writeRunOutputs(`${dir}/a/b`, "baseline", "api", TS, {
      report: "# r",
      metrics: {},
    });
    for (const path of run.written) assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(`${dir}/a`)).mode! & 0o777, 0o700);
    assertEquals((await Deno.stat(`${dir}/a/b`)).mode! & 0o777, 0o700);
    assertEquals(run.written.length, 2, "baseline writes no trajectory");
  });
});

Deno.test("a symlinked output folder is refused before the run, and never written through after", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/home/.bashrc.d`, { recursive: true });
    await Deno.mkdir(`${dir}/repo`);
    await Deno.symlink("../home/.bashrc.d", `${dir}/repo/outputs`);
    const error = await assertRejects(
      () => checkOutputDir(`${dir}/repo/outputs`, { cwd: `${dir}/repo` }),
      EnvironmentError,
    );
    assertEquals(
      error.message,
      `output folder ${dir}/repo/outputs: it is a symbolic link; deeprepo does not write ` +
        "through links (choose another with -o)",
    );
    // A link above the output folder inside the working folder is refused too.
    const above = await assertRejects(
      () => checkOutputDir(`${dir}/repo/outputs/deeper`, { cwd: `${dir}/repo` }),
      EnvironmentError,
    );
    assertMatch(above.message, /repo\/outputs is a symbolic link/);
    // Links above the working folder are the user's own layout.
    await Deno.symlink(`${dir}/repo`, `${dir}/repo_link`);
    await checkOutputDir(`${dir}/repo_link/reports`, { cwd: `${dir}/repo_link` });

    const written = await writeRunOutputsSafely(
      `${dir}/repo/outputs`,
      "deeprepo",
      "r",
      TS,
      outputs,
    );
    assert(written.fallbackError, "written elsewhere, and said so");
    assertMatch(written.fallbackError.message, /symbolic link.*results saved to /);
    assertEquals([...Deno.readDirSync(`${dir}/home/.bashrc.d`)], []);
    await Deno.remove(written.paths.report.slice(0, written.paths.report.lastIndexOf("/")), {
      recursive: true,
    });
  });
});

Deno.test("folder problems are said in words, not Deno internals", async () => {
  assertEquals(
    folderProblem(
      new Deno.errors.PermissionDenied("Operation not permitted (os error 1): tmpfile"),
    ),
    "writing there is not permitted (a read-only or protected folder)",
  );
  assertEquals(
    folderProblem(new Deno.errors.NotCapable('Requires all access to "/proc/nope", run again')),
    "deeprepo is not permitted to write there (a system folder?)",
  );
  assertEquals(
    folderProblem(new Error("Read-only file system (os error 30): mkdir")),
    "it is on a read-only file system",
  );
  assertEquals(
    folderProblem(new Deno.errors.PermissionDenied("Permission denied (os error 13): tmpfile")),
    "you have no permission to write there",
  );
  if (Deno.build.os === "linux") {
    const error = await assertRejects(() => checkOutputDir("/proc/nope"), EnvironmentError);
    assert(!/os error|tmpfile|--allow/.test(error.message), error.message);
    assertMatch(error.message, /^output folder \/proc\/nope: \/proc cannot take new files: /);
  }
});

Deno.test("outputInsideSource sees the output folder inside the analysed folder, links resolved", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/repo/src`, { recursive: true });
    await Deno.symlink(`${dir}/repo`, `${dir}/alias`);
    assertEquals(await outputInsideSource(`${dir}/repo/outputs`, `${dir}/repo`), true);
    assertEquals(await outputInsideSource(`${dir}/alias/new/deeper`, `${dir}/repo`), true);
    assertEquals(await outputInsideSource(`${dir}/repo`, `${dir}/repo`), true);
    assertEquals(await outputInsideSource(`${dir}/repo-reports`, `${dir}/repo`), false);
    assertEquals(await outputInsideSource(`${dir}/out`, "https://example.invalid/r.git"), false);
  });
});
