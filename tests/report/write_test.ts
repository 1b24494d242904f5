import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { checkOutputDir, writeRunOutputsSafely } from "../../lib/report/write.ts";
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
