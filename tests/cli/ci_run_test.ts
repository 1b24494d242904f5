/**
 * `.ci/run` on a machine without Deno: it installs the pinned Deno from npm and then runs exactly
 * `deno task test`. Tested with a fake `npm` and a fake `deno` on a PATH of their own (the real
 * suite is not run again from inside itself, and nothing is downloaded).
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/run_cli.ts";

/**
 * A fake `deno` that logs its arguments and folder (and, for `task`, whether `DENO_DIR` names an
 * empty folder of its own), and reports `version`.
 */
function fakeDeno(log: string, version: string): string {
  return `#!/bin/sh
if [ "$1" = "task" ]; then
  cache="DENO_DIR unset"
  if [ -n "$DENO_DIR" ] && [ -d "$DENO_DIR" ]; then
    set -- "$DENO_DIR"/* "$@"
    if [ -e "$1" ]; then cache="DENO_DIR not empty"; else cache="empty DENO_DIR"; fi
    shift
  fi
  echo "deno $* @ $PWD, $cache" >> "${log}"
  exit 0
fi
echo "deno $* @ $PWD" >> "${log}"
if [ "$1" = "--version" ]; then echo "deno ${version} (stable, release, fake)"; fi
`;
}

interface CiRun {
  code: number;
  stdout: string;
  /** Every fake npm and deno call, in order. */
  calls: string[];
  /** Deno cache folders `.ci/run` left in its TMPDIR. */
  leftovers: string[];
}

/**
 * Runs `.ci/run` with a PATH holding only the tools it needs, a fake npm (which "installs" a fake
 * deno into the prefix it is given) and, when `existingDeno` is given, a deno of that version.
 */
async function runCi(existingDeno?: string): Promise<CiRun> {
  const dir = await Deno.makeTempDir({ prefix: "deeprepo_ci_" });
  try {
    const bin = `${dir}/bin`;
    const log = `${dir}/calls.log`;
    await Deno.mkdir(bin);
    for (const tool of ["bash", "sh", "dirname", "head", "mkdir", "chmod", "cat", "mktemp", "rm"]) {
      const which = await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).output();
      await Deno.symlink(new TextDecoder().decode(which.stdout).trim(), `${bin}/${tool}`);
    }
    const denoScript = fakeDeno(log, "2.9.6");
    await Deno.writeTextFile(
      `${bin}/npm`,
      `#!/bin/sh
echo "npm $*" >> "${log}"
prefix=""; while [ $# -gt 0 ]; do [ "$1" = "--prefix" ] && prefix="$2"; shift; done
mkdir -p "$prefix/node_modules/.bin"
cat > "$prefix/node_modules/.bin/deno" <<'FAKE'
${denoScript}FAKE
chmod +x "$prefix/node_modules/.bin/deno"
`,
    );
    await Deno.chmod(`${bin}/npm`, 0o755);
    if (existingDeno) {
      await Deno.writeTextFile(`${bin}/deno`, fakeDeno(log, existingDeno));
      await Deno.chmod(`${bin}/deno`, 0o755);
    }
    const out = await new Deno.Command(`${REPO_ROOT}/.ci/run`, {
      cwd: dir,
      clearEnv: true,
      env: { PATH: bin, HOME: dir, XDG_CACHE_HOME: `${dir}/cache`, TMPDIR: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const calls = (await Deno.readTextFile(log).catch(() => "")).trim().split("\n")
      .filter(Boolean).map((line) => line.replaceAll(dir, "<tmp>").replaceAll(REPO_ROOT, "<repo>"));
    const leftovers: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith("deeprepo-ci-deno-dir")) leftovers.push(entry.name);
    }
    return {
      leftovers,
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout).replaceAll(dir, "<tmp>"),
      calls: calls.filter((c) => !c.startsWith("deno --version")),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(".ci/run installs deno 2.9.6 from npm when deno is missing, then runs deno task test", async () => {
  const run = await runCi();
  assertEquals(run.code, 0, run.stdout);
  assertEquals(run.calls, [
    "npm install --no-save --no-audit --no-fund --prefix <tmp>/cache/deeprepo-ci/deno-2.9.6 " +
    "deno@2.9.6",
    "deno task test @ <repo>, empty DENO_DIR",
  ]);
  assertMatch(run.stdout, /installing deno@2\.9\.6 from npm/);
});

Deno.test(".ci/run uses a deno 2.9.6 already on PATH and installs nothing", async () => {
  const run = await runCi("2.9.6");
  assertEquals(run.code, 0, run.stdout);
  assertEquals(run.calls, ["deno task test @ <repo>, empty DENO_DIR"]);
});

Deno.test(".ci/run installs the pinned deno when another version is on PATH", async () => {
  const run = await runCi("2.1.0");
  assertEquals(run.code, 0, run.stdout);
  assertEquals(run.calls[0].startsWith("npm install"), true, run.calls.join("\n"));
  assertEquals(run.calls.at(-1), "deno task test @ <repo>, empty DENO_DIR");
});

Deno.test(".ci/run removes its Deno cache afterwards", async () => {
  const run = await runCi("2.9.6");
  assertEquals(run.code, 0, run.stdout);
  assertMatch(run.stdout, /empty Deno cache: <tmp>\/deeprepo-ci-deno-dir\./);
  assertEquals(run.leftovers, []);
});

Deno.test("the README's test command is exactly what .ci/run runs", async () => {
  const script = await Deno.readTextFile(`${REPO_ROOT}/.ci/run`);
  assertEquals(script.trimEnd().split("\n").at(-1), "deno task test");
  const readme = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  assertMatch(readme, /deno task test/);
});
