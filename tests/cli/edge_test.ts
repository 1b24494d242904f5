/**
 * The CLI edge as a user meets it: a trusted `.env` and the real environment, `DEEPREPO_DEBUG`,
 * `NO_COLOR`, output into a closed pipe.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { describeError, runCli, streamWriter, wantsColor } from "../../lib/cli/main.ts";
import { envFromRecord } from "../../lib/config/env.ts";
import { EnvironmentError } from "../../lib/errors.ts";
import { capturedContext } from "../_helpers/cli_context.ts";
import { runCliProcess } from "../_helpers/run_cli.ts";

async function withTempDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_cli_edge_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("DEEPREPO_DEBUG=1 prints the stack trace; otherwise one line", async () => {
  const error = new EnvironmentError("path not found: /nope");
  assertEquals(describeError(error, false), "path not found: /nope");
  const debug = describeError(error, true);
  assertMatch(debug, /^EnvironmentError: path not found: \/nope\n\s+at /);

  const plain = capturedContext("/", {});
  assertEquals(await runCli(["analyze", "/no/such/folder/x", "--dry-run"], plain), 2);
  assertEquals(plain.errText(), "deeprepo: path not found: /no/such/folder/x\n");
  const traced = capturedContext("/", { DEEPREPO_DEBUG: "1" });
  assertEquals(await runCli(["analyze", "/no/such/folder/x", "--dry-run"], traced), 2);
  assertMatch(traced.errText(), /^deeprepo: EnvironmentError: path not found: .*\n\s+at /);
});

Deno.test("an unexpected error is one line marked as unexpected", () => {
  assertEquals(
    describeError(new TypeError("x is undefined\n  more"), false),
    "unexpected error: x is undefined",
  );
  assertEquals(describeError("plain string", false), "unexpected error: plain string");
});

Deno.test("colour only on a terminal and never with NO_COLOR (from the environment or .env)", () => {
  assertEquals(wantsColor(true, envFromRecord({})), true);
  assertEquals(wantsColor(false, envFromRecord({})), false);
  assertEquals(wantsColor(true, envFromRecord({ NO_COLOR: "1" })), false);
  assertEquals(wantsColor(true, envFromRecord({ NO_COLOR: "" })), true, "empty NO_COLOR is unset");
});

Deno.test("streamWriter drops output silently once the reader has gone", () => {
  const written: string[] = [];
  let open = true;
  const stream = {
    writeSync(p: Uint8Array) {
      if (!open) throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
      written.push(new TextDecoder().decode(p));
      return p.length;
    },
  };
  const write = streamWriter(stream);
  write("one\n");
  open = false;
  write("two\n");
  write("three\n");
  assertEquals(written, ["one\n"]);

  const failing = streamWriter({
    writeSync(): number {
      throw new Deno.errors.PermissionDenied("no");
    },
  });
  let thrown: unknown;
  try {
    failing("x");
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof Deno.errors.PermissionDenied, "other write errors still surface");
});

Deno.test("a .env file in the working folder is used once trusted; the real environment wins", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/.env`, "DEEPREPO_DEBUG=1\n");
    const env = { XDG_CONFIG_HOME: `${dir}/config` };
    const untrusted = await runCliProcess(["analyze", "missing", "--dry-run"], { cwd: dir, env });
    assertEquals(untrusted.code, 2);
    assertEquals(
      untrusted.stderr,
      `deeprepo: ignoring ${dir}/.env: not trusted (it could set keys, endpoints or plugins); ` +
        `check it, then run \`deeprepo trust ${dir}/.env\` to use it\n` +
        `deeprepo: path not found: ${dir}/missing\n`,
    );
    const trust = await runCliProcess(["trust", ".env"], { cwd: dir, env });
    assertEquals(trust.code, 0, trust.stderr);
    const fromDotenv = await runCliProcess(["analyze", "missing", "--dry-run"], { cwd: dir, env });
    assertEquals(fromDotenv.code, 2);
    assertMatch(fromDotenv.stderr, /^deeprepo: EnvironmentError: path not found: .*\n\s+at /);
    const realWins = await runCliProcess(["analyze", "missing", "--dry-run"], {
      cwd: dir,
      env: { ...env, DEEPREPO_DEBUG: "0" },
    });
    assertEquals(realWins.code, 2);
    assertEquals(realWins.stderr, `deeprepo: path not found: ${dir}/missing\n`);
  });
});

Deno.test("output into a closed pipe is no error: the command exits 0 and says nothing", async () => {
  await withTempDir(async (dir) => {
    // 2,000 files make a JSON text of ~150 KB, more than a pipe holds: the write is still going
    // when `head -c 1` has read its byte and closed the pipe.
    for (let i = 0; i < 2_000; i++) {
      Deno.writeTextFileSync(`${dir}/file_${i}.ts`, "export const a = 1;\n");
    }
    const script = `"$DENO" run -A "$MAIN" analyze . --dry-run --json | head -c 1 >/dev/null; ` +
      `echo "status=\${PIPESTATUS[0]}"`;
    const out = await new Deno.Command("bash", {
      args: ["-c", script],
      cwd: dir,
      env: { DENO: Deno.execPath(), MAIN: new URL("../../main.ts", import.meta.url).pathname },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    assertEquals(decoder.decode(out.stderr), "");
    assertEquals(decoder.decode(out.stdout).trim(), "status=0");
  });
});

Deno.test("a clone failure is one line and exit 1; a folder with nothing to load is exit 2", async () => {
  await withTempDir(async (dir) => {
    const clone = await runCliProcess(
      ["analyze", `file://${dir}/not-a-repo`, "--dry-run"],
      { cwd: dir },
    );
    assertEquals(clone.code, 1);
    assertMatch(clone.stderr, /^deeprepo: could not clone file:\/\/.*not-a-repo: [^\n]+\n$/);
    await Deno.mkdir(`${dir}/images`);
    await Deno.writeFile(`${dir}/images/logo.png`, new Uint8Array([0x89, 0x50, 0, 0]));
    const empty = await runCliProcess(["baseline", "images", "--dry-run"], { cwd: dir });
    assertEquals(empty.code, 2);
    assertEquals(
      empty.stderr,
      `deeprepo: nothing to analyze: ${dir}/images has no text files to load ` +
        "(skipped: 1 binary)\n",
    );
    assertEquals(empty.stdout, "");
  });
});

Deno.test("a stray promise rejection (here from a plugin) is one line and exit 1", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/stray.ts`,
      `setTimeout(() => Promise.reject(new Error("boom from a stray promise")), 0);
await new Promise((resolve) => setTimeout(resolve, 200));
export default { name: "stray", models: [], createClient() { throw new Error("unused"); } };
`,
    );
    const plain = await runCliProcess(["list-models", "--plugin", "./stray.ts"], { cwd: dir });
    assertEquals(plain.code, 1);
    assertEquals(plain.stderr, "deeprepo: unexpected error: boom from a stray promise\n");
    const debug = await runCliProcess(["list-models", "--plugin", "./stray.ts"], {
      cwd: dir,
      env: { DEEPREPO_DEBUG: "1" },
    });
    assertEquals(debug.code, 1);
    assertMatch(debug.stderr, /^deeprepo: Error: boom from a stray promise\n\s+at .*stray\.ts/);
  });
});
