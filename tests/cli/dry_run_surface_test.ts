/**
 * The `--dry-run` surface as issue 2 and CONTRACT.md fix it: no key, no network, and with
 * `--json` one object `{ metadata, files: [{ path, chars, status }], estimate }`. The estimate's
 * content is tested with the estimator (tests/estimate).
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { MAIN, runDeno } from "../_helpers/run_cli.ts";
import { BINARY_PERMISSIONS, UNSTABLE_FLAGS } from "../../scripts/compile.ts";

/** The binary's permissions with the network taken away: any connection attempt would fail. */
const NO_NET = [
  ...UNSTABLE_FLAGS,
  ...BINARY_PERMISSIONS.filter((p) => p !== "--allow-net"),
  "--deny-net",
];

async function withRepo(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_dry_surface_" });
  try {
    await Deno.mkdir(`${dir}/repo/src`, { recursive: true });
    await Deno.writeTextFile(`${dir}/repo/src/app.py`, "print('hi')\n");
    await Deno.writeTextFile(`${dir}/repo/big.txt`, "x".repeat(600_000));
    await Deno.writeTextFile(`${dir}/repo/.env`, "OPENAI_API_KEY=never-read\n");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("--dry-run --json needs no key and no network, and has the contract's shape", async () => {
  await withRepo(async (dir) => {
    for (const command of ["analyze", "baseline"]) {
      const result = await runDeno(
        ["run", ...NO_NET, MAIN, command, "repo", "--dry-run", "--json"],
        {
          cwd: dir,
          env: { XDG_CONFIG_HOME: `${dir}/config`, DEEPREPO_CACHE_DIR: `${dir}/cache` },
        },
      );
      assertEquals(result.code, 0, `${command}: ${result.stderr}`);
      assertEquals(result.stderr, "", command);
      const json = JSON.parse(result.stdout);
      for (const key of ["metadata", "files", "estimate"]) {
        assert(key in json, `${command}: ${key}`);
      }
      assertEquals(json.metadata.repo_name, "repo");
      assertEquals(json.metadata.total_files, 2);
      for (const file of json.files) assertEquals(Object.keys(file), ["path", "chars", "status"]);
      const status = Object.fromEntries(
        json.files.map((f: { path: string; status: string }) => [f.path, f.status]),
      );
      assertEquals(status["src/app.py"], "included", command);
      assertEquals(status["big.txt"], "too_large", command);
      assertEquals(status[".env"], undefined, `${command}: a secret is never listed as loaded`);
      assert(json.estimate && typeof json.estimate === "object", command);
    }
  });
});

Deno.test("--dry-run prints a summary: files, chars, tokens, what was skipped and why, the cost", async () => {
  await withRepo(async (dir) => {
    const result = await runDeno(["run", ...NO_NET, MAIN, "analyze", "repo", "--dry-run"], {
      cwd: dir,
      env: { XDG_CONFIG_HOME: `${dir}/config`, DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    assertEquals(result.code, 0, result.stderr);
    const text = result.stdout;
    assertMatch(text, /no model was called/);
    assertMatch(text, /Files: 1 loaded \(\d[\d,]* chars\), 1 too large, 0 unreadable, 1 skipped/);
    assertMatch(text, /too large: big\.txt \(600,000 bytes\)/);
    assertMatch(text, /skipped \(secret\): \.env/);
    assertMatch(text, /tokens/);
    assertMatch(text, /Estimated cost: \$\d+\.\d+ to \$\d+\.\d+/);
  });
});
