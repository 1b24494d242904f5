/**
 * Runs deeprepo as a real subprocess, the way a user does, and captures its output.
 *
 * @module
 */

/** Absolute path of the repository's `main.ts`. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Absolute path of the repository root. */
export const REPO_ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Flags for a `deno run --no-config` child (deeprepo as run from a URL, without deno.json's
 * settings) that still resolves dependencies from the repository's lockfile: the versions the
 * test task already fetched, so the child downloads nothing and its stderr holds only what the
 * program printed, warm Deno cache or not. `--frozen` fails the run instead of changing the lock.
 */
export const LOCKED_NO_CONFIG = ["--no-config", `--lock=${REPO_ROOT}/deno.lock`, "--frozen"];

/** What a finished CLI run printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode runDeno}. */
export interface RunOptions {
  /** Working directory (default: a fresh temp dir is NOT made; the caller's cwd). */
  cwd?: string;
  /** Environment variables added to a minimal base (PATH, HOME, DENO_DIR). */
  env?: Record<string, string>;
  /** Kill the process after this many milliseconds. @default 120000 */
  timeoutMs?: number;
}

let configDir: string | undefined;

/** A config folder for this test module's deeprepo runs, made on first use. */
function testConfigDir(): string {
  configDir ??= Deno.makeTempDirSync({ prefix: "deeprepo_test_config_" });
  return configDir;
}

/** Runs `deno <args>` with a minimal environment (no real API keys leak into tests). */
export async function runDeno(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const base: Record<string, string> = { NO_COLOR: "1" };
  // TLS and proxy settings pass through: a child that must fetch an npm package (a URL run has
  // no lockfile; a fresh Deno cache) needs the machine's certificate authorities to reach it.
  for (
    const name of [
      "PATH",
      "HOME",
      "DENO_DIR",
      "XDG_CACHE_HOME",
      "TMPDIR",
      "DENO_CERT",
      "DENO_TLS_CA_STORE",
      "NODE_EXTRA_CA_CERTS",
      "SSL_CERT_FILE",
      "SSL_CERT_DIR",
      "HTTPS_PROXY",
      "HTTP_PROXY",
      "NO_PROXY",
    ]
  ) {
    const value = Deno.env.get(name);
    if (value) base[name] = value;
  }
  // deeprepo keeps a run key and the trust store in the user's config folder: tests get their
  // own, never the real user's (unless the test sets HOME or XDG_CONFIG_HOME itself).
  if (!options.env?.HOME && !options.env?.XDG_CONFIG_HOME) base.XDG_CONFIG_HOME = testConfigDir();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd,
    env: { ...base, ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, options.timeoutMs ?? 120_000);
  try {
    const out = await child.output();
    const decoder = new TextDecoder();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the deeprepo CLI from this checkout with all permissions. */
export function runCliProcess(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return runDeno(["run", "-A", MAIN, ...args], options);
}
