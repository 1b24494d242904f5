/**
 * URL plugins: fetched once and kept in the cache folder (a note says when the copy is used),
 * refreshed by `--reload-plugins`, pinned by `#sha256=`, evaluated without Deno's module loader
 * so the checkout's `deno.lock` is never written, and failing alone.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { serveFolder } from "../_helpers/static_server.ts";
import { REPO_ROOT, runCliProcess } from "../_helpers/run_cli.ts";
import { loadUrlPlugin } from "../../lib/providers/url_plugin.ts";
import { sha256Hex } from "../../lib/config/trust.ts";

const plugin = (name: string) =>
  `import type { ProviderPlugin } from "https://example.invalid/types.ts";
const plugin: ProviderPlugin = {
  name: ${JSON.stringify(name)},
  models: [{ id: "${name}-1", pricing: { input: 1, output: 1 } }],
  createClient() { throw new Error("unused"); },
};
export default plugin;
`;

async function withServer(
  fn: (url: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_url_plugin_" });
  await Deno.mkdir(`${dir}/www`);
  const server = serveFolder(`${dir}/www`);
  try {
    await fn(server.url, dir);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const nameOf = (module: unknown) => (module as { default: { name: string } }).default.name;

Deno.test("a URL plugin is fetched once, its copy used and named after, and refreshed on request", async () => {
  await withServer(async (url, dir) => {
    await Deno.writeTextFile(`${dir}/www/p.ts`, plugin("first"));
    const notes: string[] = [];
    const options = { dir: `${dir}/store`, note: (line: string) => notes.push(line) };
    assertEquals(nameOf(await loadUrlPlugin(`${url}/p.ts`, options)), "first");
    const sha = await sha256Hex(new TextEncoder().encode(plugin("first")));
    assertEquals(notes, [
      `plugin ${url}/p.ts: fetched, sha256 ${sha}; pin it by adding #sha256=${sha} to the URL`,
    ]);
    // The server changes; the stored copy is used and said so.
    await Deno.writeTextFile(`${dir}/www/p.ts`, plugin("second"));
    assertEquals(nameOf(await loadUrlPlugin(`${url}/p.ts`, options)), "first");
    assertMatch(
      notes[1],
      new RegExp(
        `^plugin ${url}/p\\.ts: using the copy fetched \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d ` +
          `\\(sha256 ${sha.slice(0, 16)}…\\); --reload-plugins fetches it again$`,
      ),
    );
    assertEquals(
      nameOf(await loadUrlPlugin(`${url}/p.ts`, { ...options, reload: true })),
      "second",
    );
    for await (const entry of Deno.readDir(`${dir}/store`)) {
      const mode = (await Deno.stat(`${dir}/store/${entry.name}`)).mode! & 0o777;
      assertEquals(mode, 0o600, entry.name);
    }
  });
});

Deno.test("a pinned URL plugin whose content differs fails; one importing code says how to use it", async () => {
  await withServer(async (url, dir) => {
    await Deno.writeTextFile(`${dir}/www/p.ts`, plugin("pinned"));
    const sha = await sha256Hex(new TextEncoder().encode(plugin("pinned")));
    const good = await loadUrlPlugin(`${url}/p.ts#sha256=${sha}`, { dir: `${dir}/store` });
    assertEquals(nameOf(good), "pinned");
    const wrong = "0".repeat(64);
    const error = await assertRejects(() =>
      loadUrlPlugin(`${url}/p.ts#sha256=${wrong}`, { dir: `${dir}/other` })
    );
    assertEquals(
      (error as Error).message,
      `its content (sha256 ${sha}) does not match the pinned sha256 ${wrong}`,
    );
    await Deno.writeTextFile(
      `${dir}/www/code.ts`,
      `import x from "npm:left-pad@1.3.0";\nexport const pad = x;\n${plugin("c")}`,
    );
    const code = await assertRejects(() => loadUrlPlugin(`${url}/code.ts`));
    assertMatch(
      (code as Error).message,
      /^imports "npm:left-pad@1\.3\.0": a plugin loaded from a URL must be self-contained/,
    );
  });
});

Deno.test("list-models and plugins check with URL plugins from this checkout leave deno.lock alone; a failing one fails alone", async () => {
  await withServer(async (url, dir) => {
    await Deno.writeTextFile(`${dir}/www/good.ts`, plugin("goodurl"));
    await Deno.writeTextFile(`${dir}/www/bad.ts`, plugin("badurl"));
    const lockBefore = await Deno.readTextFile(`${REPO_ROOT}/deno.lock`);
    const result = await runCliProcess(
      [
        "list-models",
        "--json",
        "--plugin",
        `${url}/good.ts`,
        "--plugin",
        `${url}/bad.ts#sha256=${"1".repeat(64)}`,
      ],
      { cwd: REPO_ROOT, env: { DEEPREPO_CACHE_DIR: `${dir}/cache` } },
    );
    assertEquals(result.code, 2, result.stderr);
    const listing = JSON.parse(result.stdout);
    assert(listing.providers.some((p: { name: string }) => p.name === "goodurl"));
    assertEquals(listing.errors.length, 1);
    assertMatch(listing.errors[0].message, /bad\.ts#sha256=1{64}: cannot load: its content/);
    const check = await runCliProcess(["plugins", "check", `${url}/good.ts`], {
      cwd: REPO_ROOT,
      env: { DEEPREPO_CACHE_DIR: `${dir}/cache` },
    });
    assert(check.stdout.includes("goodurl"), check.stdout + check.stderr);
    const lockAfter = await Deno.readTextFile(`${REPO_ROOT}/deno.lock`);
    assertEquals(lockAfter, lockBefore);
    assert(!lockAfter.includes("127.0.0.1"));
  });
});
