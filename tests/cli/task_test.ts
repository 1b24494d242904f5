/**
 * `deno task deeprepo <args>` is the README's way to run from a checkout: it must carry exactly
 * the binary's narrow permissions and resolve relative paths against the folder the user ran it
 * from (`deno task` itself runs in the project folder and records the caller's in `INIT_CWD`).
 */
import { assertEquals } from "../_helpers/assert.ts";
import { REPO_ROOT, runCliProcess, runDeno } from "../_helpers/run_cli.ts";
import { userCwd } from "../../lib/cli/main.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { BINARY_PERMISSIONS } from "../../scripts/compile.ts";

async function tasks(): Promise<Record<string, string>> {
  return JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`)).tasks;
}

Deno.test("the deeprepo task runs main.ts with exactly the binary's permissions", async () => {
  const words = (await tasks()).deeprepo.split(/\s+/);
  assertEquals(words.shift(), 'DEEPREPO_TASK_CWD="$INIT_CWD"', "hands the caller's folder over");
  assertEquals(words.slice(0, 2), ["deno", "run"]);
  assertEquals(words.at(-1), "main.ts");
  assertEquals(words.slice(2, -1).sort(), [...BINARY_PERMISSIONS].sort());
});

Deno.test("the tasks the issue names exist: test, bench, check, fmt, lint, compile, deeprepo", async () => {
  assertEquals(Object.keys(await tasks()).sort(), [
    "bench",
    "check",
    "compile",
    "deeprepo",
    "fmt",
    "lint",
    "test",
  ]);
});

Deno.test("deno task deeprepo resolves a relative path against the caller's folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_task_" });
  try {
    await Deno.mkdir(`${dir}/proj/src`, { recursive: true });
    await Deno.writeTextFile(`${dir}/proj/src/app.ts`, "export const app = 1;\n");
    const result = await runDeno(
      ["task", "--quiet", "--config", `${REPO_ROOT}/deno.json`, "deeprepo", "analyze", "proj"]
        .concat(["--dry-run", "--json"]),
      { cwd: dir },
    );
    assertEquals(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assertEquals(json.source, `${await Deno.realPath(dir)}/proj`);
    assertEquals(json.metadata.repo_name, "proj");
    assertEquals(json.files, [{ path: "src/app.ts", chars: 22, status: "included" }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("userCwd takes the task's folder, and ignores an INIT_CWD set by npm or another task", () => {
  assertEquals(userCwd(envFromRecord({ DEEPREPO_TASK_CWD: "/home/me/repo" })), "/home/me/repo");
  assertEquals(userCwd(envFromRecord({ INIT_CWD: "/elsewhere" })), Deno.cwd());
  assertEquals(userCwd(envFromRecord({ DEEPREPO_TASK_CWD: "" })), Deno.cwd());
});

Deno.test("deeprepo started from a script that changed folder works in that folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_task_" });
  try {
    await Deno.mkdir(`${dir}/packages/api`, { recursive: true });
    await Deno.writeTextFile(`${dir}/packages/api/app.ts`, "export const app = 1;\n");
    // As `npm run x` with `"x": "cd packages/api && deeprepo analyze . --dry-run --json"`.
    const result = await runCliProcess(["analyze", ".", "--dry-run", "--json"], {
      cwd: `${dir}/packages/api`,
      env: { INIT_CWD: dir },
    });
    assertEquals(result.code, 0, result.stderr);
    assertEquals(JSON.parse(result.stdout).metadata.repo_name, "api");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--version reports the version deno.json declares", async () => {
  const { VERSION } = await import("../../lib/version.ts");
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  assertEquals(VERSION, config.version);
});
