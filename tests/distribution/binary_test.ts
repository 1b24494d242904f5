/**
 * The standalone binary works: compiled for the host, it runs `--version`, `list-models`, a
 * `--dry-run --json` and a scripted analysis (sandbox child, plugins and KV inside the binary).
 *
 * `deno compile` needs a runtime binary ("denort") that it downloads from the internet unless
 * `DENORT_BIN` points at one or it is already in Deno's cache. The test suite reaches no address
 * beyond loopback on its own, so the download is tried only with `DEEPREPO_TEST_COMPILE_DOWNLOAD=1`
 * (the GitHub workflows set it). Where no runtime can be had the tests are skipped, saying why.
 */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/run_cli.ts";
import { compileArgs } from "../../scripts/compile.ts";
import { VERSION } from "../../lib/version.ts";
import { scriptedAnalyzeCheck } from "./_scripted_analyze.ts";

const outDir = await Deno.makeTempDir({ prefix: "deeprepo_bin_" });
const binary = `${outDir}/deeprepo${Deno.build.os === "windows" ? ".exe" : ""}`;

/** Where `deno compile` caches the host's runtime download. */
function cachedRuntime(): string {
  const home = Deno.env.get("HOME") ?? "";
  const denoDir = Deno.env.get("DENO_DIR") ??
    (Deno.build.os === "darwin"
      ? `${home}/Library/Caches/deno`
      : `${Deno.env.get("XDG_CACHE_HOME") ?? `${home}/.cache`}/deno`);
  return `${denoDir}/dl/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function compileHostBinary(): Promise<string | undefined> {
  if (
    !Deno.env.get("DENORT_BIN") && !exists(cachedRuntime()) &&
    Deno.env.get("DEEPREPO_TEST_COMPILE_DOWNLOAD") !== "1"
  ) {
    return `no Deno runtime for deno compile: DENORT_BIN is not set, ${cachedRuntime()} is not ` +
      "cached, and downloading it is off (set DEEPREPO_TEST_COMPILE_DOWNLOAD=1 to allow it)";
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(undefined, binary),
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.success) return undefined;
  // deno colours its errors even when piped; keep the last informative line.
  // deno-lint-ignore no-control-regex
  const stderr = new TextDecoder().decode(out.stderr).replace(/\x1b\[[0-9;]*m/g, "");
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) =>
    l && !/^\d+: <unknown>|^Stack backtrace/.test(l)
  );
  const why = lines.findLast((l) => /lookup|download|network|dns|connect|resolve/i.test(l)) ??
    lines.at(-1) ?? "no output";
  if (!Deno.env.get("DENORT_BIN")) {
    return `deno compile could not get its runtime (${why.trim()}); set DENORT_BIN to a local denort binary to run these tests`;
  }
  throw new Error(`deno compile failed with DENORT_BIN set: ${stderr}`);
}

const skipReason = await compileHostBinary();
if (skipReason) console.log(`SKIPPED binary tests: ${skipReason}`);

function run(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(binary, {
    args,
    cwd: outDir,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: outDir,
      DEEPREPO_CACHE_DIR: `${outDir}/c`,
      ...env,
    },
    stdin: "null",
  }).output();
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test({
  name: "binary: --version",
  ignore: skipReason !== undefined,
  fn: async () => {
    const out = await run(["--version"]);
    assertEquals(text(out.stdout).trim(), VERSION);
  },
});

Deno.test({
  name: "binary: list-models lists built-in plugins",
  ignore: skipReason !== undefined,
  fn: async () => {
    const out = await run(["list-models"]);
    assertEquals(out.code, 0, text(out.stderr));
    for (const p of ["anthropic", "openrouter", "openai", "ollama"]) {
      assertStringIncludes(text(out.stdout), p);
    }
  },
});

Deno.test({
  name: "binary: a user plugin given by path loads (from its source: nothing embedded it)",
  ignore: skipReason !== undefined,
  fn: async () => {
    const example = `${REPO_ROOT}/examples/plugins/acme_chat.ts`;
    const out = await run(["list-models", "--plugin", example]);
    assertEquals(out.code, 0, text(out.stderr));
    assertStringIncludes(text(out.stdout), "acme-large");
  },
});

Deno.test({
  name: "binary: analyze --dry-run --json on a fixture",
  ignore: skipReason !== undefined,
  fn: async () => {
    await Deno.mkdir(`${outDir}/proj`, { recursive: true });
    await Deno.writeTextFile(`${outDir}/proj/main.py`, "print('hi')\n");
    const out = await run(["analyze", "proj", "--dry-run", "--json"]);
    assertEquals(out.code, 0, text(out.stderr));
    assertEquals(JSON.parse(text(out.stdout)).metadata.total_files, 1);
  },
});

Deno.test({
  name: "binary: scripted analyze against the fake model server (sandbox child + KV)",
  ignore: skipReason !== undefined,
  fn: () => scriptedAnalyzeCheck([binary], outDir),
});

Deno.test("binary: remove build folder", async () => {
  await Deno.remove(outDir, { recursive: true });
});
