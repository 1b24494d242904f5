/**
 * Credentials in a git URL (`http://user:TOKEN@host/repo.git`) never appear in anything deeprepo
 * prints or writes: the `Loading` line, the dry run (text and JSON), the report footer, metrics,
 * trajectory, compare table and error lines. The repository is served on loopback by
 * `git http-backend` (git's own smart-HTTP CGI program), which ignores the credentials.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";
import { type RecordedRequest, startFakeModelServer } from "../fakes/model_server.ts";

const TOKEN = "ghp_SECRET0123456789";

async function git(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
    env: { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
}

/** Serves the bare repositories under `root` over git's smart HTTP protocol. */
function serveGit(root: string): { url: string; close(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = new Uint8Array(await req.arrayBuffer());
    const child = new Deno.Command("git", {
      args: ["http-backend"],
      env: {
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method,
        CONTENT_TYPE: req.headers.get("content-type") ?? "",
        CONTENT_LENGTH: String(body.length),
        HTTP_CONTENT_ENCODING: req.headers.get("content-encoding") ?? "",
        HTTP_GIT_PROTOCOL: req.headers.get("git-protocol") ?? "",
        REMOTE_ADDR: "127.0.0.1",
        GATEWAY_INTERFACE: "CGI/1.1",
        SERVER_PROTOCOL: "HTTP/1.1",
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(body);
    await writer.close();
    const out = (await child.output()).stdout;
    // CGI output: header lines, a blank line, the body.
    let end = 0;
    while (
      end + 3 < out.length &&
      !(out[end] === 13 && out[end + 1] === 10 && out[end + 2] === 13 && out[end + 3] === 10)
    ) end++;
    const headers = new Headers();
    let status = 200;
    for (const line of new TextDecoder().decode(out.subarray(0, end)).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
      else headers.set(name, value);
    }
    return new Response(out.slice(end + 4), { status, headers });
  });
  const port = (server.addr as Deno.NetAddr).port;
  return { url: `http://127.0.0.1:${port}`, close: () => server.shutdown() };
}

/** A bare repository with one commit under `dir/www/repo.git`. */
async function servedRepository(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/work/src`, { recursive: true });
  await Deno.writeTextFile(`${dir}/work/src/app.ts`, "export const app = 1;\n");
  await git(`${dir}/work`, "init", "-q", "-b", "main");
  await git(`${dir}/work`, "add", ".");
  await git(
    `${dir}/work`,
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@t.invalid",
    "commit",
    "-q",
    "-m",
    "one",
  );
  await Deno.mkdir(`${dir}/www`);
  await git(dir, "clone", "-q", "--bare", `${dir}/work`, `${dir}/www/repo.git`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const texts: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile) texts.push(await Deno.readTextFile(`${dir}/${entry.name}`));
  }
  return texts;
}

Deno.test("credentials in a git URL are redacted in every line and file deeprepo writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_url_creds_" });
  const models = await startFakeModelServer();
  await servedRepository(dir);
  const www = serveGit(`${dir}/www`);
  try {
    const url = www.url.replace("http://", `http://user:${TOKEN}@`) + "/repo.git";
    const shown = www.url.replace("http://", "http://***@") + "/repo.git";
    const env = { ...models.env(), DEEPREPO_CACHE_DIR: `${dir}/cache` };
    const run = (args: string[]) => runCliProcess(args, { cwd: dir, env });

    models.handler(
      (req: RecordedRequest) =>
        Array.isArray(req.body.tools)
          ? { toolCalls: [{ name: "execute_code", input: { code: 'set_answer("# R\\n\\nok")' } }] }
          : { text: "# Baseline\n\nok" },
      "anthropic",
    );
    const results = [
      await run(["analyze", url, "--dry-run"]),
      await run(["analyze", url, "--dry-run", "--json"]),
      await run(["baseline", url, "--dry-run"]),
      await run(["analyze", url, "-o", `${dir}/out`]),
      await run(["compare", url, "-o", `${dir}/out`, "--json"]),
      await run(["analyze", url.replace("repo.git", "missing.git"), "--dry-run"]),
    ];
    for (const [i, r] of results.entries()) {
      assert(!`${r.stdout}${r.stderr}`.includes(TOKEN), `run ${i} printed the token: ${r.stderr}`);
    }
    for (const r of results.slice(0, 5)) assertEquals(r.code, 0, r.stderr);
    assert(results[0].stdout.includes(shown), results[0].stdout);
    assertEquals(JSON.parse(results[1].stdout).source, shown);
    assert(results[3].stderr.includes(`Loading ${shown}...`), results[3].stderr);
    assertEquals(JSON.parse(results[4].stdout).repo, shown);
    assertEquals(results[5].code, 1);
    assert(
      results[5].stderr.startsWith(`deeprepo: could not clone ${shown.replace("repo", "missing")}`),
    );
    const written = await filesUnder(`${dir}/out`);
    assert(written.length >= 8, `analyze and compare wrote ${written.length} files`);
    for (const text of written) assert(!text.includes(TOKEN), "a written file holds the token");
    assert(written.some((text) => text.includes(shown)), "the files name the redacted URL");
    models.assertNoFailures();
  } finally {
    await www.close();
    await models.close();
    await Deno.remove(dir, { recursive: true });
  }
});
