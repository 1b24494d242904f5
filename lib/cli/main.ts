/**
 * The CLI edge: builds the process context, parses arguments, runs the command, and turns every
 * error into one line on stderr and an exit status. Nothing else in deeprepo prints or exits.
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import { dispatch, parseArgs } from "./program.ts";
import { exitCodeOf } from "../errors.ts";
import type { Env } from "../config/env.ts";
import { loadSettings } from "../config/settings.ts";
import { folderNotices } from "./folder_notices.ts";
import { redactUrl } from "../redact.ts";
import { terminalText } from "./terminal_text.ts";
import { clearLiveLine, terminalColumns } from "./screen.ts";

const encoder = new TextEncoder();

/**
 * A writer for stdout or stderr. When the reader goes away (`deeprepo list-models | head -1`),
 * the rest of the output is dropped silently, as other command-line tools do, instead of the
 * command failing with "Broken pipe": the command still finishes and writes its files.
 */
export function streamWriter(stream: { writeSync(p: Uint8Array): number }): (text: string) => void {
  let closed = false;
  return (text) => {
    if (closed) return;
    let bytes = encoder.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      closed = true;
    }
  };
}

/**
 * The directory the user ran deeprepo from. `deno task deeprepo` runs in the project folder;
 * the task hands over the caller's folder (`INIT_CWD`) as `DEEPREPO_TASK_CWD`. `INIT_CWD` itself
 * is not read: every `deno task` and `npm run` sets it, and a script such as
 * `cd packages/api && deeprepo analyze .` must analyze `packages/api`, not the folder the script
 * was started from.
 *
 * @param env The real environment. @default {Deno.env}
 */
export function userCwd(env: Env = Deno.env): string {
  return env.get("DEEPREPO_TASK_CWD") || Deno.cwd();
}

/**
 * Whether to colour output: only on a terminal, and never when `NO_COLOR` is set to anything
 * non-empty (in the environment or in `.env`), as https://no-color.org asks.
 */
export function wantsColor(isTerminal: boolean, env: Env): boolean {
  return isTerminal && !env.get("NO_COLOR");
}

/**
 * Builds the real process context; `signal` aborts on the first Ctrl-C. The working folder's
 * `.env` and `deeprepo.json` are used only when trusted (see `lib/config/settings.ts`).
 */
export async function processContext(signal: AbortSignal): Promise<CliContext> {
  const cwd = userCwd();
  const isTerminal = Deno.stderr.isTerminal();
  const out = streamWriter(Deno.stdout);
  const err = streamWriter(Deno.stderr);
  // stdout is data when redirected (exact bytes), text for a person on a terminal.
  const stdoutIsTerminal = Deno.stdout.isTerminal();
  const { env, ...folderConfig } = await loadSettings(cwd);
  return {
    cwd,
    env,
    folderConfig,
    stdout: (line) => out(`${stdoutIsTerminal ? terminalText(line) : line}\n`),
    stderr: (text) => err(terminalText(text)),
    control: err,
    isTerminal,
    columns: isTerminal || stdoutIsTerminal ? terminalColumns(true) : undefined,
    color: wantsColor(isTerminal, env),
    signal,
  };
}

/**
 * One line for an error: its message, or the stack when `DEEPREPO_DEBUG=1`. Credentials in any
 * URL it mentions are redacted.
 */
export function describeError(error: unknown, debug: boolean): string {
  const expected = error && typeof error === "object" && "exitCode" in error;
  if (debug && error instanceof Error && error.stack) return redactUrl(error.stack);
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n").find((l) => l.trim() !== "") ?? "unknown error";
  return redactUrl(expected ? firstLine : `unexpected error: ${firstLine}`);
}

/**
 * Makes a crash outside any command's error handling (a stray promise rejection or an exception
 * in a timer, from a plugin or a dependency) end like every other failure: one line on stderr
 * (the stack with `DEEPREPO_DEBUG=1`) and exit status 1, instead of Deno's multi-line report.
 *
 * @param ctx Where the line goes, and the environment holding `DEEPREPO_DEBUG`.
 * @param exit Ends the process. @default {Deno.exit}
 */
export function installCrashHandlers(
  ctx: Pick<CliContext, "stderr" | "env">,
  exit: (code: number) => void = Deno.exit,
): void {
  const crash = (error: unknown) => {
    const debug = ctx.env.get("DEEPREPO_DEBUG") === "1";
    clearLiveLine(ctx);
    ctx.stderr(`deeprepo: ${describeError(error, debug)}\n`);
    exit(1);
  };
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    crash(event.reason);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    crash(event.error);
  });
}

/**
 * Runs the CLI with an argument vector and a context; returns the exit status.
 *
 * @param argv Arguments after the program name.
 * @param ctx Process dependencies (stdout, stderr, env, cwd, signal).
 */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    const invocation = await parseArgs(argv, ctx.cwd, {
      out: (text) => {
        for (const line of text.replace(/\n$/, "").split("\n")) ctx.stdout(line);
      },
    });
    // Every command says which per-folder files it did not use (help and version do not).
    if (invocation.command !== "printed" && invocation.command !== "trust") {
      for (const line of folderNotices(ctx.folderConfig)) ctx.stderr(`deeprepo: ${line}\n`);
    }
    return await dispatch(invocation, ctx);
  } catch (error) {
    const debug = ctx.env.get("DEEPREPO_DEBUG") === "1";
    clearLiveLine(ctx); // the error starts its own line, never after "scanning 0/0"
    ctx.stderr(`deeprepo: ${describeError(error, debug)}\n`);
    return exitCodeOf(error);
  }
}
