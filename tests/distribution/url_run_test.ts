/**
 * deeprepo runs straight from a URL: a remote main module reads no deno.json, so every import
 * must be fully qualified. The repository is served on loopback and run from there.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { serveFolder } from "../_helpers/static_server.ts";
import { REPO_ROOT, runDeno } from "../_helpers/run_cli.ts";
import { VERSION } from "../../lib/version.ts";
import { URL_RUN_FLAGS } from "../../scripts/install_flags.ts";

async function withServedRepo(fn: (url: string, cwd: string) => Promise<void>) {
  const server = serveFolder(REPO_ROOT);
  const cwd = await Deno.makeTempDir({ prefix: "deeprepo_url_" });
  try {
    await fn(server.url, cwd);
  } finally {
    await server.close();
    await Deno.remove(cwd, { recursive: true });
  }
}

function urlRun(url: string, cwd: string, args: string[], env: Record<string, string> = {}) {
  return runDeno(["run", ...URL_RUN_FLAGS, `${url}/main.ts`, ...args], {
    cwd,
    env: { DEEPREPO_CACHE_DIR: `${cwd}/.cache`, ...env },
  });
}

Deno.test("deno run <url>/main.ts --version prints the version", async () => {
  await withServedRepo(async (url, cwd) => {
    const result = await urlRun(url, cwd, ["--version"]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(result.stdout.trim(), VERSION);
  });
});

Deno.test("deno run <url>/main.ts list-models lists the built-in providers with no keys set", async () => {
  await withServedRepo(async (url, cwd) => {
    const result = await urlRun(url, cwd, ["list-models", "--json"]);
    assertEquals(result.code, 0, result.stderr);
    const text = result.stdout;
    for (const provider of ["anthropic", "openrouter", "openai", "ollama"]) {
      assertStringIncludes(text, provider);
    }
  });
});

Deno.test("deno run <url>/main.ts analyze --dry-run --json loads a local folder", async () => {
  await withServedRepo(async (url, cwd) => {
    await Deno.mkdir(`${cwd}/proj/src`, { recursive: true });
    await Deno.writeTextFile(`${cwd}/proj/src/app.ts`, "export const x = 1;\n");
    await Deno.writeTextFile(`${cwd}/proj/README.md`, "# proj\n");
    const result = await urlRun(url, cwd, ["analyze", "proj", "--dry-run", "--json"]);
    assertEquals(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assertEquals(report.metadata.total_files, 2);
    assertMatch(JSON.stringify(report.files), /src\/app\.ts/);
  });
});
