/**
 * Runs a command under a pseudo-terminal with util-linux `script`, so the program sees a real
 * terminal on stdin, stdout and stderr, and returns what the terminal received (the "screen"
 * bytes, before any terminal interprets them).
 *
 * @module
 */

/** Whether `script` (util-linux) is available to give a command a pseudo-terminal. */
export async function hasScript(): Promise<boolean> {
  try {
    const out = await new Deno.Command("script", { args: ["--version"], stdout: "piped" })
      .output();
    return out.success && new TextDecoder().decode(out.stdout).includes("util-linux");
  } catch {
    return false;
  }
}

/** Quotes one word for `sh -c`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** What a command run under a pseudo-terminal wrote, and how it ended. */
export interface PtyResult {
  code: number;
  /** Everything the terminal received, stdout and stderr interleaved (`\n` arrives as `\r\n`). */
  screen: string;
}

/** Options of {@linkcode runInPty}. */
export interface PtyOptions {
  cwd?: string;
  /** Environment added to PATH, HOME, DENO_DIR, TMPDIR. */
  env?: Record<string, string>;
  /**
   * Types into the terminal while the command runs: `type("\x03")` is Ctrl-C, which the
   * terminal turns into SIGINT for its whole foreground process group, as a real one does.
   */
  drive?(type: (text: string) => Promise<void>): Promise<void>;
  /** Terminal width. @default 80 */
  columns?: number;
  /** Kill after this many milliseconds. @default 60000 */
  timeoutMs?: number;
}

/**
 * Runs `command` (a shell command line) under `script -q -e -c`, in a terminal of
 * `options.columns` columns, typing into it what `options.drive` types.
 */
export async function runInPty(command: string, options: PtyOptions = {}): Promise<PtyResult> {
  const env: Record<string, string> = { TERM: "xterm" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  const columns = options.columns ?? 80;
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", `stty cols ${columns} rows 24 2>/dev/null; ${command}`, "/dev/null"],
    cwd: options.cwd,
    env: { ...env, ...options.env },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, options.timeoutMs ?? 60_000);
  const writer = child.stdin.getWriter();
  const type = (text: string) => writer.write(new TextEncoder().encode(text)).catch(() => {});
  const typing = options.drive?.(type);
  try {
    const out = await child.output();
    await typing?.catch(() => {});
    return { code: out.code, screen: new TextDecoder().decode(out.stdout) };
  } finally {
    clearTimeout(timer);
    await writer.close().catch(() => {});
  }
}
