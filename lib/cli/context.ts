/**
 * What a command needs from the process, injected so commands run in-process in tests.
 *
 * @module
 */
import type { Env } from "../config/env.ts";
import type { FolderConfig } from "../config/settings.ts";

/** Process-facing dependencies of a command. */
export interface CliContext {
  /** The directory the user ran deeprepo from; relative paths resolve against it. */
  cwd: string;
  /** Configuration variables, as `lib/config/settings.ts` decided them. */
  env: Env;
  /**
   * The working folder's `.env` / `deeprepo.json` as the trust rule left them. Absent (tests):
   * no `deeprepo.json` is read and nothing is reported.
   */
  folderConfig?: FolderConfig;
  /**
   * Writes one line to stdout. When stdout is a terminal the process context shows control
   * characters visibly; redirected to a file or pipe, the bytes are kept (it is data).
   */
  stdout(line: string): void;
  /**
   * Writes text to stderr (no newline added: streaming text uses it). The process context shows
   * control characters and escape sequences visibly (see `terminal_text.ts`), so repository and
   * model text written here can never drive the terminal.
   */
  stderr(text: string): void;
  /**
   * Writes deeprepo's own terminal control sequences (clearing the live progress line, colour)
   * to stderr as they are. Only for fixed sequences, never for text from elsewhere. Absent in
   * captured test contexts, where `stderr` is used instead.
   */
  control?(sequence: string): void;
  /** True when stderr is a terminal (live progress line allowed). */
  isTerminal: boolean;
  /**
   * The terminal's width in display columns, when stdout or stderr is a terminal; absent
   * otherwise (then text is wrapped at 80 columns and table rows are kept whole).
   */
  columns?: number;
  /** False when NO_COLOR is set or output is not a terminal. */
  color: boolean;
  /** Aborted when the user interrupts (Ctrl-C). */
  signal: AbortSignal;
  /**
   * Lets a command handle Ctrl-C itself for a while (the interactive REPL stops only the running
   * execution). While `handler` is registered and returns true, Ctrl-C does not abort `signal`.
   * Absent in contexts without interrupts (tests). Returns the function that unregisters it.
   */
  interceptInterrupt?(handler: () => boolean): () => void;
}
