/**
 * Error kinds chosen by who must act on them. The CLI edge maps each kind to an exit status
 * and prints its message as one line; nothing below the CLI prints or exits.
 *
 * @module
 */

/** The invocation must be fixed (bad flag or value, unknown model, invalid plugin). Exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode = 2;
}

/** The environment must be fixed (missing API key, path missing or not a folder). Exit 2. */
export class EnvironmentError extends Error {
  override name = "EnvironmentError";
  readonly exitCode = 2;
}

/** The run itself failed (model API failure after retries, clone failure, ...). Exit 1. */
export class RunError extends Error {
  override name = "RunError";
  readonly exitCode = 1;
}

/** The user interrupted the run (Ctrl-C). Exit 130. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  readonly exitCode = 130;
  constructor(message = "interrupted") {
    super(message);
  }
}

/** Exit status for any thrown value: the error's own code, or 1 for the unexpected. */
export function exitCodeOf(error: unknown): number {
  if (error && typeof error === "object" && "exitCode" in error) {
    const code = (error as { exitCode: unknown }).exitCode;
    if (typeof code === "number") return code;
  }
  return 1;
}
