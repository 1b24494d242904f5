/**
 * The trust rule for per-folder configuration: `.env` and `deeprepo.json` are used only when
 * they are regular files whose exact content the user trusted, and the variables that locate
 * deeprepo's own state never come from a `.env`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { runCli } from "../../lib/cli/main.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { readRegularFile } from "../../lib/config/regular_file.ts";
import { isSteeringVariable, loadSettings } from "../../lib/config/settings.ts";
import { readTrustStore, trustKey } from "../../lib/config/trust.ts";

async function withFolder(fn: (dir: string, real: Record<string, string>) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "deeprepo_settings_" }));
  try {
    await Deno.mkdir(`${dir}/work`);
    await fn(`${dir}/work`, { XDG_CONFIG_HOME: `${dir}/config`, HOME: `${dir}/home` });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `deeprepo trust ...` in-process in `cwd`. */
async function trust(cwd: string, real: Record<string, string>, ...args: string[]) {
  const ctx = capturedContext(cwd, real);
  const code = await runCli(["trust", ...args], ctx);
  return { code, out: ctx.out, err: ctx.errText() };
}

const DOTENV = "OPENROUTER_API_KEY=from-file\nANTHROPIC_BASE_URL=http://127.0.0.1:9\n" +
  "HOME=/evil\nXDG_CONFIG_HOME=/evil\nXDG_CACHE_HOME=/evil\nBOTH=file\nEMPTY_REAL=file\n";

Deno.test("an untrusted .env is not read and is reported; once trusted it applies under the real environment", async () => {
  await withFolder(async (cwd, real) => {
    await Deno.writeTextFile(`${cwd}/.env`, DOTENV);
    const before = await loadSettings(cwd, envFromRecord(real));
    assertEquals(before.env.get("OPENROUTER_API_KEY"), undefined);
    assertEquals(before.env.get("ANTHROPIC_BASE_URL"), undefined);
    assertEquals(before.ignored, [{ path: `${cwd}/.env`, reason: "untrusted" }]);

    const trusted = await trust(cwd, real, ".env");
    assertEquals(trusted.code, 0, trusted.err);
    assertEquals(trusted.out[0].startsWith(`Trusted ${cwd}/.env (sha256 `), true);
    assertEquals(trusted.out.slice(1), [
      "  sets: OPENROUTER_API_KEY, ANTHROPIC_BASE_URL, HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, " +
      "BOTH, EMPTY_REAL",
      "  chooses endpoints, plugins or the cache: ANTHROPIC_BASE_URL",
      "  never taken from a .env (ignored): HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME",
    ]);
    const after = await loadSettings(
      cwd,
      envFromRecord({ ...real, BOTH: "real", EMPTY_REAL: "" }),
    );
    assertEquals(after.ignored, []);
    assertEquals(after.env.get("OPENROUTER_API_KEY"), "from-file");
    assertEquals(after.env.sourceOf?.("OPENROUTER_API_KEY"), `${cwd}/.env`);
    assertEquals(after.env.get("BOTH"), "real");
    assertEquals(after.env.sourceOf?.("BOTH"), "the environment");
    assertEquals(after.env.get("EMPTY_REAL"), "file", "an empty real variable counts as unset");
    // The variables that locate the trust store and the caches never come from a .env.
    assertEquals(after.env.get("HOME"), real.HOME);
    assertEquals(after.env.get("XDG_CONFIG_HOME"), real.XDG_CONFIG_HOME);
    assertEquals(after.env.get("XDG_CACHE_HOME"), undefined);

    // One changed byte and it is untrusted again.
    await Deno.writeTextFile(`${cwd}/.env`, DOTENV.replace("from-file", "from-fil3"));
    const changed = await loadSettings(cwd, envFromRecord(real));
    assertEquals(changed.env.get("OPENROUTER_API_KEY"), undefined);
    assertEquals(changed.ignored, [{ path: `${cwd}/.env`, reason: "changed" }]);
  });
});

Deno.test("deeprepo.json is passed on only when trusted; trust with no file trusts both", async () => {
  await withFolder(async (cwd, real) => {
    const json = JSON.stringify({ plugins: ["./p.ts"] });
    await Deno.writeTextFile(`${cwd}/deeprepo.json`, json);
    await Deno.writeTextFile(`${cwd}/.env`, "A=1\n");
    const before = await loadSettings(cwd, envFromRecord(real));
    assertEquals(before.projectConfig, undefined);
    assertEquals(before.ignored.map((i) => i.path), [`${cwd}/.env`, `${cwd}/deeprepo.json`]);
    const trusted = await trust(cwd, real);
    assertEquals(trusted.code, 0, trusted.err);
    assert(trusted.out.includes(`  plugins (run with deeprepo's permissions): "./p.ts"`));
    const after = await loadSettings(cwd, envFromRecord(real));
    assertEquals(after.projectConfig, { path: `${cwd}/deeprepo.json`, text: json });
    assertEquals(after.env.get("A"), "1");

    const listed = await trust(cwd, real, "--list");
    assertEquals(listed.out.map((l) => l.split(/\s+/).slice(0, 2).join(" ")), [
      `trusted ${cwd}/.env`,
      `trusted ${cwd}/deeprepo.json`,
    ]);
    const revoked = await trust(cwd, real, "--revoke", "deeprepo.json");
    assertEquals(revoked.out, [`Revoked ${cwd}/deeprepo.json: deeprepo no longer uses it`]);
    assertEquals((await loadSettings(cwd, envFromRecord(real))).projectConfig, undefined);
  });
});

Deno.test("links, FIFOs, devices, folders and oversized files are never read, nor trusted", async () => {
  await withFolder(async (cwd, real) => {
    await Deno.writeTextFile(`${cwd}/../elsewhere.env`, "A=1\n");
    await Deno.symlink(`${cwd}/../elsewhere.env`, `${cwd}/.env`);
    await Deno.symlink("/dev/zero", `${cwd}/deeprepo.json`);
    const links = await loadSettings(cwd, envFromRecord(real));
    assertEquals(links.ignored, [
      { path: `${cwd}/.env`, reason: "refused", detail: "a symbolic link" },
      { path: `${cwd}/deeprepo.json`, reason: "refused", detail: "a symbolic link" },
    ]);
    assertEquals(links.env.get("A"), undefined);
    const refused = await trust(cwd, real, ".env");
    assertEquals(refused.code, 2);
    assertEquals(
      refused.err,
      `deeprepo: cannot trust ${cwd}/.env: it is a symbolic link; only a regular file can be ` +
        "trusted\n",
    );

    await Deno.remove(`${cwd}/.env`);
    const fifo = await new Deno.Command("mkfifo", { args: [`${cwd}/.env`] }).output();
    assert(fifo.success);
    assertEquals(readRegularFile(`${cwd}/.env`), { kind: "refused", reason: "a FIFO" });
    await Deno.remove(`${cwd}/.env`);
    await Deno.mkdir(`${cwd}/.env`);
    assertEquals(readRegularFile(`${cwd}/.env`), { kind: "refused", reason: "a folder" });
    await Deno.remove(`${cwd}/.env`);
    await Deno.writeTextFile(`${cwd}/.env`, "A=1\n".repeat(70_000));
    assertEquals(readRegularFile(`${cwd}/.env`), {
      kind: "refused",
      reason: "larger than 256 KiB",
    });
    assertEquals(readRegularFile("/dev/zero"), { kind: "refused", reason: "a device" });
  });
});

Deno.test("a file is trusted by its folder's real path: a linked folder reaches the same trust, a copy elsewhere does not", async () => {
  await withFolder(async (cwd, real) => {
    await Deno.writeTextFile(`${cwd}/.env`, "A=1\n");
    await Deno.symlink(cwd, `${cwd}/../linked`);
    assertEquals((await trust(`${cwd}/../linked`, real, ".env")).code, 0);
    const store = readTrustStore(`${real.XDG_CONFIG_HOME}/deeprepo/trusted.json`);
    assertEquals(Object.keys(store.entries), [`${cwd}/.env`]);
    assertEquals(trustKey(`${cwd}/../linked/.env`), `${cwd}/.env`);
    assertEquals((await loadSettings(cwd, envFromRecord(real))).env.get("A"), "1");
    await Deno.mkdir(`${cwd}/../copy`);
    await Deno.copyFile(`${cwd}/.env`, `${cwd}/../copy/.env`);
    const copy = await loadSettings(`${cwd}/../copy`, envFromRecord(real));
    assertEquals(copy.env.get("A"), undefined);
    assertEquals(copy.ignored[0].reason, "untrusted");
    // The store is the user's alone.
    const info = await Deno.stat(`${real.XDG_CONFIG_HOME}/deeprepo/trusted.json`);
    assertEquals(info.mode! & 0o777, 0o600);
  });
});

Deno.test("trust accepts only .env and deeprepo.json and says when there is nothing to trust", async () => {
  await withFolder(async (cwd, real) => {
    const other = await trust(cwd, real, "config.json");
    assertEquals(other.code, 2);
    assert(other.err.includes("deeprepo reads only .env and deeprepo.json"), other.err);
    const none = await trust(cwd, real);
    assertEquals(none.code, 2);
    assertEquals(none.err, `deeprepo: nothing to trust: no .env or deeprepo.json in ${cwd}\n`);
    const missing = await trust(cwd, real, ".env");
    assertEquals(missing.err, `deeprepo: no such file: ${cwd}/.env\n`);
  });
});

Deno.test("the steering variables are the ones that choose code, endpoints or storage", () => {
  for (const name of ["DEEPREPO_PLUGINS", "DEEPREPO_CACHE_DIR", "OLLAMA_HOST", "ACME_BASE_URL"]) {
    assert(isSteeringVariable(name), name);
  }
  for (const name of ["OPENAI_API_KEY", "NO_COLOR", "DEEPREPO_DEBUG"]) {
    assert(!isSteeringVariable(name), name);
  }
});
