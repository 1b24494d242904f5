/**
 * What every command that loads a codebase passes to the loader from its options: the user's
 * globs, redaction, and where the loader's warnings go (one `deeprepo: warning:` line each).
 *
 * @module
 */
import type { CliContext } from "./context.ts";
import type { CommonOptions } from "./options.ts";
import type { LoadOptions } from "../loader/mod.ts";
import { terminalLine } from "./terminal_text.ts";

/**
 * The loader options a command's parsed options imply.
 *
 * @example
 * ```ts ignore
 * await loadCodebase(options.source, { cwd: ctx.cwd, signal: ctx.signal, ...loadOptions(options, ctx) });
 * ```
 */
export function loadOptions(
  options: Pick<CommonOptions, "include" | "exclude" | "redact">,
  ctx: CliContext,
): Pick<LoadOptions, "include" | "exclude" | "redact" | "onWarning"> {
  return {
    include: options.include,
    exclude: options.exclude,
    redact: options.redact,
    onWarning: (message) => ctx.stderr(`deeprepo: warning: ${terminalLine(message)}\n`),
  };
}
