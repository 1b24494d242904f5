/**
 * Builds standalone deeprepo binaries with `deno compile`.
 *
 * Usage:
 *   deno task compile                 # the host target, into dist/
 *   deno task compile --all           # every release target
 *   deno task compile --target T      # one target (repeatable)
 *   deno task compile --out DIR       # output folder (default dist/)
 *
 * `deno compile` downloads a small runtime ("denort") per target unless `DENORT_BIN` points at a
 * local one for the host target.
 *
 * @module
 */

/** Release targets (Deno's `--target` names). */
export const RELEASE_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/**
 * Permissions baked into the binary. The binary reads the repository and `.env`, writes reports,
 * the cache and temporary clones, talks to model endpoints (any host: endpoints are
 * configurable), reads environment variables (keys, endpoints), runs `git` for clones and itself
 * for the sandbox child, asks the OS for the home directory (cache location), and imports user
 * plugins given by URL. The sandbox child drops all of these before user code runs.
 *
 * `--allow-sys` (all of it) and `--allow-ffi` are granted although deeprepo uses neither beyond
 * the home directory: Deno resolves every path of every file operation through `readlink` for
 * its permission check unless every permission is granted (about ten calls per file opened;
 * 180,000 for svelte, a third of the load time). `--allow-run` already lets the process start
 * any program with any rights, so the two flags add no power it did not have.
 */
export const BINARY_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
  "--allow-ffi",
  "--allow-import",
] as const;

/** Unstable features the app needs: Deno KV (cache) and worker permission options (sandbox). */
export const UNSTABLE_FLAGS = ["--unstable-kv", "--unstable-worker-options"] as const;

/** Files loaded by computed specifiers, which `deno compile` cannot discover by itself. */
export const INCLUDES = ["plugins/", "lib/sandbox/"] as const;

/** The binary's file name for a target. */
export function binaryName(target: string): string {
  return `deeprepo-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/** The `deno compile` arguments for one target. */
export function compileArgs(target: string | undefined, output: string): string[] {
  return [
    "compile",
    ...UNSTABLE_FLAGS,
    ...BINARY_PERMISSIONS,
    ...INCLUDES.flatMap((path) => ["--include", path]),
    ...(target ? ["--target", target] : []),
    "--output",
    output,
    "main.ts",
  ];
}

async function hostTarget(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["--version"] }).output();
  const text = new TextDecoder().decode(out.stdout);
  const match = text.match(/\(([^)]*), ([^)]*)\)/);
  return match?.[2]?.trim() || Deno.build.target;
}

if (import.meta.main) {
  const args = [...Deno.args];
  let out = "dist";
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--all") targets.push(...RELEASE_TARGETS);
    else if (args[i] === "--target") targets.push(args[++i]);
    else if (args[i] === "--out") out = args[++i];
    else {
      console.error(`compile: unknown argument ${args[i]}`);
      Deno.exit(2);
    }
  }
  if (targets.length === 0) targets.push(await hostTarget());
  await Deno.mkdir(out, { recursive: true });
  const root = new URL("..", import.meta.url).pathname;
  for (const target of targets) {
    const output = `${out}/${binaryName(target)}`;
    console.error(`compile: ${target} -> ${output}`);
    const status = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, output),
      cwd: root,
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
    if (!status.success) {
      console.error(`compile: deno compile failed for ${target}`);
      Deno.exit(1);
    }
  }
}
