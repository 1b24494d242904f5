/**
 * An in-process {@linkcode CliContext} that records what a command prints.
 *
 * @module
 */
import type { CliContext } from "../../lib/cli/context.ts";
import { envFromRecord } from "../../lib/config/env.ts";

/** A context whose output is captured; `env` is exactly the given record. */
export interface CapturedContext extends CliContext {
  out: string[];
  err: string[];
  /** Everything written to stderr, joined. */
  errText(): string;
}

/** Creates a captured context rooted at `cwd`. */
export function capturedContext(
  cwd: string,
  env: Record<string, string | undefined> = {},
  signal: AbortSignal = new AbortController().signal,
): CapturedContext {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd,
    env: envFromRecord(env),
    stdout: (line) => out.push(line),
    stderr: (text) => err.push(text),
    isTerminal: false,
    color: false,
    signal,
    out,
    err,
    errText: () => err.join(""),
  };
}
